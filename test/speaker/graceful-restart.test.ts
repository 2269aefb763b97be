/**
 * `ironlb speaker` toward a graceful-restart peer (BIRD as helper): a
 * SIGTERM closes without NOTIFICATION and without draining, so BIRD keeps
 * the routes while the speaker restarts; the restarted speaker ends the
 * restart with End-of-RIB. A Node annotated ironlb.dev/speaker-shutdown=drain
 * is drained and withdrawn instead. Loopback 127.0.31.x.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestApiServer } from '../support/api-server/index.ts';
import { birdUnavailable } from '../support/peers/bird.ts';
import { waitFor } from '../support/peers/daemon-process.ts';
import { kubeconfigFile, startCluster } from '../controller/harness.ts';
import { poolManifest } from '../support/controller-fixtures.ts';
import {
  advertisementManifest,
  loadBalancer,
  nodeManifest,
  peerManifest,
  sliceManifest,
} from './fixtures.ts';
import { NAMESPACE, spawnSpeaker, TestBird, type SpeakerProcess } from './harness.ts';

const skip = birdUnavailable();
const BIRD = '127.0.31.1';
const PORT = 12179;
const SOURCE = '127.0.31.2';

describe('ironlb speaker and graceful restart', { skip, timeout: 90_000 }, () => {
  let server: TestApiServer;
  let kubeconfig: { path: string; remove: () => void };
  let bird: TestBird;
  const speakers: SpeakerProcess[] = [];

  const context = (): string => [...speakers.map((s) => s.tail(20)), bird.tail()].join('\n');
  const until = <T>(what: string, probe: () => Promise<T | undefined> | T | undefined) =>
    waitFor(what, probe, { timeoutMs: 15_000, intervalMs: 50, context });
  const start = (drainPeriod: string): SpeakerProcess => {
    const speaker = spawnSpeaker(kubeconfig.path, 'n1', ['--drain-period', drainPeriod]);
    speakers.push(speaker);
    return speaker;
  };

  before(async () => {
    server = await startCluster();
    kubeconfig = kubeconfigFile(server.kubeconfig);
    bird = new TestBird(BIRD, PORT, [
      { name: 'gr', neighbor: SOURCE, localAs: 64699, neighborAs: 64698, gracefulRestart: true },
    ]);
    await bird.start();
    const { store } = server;
    store.put(nodeManifest('n1', { internalIP: '192.0.2.21' }));
    store.put(poolManifest('default', ['10.91.0.0/24']));
    store.put(
      peerManifest('bird', {
        myASN: 64698,
        peerASN: 64699,
        peerAddress: BIRD,
        peerPort: PORT,
        sourceAddress: SOURCE,
        holdTime: '9s',
        connectTime: '1s',
        enableGracefulRestart: true,
        gracefulRestartTime: '60s',
      }),
    );
    store.put(advertisementManifest('all', { communities: ['64698:1'] }));
    store.put(loadBalancer('web', '10.91.0.7'));
    store.put(sliceManifest('web', ['n1']));
  });

  after(async () => {
    await Promise.all(speakers.map((s) => s.stop()));
    await bird?.stop();
    await server?.close();
    kubeconfig?.remove();
  });

  it('SIGTERM keeps the routes at the helper (no Cease, no drain); the restarted speaker ends the restart', async () => {
    // A long drain: the graceful-restart path must not wait for it.
    const first = start('30s');
    await until('the route at BIRD', async () =>
      (await bird.routes('gr')).some((r) => r.prefix === '10.91.0.7/32') ? true : undefined,
    );
    // Sample BIRD's table through the restart: the route is never missing and never drained.
    const samples: Array<{ prefixes: string[]; shutdown: boolean }> = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const routes = await bird.routes('gr');
        samples.push({
          prefixes: routes.map((r) => r.prefix),
          shutdown: routes.some((r) => r.communities.includes('65535:0')),
        });
      }
    })();
    try {
      first.kill('SIGTERM');
      assert.equal(await first.exited, 0);
      assert.ok(
        first.lines.some((l) => String(l.msg).startsWith('graceful restart: closing without')),
        'the speaker says it keeps the routes',
      );
      await until('BIRD holds our routes as stale (helper)', async () =>
        /Neighbor graceful restart active/.test(await bird.protocolInfo('gr')) ? true : undefined,
      );
      const status = server.store
        .list('ironlb.dev/v1beta1', 'ServiceBGPStatus', 'default')
        .filter((o) => (o.status as { node?: string } | undefined)?.node === 'n1');
      assert.equal(status.length, 1, 'the ServiceBGPStatus stays: the peer still has the route');

      start('2s');
      await until('the restarted session ended graceful restart', async () => {
        const info = await bird.protocolInfo('gr');
        return /BGP state:\s+Established/.test(info) && !/graceful restart active/.test(info)
          ? true
          : undefined;
      });
    } finally {
      sampling = false;
      await sampler;
    }
    assert.ok(samples.length >= 5, `only ${samples.length} samples`);
    assert.deepEqual(
      samples.filter((s) => !s.prefixes.includes('10.91.0.7/32')),
      [],
      'the route was at BIRD in every sample',
    );
    assert.equal(samples.filter((s) => s.shutdown).length, 0, 'never marked GRACEFUL_SHUTDOWN');
    assert.deepEqual(
      (await bird.routes('gr')).map((r) => r.prefix),
      ['10.91.0.7/32'],
    );
    const announcing = server.store
      .list('v1', 'Event', 'default')
      .filter((e) => e.reason === 'nodeAnnouncing');
    assert.equal(
      announcing.length,
      1,
      'the restarted speaker found its ServiceBGPStatus unchanged and recorded no new event',
    );
  });

  it('with the Node annotated ironlb.dev/speaker-shutdown=drain, SIGTERM drains and withdraws instead', async () => {
    const running = speakers.at(-1)!;
    const fullRounds = (): number =>
      running.lines.filter((l) => l.msg === 'decision round' && l.full === true).length;
    const before = fullRounds();
    // The label makes a decision round, which shows the speaker has the annotated Node.
    server.store.put(
      nodeManifest('n1', {
        internalIP: '192.0.2.21',
        labels: { 'example.com/step': 'drain' },
        annotations: { 'ironlb.dev/speaker-shutdown': 'drain' },
      }),
    );
    await until('the speaker has the annotated Node', () =>
      fullRounds() > before ? true : undefined,
    );
    running.kill('SIGTERM');
    await until('GRACEFUL_SHUTDOWN during the drain', async () =>
      (await bird.routes('gr')).some((r) => r.communities.includes('65535:0')) ? true : undefined,
    );
    await until('withdrawn after the drain', async () =>
      (await bird.routes('gr')).length === 0 ? true : undefined,
    );
    assert.equal(await running.exited, 0);
    assert.match(await bird.protocolInfo('gr'), /Administrative shutdown/i);
    const status = server.store
      .list('ironlb.dev/v1beta1', 'ServiceBGPStatus', 'default')
      .filter((o) => (o.status as { node?: string } | undefined)?.node === 'n1');
    assert.deepEqual(status, []);
    assert.ok(server.store.get('ironlb.dev/v1beta1', 'BGPPeer', 'bird', NAMESPACE));
  });
});
