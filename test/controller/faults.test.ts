import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import type { TestApiServer } from '../support/api-server/index.ts';
import {
  nameOf,
  poolManifest,
  serviceManifest,
  sleep,
  storedIngress,
  waitFor,
} from '../support/controller-fixtures.ts';
import { NAMESPACE, startCluster, startInProcess, type InProcessController } from './harness.ts';

/**
 * Watches dropped (cleanly and abruptly), 410s (expired watches, compacted
 * history) and failing writes while Services come and go: the controller
 * converges, and no address is ever held twice.
 */
describe('controller under API faults', () => {
  let server: TestApiServer;
  let running: InProcessController;

  before(async () => {
    server = await startCluster();
    server.store.put(poolManifest('default', ['10.50.0.0/24']));
    running = startInProcess(server.kubeConfig(), 'solo');
  });
  after(async () => {
    await running.stop();
    await server.close();
  });

  it('converges with 0 duplicates after dropped watches, 410s and failed writes', async () => {
    const core = server.kubeConfig().makeApiClient(CoreV1Api);
    let next = 0;
    const live = new Set<string>();
    const create = async (): Promise<void> => {
      const name = `svc-${next++}`;
      await core.createNamespacedService({
        namespace: 'default',
        body: serviceManifest(name),
      });
      live.add(name);
    };
    const remove = async (name: string): Promise<void> => {
      await core.deleteNamespacedService({ name, namespace: 'default' });
      live.delete(name);
    };
    for (let i = 0; i < 40; i++) await create();
    await waitFor('the first 40', () =>
      [...live].every((n) => storedIngress(server, 'default', n).length === 1),
    );

    const faults = [
      () => server.faults.dropWatches(),
      () => server.faults.dropWatches({ abrupt: true }),
      () => {
        server.faults.expireWatches(3);
        server.faults.dropWatches();
      },
      () => {
        server.faults.compact();
        server.faults.dropWatches({ abrupt: true });
      },
      () =>
        server.faults.failRequests({
          verb: 'patch',
          resource: 'services',
          subresource: 'status',
          code: 500,
          count: 5,
        }),
      () =>
        server.faults.failRequests({ verb: 'patch', resource: 'services', code: 503, count: 3 }),
      () => server.faults.failRequests({ verb: 'watch', code: 500, count: 4 }),
      () => server.faults.failRequests({ verb: 'list', resource: 'services', code: 500, count: 2 }),
      () =>
        server.faults.failRequests({
          verb: 'patch',
          resource: 'ipaddresspools.ironlb.dev',
          subresource: 'status',
          code: 500,
          count: 2,
        }),
      () => server.faults.failRequests({ verb: 'create', resource: 'events', code: 500, count: 2 }),
    ];
    for (let round = 0; round < 20; round++) {
      faults[round % faults.length]!();
      for (let i = 0; i < 6; i++) await create();
      const victims = [...live].filter((_, i) => i % 7 === round % 7).slice(0, 3);
      for (const name of victims) await remove(name);
      await sleep(15);
    }
    server.faults.clear();

    await waitFor(
      `all ${live.size} live Services hold exactly one address`,
      () => [...live].every((n) => storedIngress(server, 'default', n).length === 1),
      30_000,
      50,
    );
    const ips = [...live].map((n) => storedIngress(server, 'default', n)[0]!);
    assert.equal(new Set(ips).size, ips.length, 'no address held twice');
    assert.equal(server.store.list('v1', 'Service', 'default').length, live.size);
    await waitFor('pool status counts the live Services', () => {
      const pool = server.store.get('ironlb.dev/v1beta1', 'IPAddressPool', 'default', NAMESPACE);
      return (
        (pool?.status as Record<string, string> | undefined)?.assignedIPv4 === String(live.size)
      );
    });
    // The allocator agrees with what the API shows.
    const term = running.controller.term!;
    await term.idle();
    const held = new Map(
      term.allocator.assignments().map((a) => [a.key.slice('default/'.length), a]),
    );
    assert.deepEqual([...held.keys()].sort(), [...live].sort());
    for (const service of server.store.list('v1', 'Service', 'default')) {
      assert.ok(held.has(nameOf(service)));
    }
    assert.ok(
      (await running.metric('ironlb_k8s_api_errors_total', { resource: 'services/status' }))! >= 1,
    );
    assert.ok(
      (await running.metric('ironlb_k8s_api_errors_total', { resource: 'services' }))! >= 1,
    );
    assert.ok(
      (await running.metric('ironlb_k8s_api_errors_total', {
        resource: 'ipaddresspools/status',
      }))! >= 1,
    );
    assert.ok((await running.metric('ironlb_k8s_api_errors_total', { resource: 'events' }))! >= 1);
    assert.equal(server.internalErrors.length, 0);
  });
});
