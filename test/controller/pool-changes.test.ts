import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import type { TestApiServer } from '../support/api-server/index.ts';
import {
  namespaceManifest,
  poolManifest,
  serviceManifest,
  storedIngress,
  waitFor,
} from '../support/controller-fixtures.ts';
import { startCluster, startInProcess, type InProcessController } from './harness.ts';

function events(server: TestApiServer, reason: string, namespace: string) {
  return server.store
    .list('v1', 'Event', namespace)
    .filter((e) => e.reason === reason) as unknown as Array<{
    involvedObject: { name: string };
    message: string;
  }>;
}

/** Pool edits and namespace labels change who may have what: Services are re-evaluated. */
describe('controller: pool edits and namespace labels', () => {
  let server: TestApiServer;
  let running: InProcessController;

  before(async () => {
    server = await startCluster();
    server.store.put(poolManifest('a', ['10.90.0.0/29']));
    server.store.put(
      poolManifest('reserved', ['10.91.0.0/29'], undefined, {
        serviceAllocation: { namespaceSelectors: [{ matchLabels: { team: 'gold' } }] },
      }),
    );
    server.store.put(namespaceManifest('shop'));
    for (const name of ['s1', 's2', 's3', 's4', 's5', 's6'])
      server.store.put(serviceManifest(name));
    server.store.put(
      serviceManifest('vip', {
        namespace: 'shop',
        annotations: { 'ironlb.dev/address-pool': 'reserved' },
      }),
    );
    running = startInProcess(server.kubeConfig(), 'solo');
  });
  after(async () => {
    await running.stop();
    await server.close();
  });

  it('moves addresses that leave the pool, with the reason, and nothing else', async () => {
    await waitFor('s1-s6 allocated', () =>
      ['s1', 's2', 's3', 's4', 's5', 's6'].every(
        (n) => storedIngress(server, 'default', n).length === 1,
      ),
    );
    const before = new Map(
      ['s1', 's2', 's3', 's4', 's5', 's6'].map((n) => [n, storedIngress(server, 'default', n)[0]!]),
    );
    // The lower half of the pool goes away; the upper half stays.
    server.store.put(poolManifest('a', ['10.90.0.4/30', '10.90.0.8/30']));
    await waitFor('everyone in the new ranges', () =>
      ['s1', 's2', 's3', 's4', 's5', 's6'].every((n) =>
        /^10\.90\.0\.([4-9]|1[01])$/.test(storedIngress(server, 'default', n)[0] ?? ''),
      ),
    );
    const after = ['s1', 's2', 's3', 's4', 's5', 's6'].map(
      (n) => storedIngress(server, 'default', n)[0],
    );
    assert.equal(new Set(after).size, 6);
    const leaving = [...before].filter(([, ip]) => !/^10\.90\.0\.[4-7]$/.test(ip));
    const moves = () =>
      events(server, 'IPAllocated', 'default').filter((e) => e.message.includes('(was '));
    assert.equal(leaving.length, 4, 'the lowest addresses were taken first: .0 to .3 leave');
    await waitFor('an event per move', () => moves().length === leaving.length);
    for (const [name, ip] of leaving) {
      const event = moves().find((e) => e.involvedObject.name === name);
      assert.match(event?.message ?? '', new RegExp(`\\(was ${ip.replaceAll('.', '\\.')}: `), name);
    }
    for (const [name, ip] of before) {
      if (!leaving.some(([n]) => n === name)) {
        assert.equal(storedIngress(server, 'default', name)[0], ip, `${name} stays`);
      }
    }
  });

  it('a namespace that gains the label a pool asks for gets its Services served', async () => {
    await waitFor('vip refused', () =>
      events(server, 'AllocationFailed', 'shop').some((e) => e.involvedObject.name === 'vip'),
    );
    assert.match(
      events(server, 'AllocationFailed', 'shop')[0]!.message,
      /^poolNotAllowedForService: /,
    );
    const core = server.kubeConfig().makeApiClient(CoreV1Api);
    await core.patchNamespace({
      name: 'shop',
      body: [{ op: 'add', path: '/metadata/labels/team', value: 'gold' }],
    });
    await waitFor('vip served from reserved', () =>
      /^10\.91\.0\.\d$/.test(storedIngress(server, 'shop', 'vip')[0] ?? ''),
    );
  });
});
