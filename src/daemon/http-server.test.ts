import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DaemonHttpServer } from './http-server.ts';
import { createMetricsRegistry } from './metrics.ts';
import { Readiness } from './readiness.ts';
import { memoryLogger } from './test-logger.ts';

describe('daemon HTTP server', () => {
  const readiness = new Readiness();
  let configLoaded = false;
  readiness.register('config', () => configLoaded || 'configuration not loaded yet');
  const server = new DaemonHttpServer({
    host: '127.0.0.1',
    port: 0,
    registry: createMetricsRegistry(),
    readiness,
    logger: memoryLogger().logger,
  });
  let base = '';
  before(async () => {
    const address = await server.listen();
    base = `http://127.0.0.1:${address.port}`;
  });
  after(() => server.close());

  it('serves Prometheus metrics including the default process metrics', async () => {
    const res = await fetch(`${base}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const body = await res.text();
    assert.match(body, /^ironlb_process_cpu_user_seconds_total /m);
    assert.match(body, /^ironlb_nodejs_eventloop_lag_seconds /m);
  });

  it('answers /healthz while the process is alive', async () => {
    const res = await fetch(`${base}/healthz`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'ok\n');
  });

  it('flips /readyz between 503 (listing failing checks) and 200', async () => {
    configLoaded = false;
    const notReady = await fetch(`${base}/readyz`);
    assert.equal(notReady.status, 503);
    assert.equal(await notReady.text(), 'not ready: config: configuration not loaded yet\n');
    configLoaded = true;
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 200);
    await ready.text();
  });

  it('answers 404 for unknown paths and 405 for writes', async () => {
    const missing = await fetch(`${base}/nope`);
    assert.equal(missing.status, 404);
    await missing.text();
    const post = await fetch(`${base}/metrics`, { method: 'POST' });
    assert.equal(post.status, 405);
    await post.text();
  });

  it('reports a bind failure with its catalogue code', async () => {
    const taken = Number(new URL(base).port);
    const second = new DaemonHttpServer({
      host: '127.0.0.1',
      port: taken,
      registry: createMetricsRegistry(),
      readiness: new Readiness(),
      logger: memoryLogger().logger,
    });
    await assert.rejects(second.listen(), { code: 'IRONLB_ERR_HTTP_LISTEN' });
  });
});
