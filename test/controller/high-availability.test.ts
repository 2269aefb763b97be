import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestApiServer } from '../support/api-server/index.ts';
import {
  poolManifest,
  serviceManifest,
  storedIngress,
  waitFor,
  nameOf,
} from '../support/controller-fixtures.ts';
import { startClientProxy, type ClientProxy } from '../support/http-proxy.ts';
import {
  httpGet,
  kubeconfigFile,
  NAMESPACE,
  spawnController,
  startCluster,
  type ChildController,
} from './harness.ts';

/**
 * Two `ironlb controller` processes on one API server, each through its own
 * proxy so every request can be attributed: exactly one writes; when it is
 * killed, the other takes over and nothing is allocated twice.
 */
describe('two controllers (real processes)', () => {
  let server: TestApiServer;
  const replicas: Array<{ child: ChildController; proxy: ClientProxy; remove: () => void }> = [];
  let created = 0;

  before(async () => {
    server = await startCluster();
    server.store.put(poolManifest('default', ['10.40.0.0/24']));
    for (const identity of ['replica-a', 'replica-b']) {
      const proxy = await startClientProxy(server.url);
      const kubeconfig = kubeconfigFile(proxy.kubeconfigYaml());
      replicas.push({
        child: spawnController(kubeconfig.path, identity),
        proxy,
        remove: kubeconfig.remove,
      });
    }
  });
  after(async () => {
    for (const { child, proxy, remove } of replicas) {
      if (child.process.exitCode === null && child.process.signalCode === null)
        child.kill('SIGKILL');
      await child.exited;
      await proxy.close();
      remove();
    }
    await server.close();
  });

  const leaseHolder = (): string | undefined =>
    (
      server.store.get('coordination.k8s.io/v1', 'Lease', 'ironlb-controller', NAMESPACE) as
        { spec?: { holderIdentity?: string } } | undefined
    )?.spec?.holderIdentity;

  /** Writes other than the Lease (which every candidate may try to create or take). */
  const nonLeaseWrites = (proxy: ClientProxy) =>
    proxy.writes().filter((r) => !r.url.includes('/leases'));

  function createServices(count: number): void {
    for (let i = 0; i < count; i++) server.store.put(serviceManifest(`svc-${created++}`));
  }

  function assignments(): Map<string, string> {
    const map = new Map<string, string>();
    for (const service of server.store.list('v1', 'Service', 'default')) {
      const ips = storedIngress(server, 'default', nameOf(service));
      if (ips.length > 0) map.set(nameOf(service), ips.join(','));
    }
    return map;
  }

  it('exactly one writes; after the leader is killed the other takes over without double allocations', async () => {
    await waitFor('a leader', () => leaseHolder()?.startsWith('replica-') === true, 10_000);
    createServices(100);
    await waitFor('100 allocated', () => assignments().size === 100, 20_000, 50);
    const firstRound = assignments();
    assert.equal(new Set(firstRound.values()).size, 100);

    const leaderName = leaseHolder()!;
    const leader = replicas.find((r) => r.child.identity === leaderName)!;
    const follower = replicas.find((r) => r.child.identity !== leaderName)!;
    await waitFor(
      'annotations and events of all 100',
      () =>
        server.store.list('v1', 'Event', 'default').length === 100 &&
        server.store
          .list('v1', 'Service', 'default')
          .every(
            (s) =>
              (s.metadata as { annotations?: Record<string, string> }).annotations?.[
                'ironlb.dev/ip-allocated-from-pool'
              ] === 'default',
          ),
      20_000,
      100,
    );
    const leadership = (r: (typeof replicas)[number]) =>
      r.child.lines.filter((l) => /leader/.test(String(l.msg))).map((l) => String(l.msg));
    assert.ok(
      nonLeaseWrites(leader.proxy).length >= 300,
      `the leader wrote status, annotation and an event per Service (${leadership(leader).join(', ')})`,
    );
    assert.deepEqual(
      nonLeaseWrites(follower.proxy),
      [],
      `the follower wrote nothing (${leadership(follower).join(', ')})`,
    );
    // Both are ready: the follower is a warm standby.
    for (const { child } of replicas) {
      const port = await child.httpPort();
      await waitFor(
        `${child.identity} ready`,
        async () => (await httpGet(port, '/readyz')).status === 200,
      );
      const metrics = (await httpGet(port, '/metrics')).body;
      assert.match(
        metrics,
        new RegExp(`^ironlb_controller_leader_bool ${child === leader.child ? 1 : 0}$`, 'm'),
      );
    }

    leader.child.kill('SIGKILL');
    await leader.child.exited;
    createServices(50);
    await waitFor('the follower leads', () => leaseHolder() === follower.child.identity, 10_000);
    await waitFor('150 allocated', () => assignments().size === 150, 20_000, 50);
    const secondRound = assignments();
    assert.equal(new Set(secondRound.values()).size, 150, 'no address given twice');
    for (const [name, ip] of firstRound)
      assert.equal(secondRound.get(name), ip, `${name} kept its address`);
    assert.ok(nonLeaseWrites(follower.proxy).length > 0, 'the new leader writes');
    follower.child.kill('SIGTERM');
    assert.equal(await follower.child.exited, 0);
  });
});
