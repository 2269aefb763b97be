import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { CoalescingRunner, labLogger } from './api-watch.ts';

describe('lab API watch helpers', () => {
  it('coalesces a burst of requests into few runs, one at a time, and settles after the last', async () => {
    let running = 0;
    let runs = 0;
    let maxConcurrent = 0;
    const runner = new CoalescingRunner(
      async () => {
        running++;
        runs++;
        maxConcurrent = Math.max(maxConcurrent, running);
        await sleep(20);
        running--;
      },
      () => assert.fail('no error expected'),
    );
    for (let i = 0; i < 10; i++) runner.request();
    await runner.settled();
    assert.equal(maxConcurrent, 1);
    // The first request starts a run; the other nine arrive during it and make one more.
    assert.equal(runs, 2);
    runner.request();
    await runner.settled();
    assert.equal(runs, 3);
    await runner.stop();
    runner.request();
    await runner.settled();
    assert.equal(runs, 3, 'nothing runs after stop');
  });

  it('reports a failed run and tries again', async () => {
    const errors: string[] = [];
    let attempts = 0;
    const runner = new CoalescingRunner(
      () => {
        attempts++;
        return attempts === 1 ? Promise.reject(new Error('API down')) : Promise.resolve();
      },
      (err) => errors.push(String(err)),
    );
    runner.request();
    await runner.settled();
    assert.deepEqual(errors, ['Error: API down']);
    const deadline = Date.now() + 2000;
    while (attempts < 2 && Date.now() < deadline) await sleep(20);
    assert.equal(attempts, 2);
    await runner.stop();
  });

  it('turns warnings of a component into lab progress lines, with the error text', async () => {
    const lines: string[] = [];
    const logger = labLogger('kube-proxy', (line) => lines.push(line));
    logger.info('not shown');
    logger.warn({ resource: '/api/v1/services', err: 'HTTP 500: boom' }, 'list/watch failed');
    logger.error({ err: new Error('broken') }, 'apply failed');
    logger.flush();
    await sleep(10);
    assert.deepEqual(lines, [
      'kube-proxy: list/watch failed (/api/v1/services): HTTP 500: boom',
      'kube-proxy: apply failed: broken',
    ]);
  });
});
