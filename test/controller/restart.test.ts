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
import {
  httpGet,
  kubeconfigFile,
  NAMESPACE,
  spawnController,
  startCluster,
  type ChildController,
} from './harness.ts';

/**
 * `ironlb controller` as real processes, stopped with SIGTERM and SIGKILL and
 * started again: the Service status is the record, so no address ever moves.
 */
describe('controller restarts (real processes)', () => {
  let server: TestApiServer;
  let kubeconfig: { path: string; remove: () => void };
  const children: ChildController[] = [];
  let created = 0;

  before(async () => {
    server = await startCluster();
    server.store.put(poolManifest('default', ['10.30.0.0/22']));
    kubeconfig = kubeconfigFile(server.kubeconfig);
  });
  after(async () => {
    for (const child of children) {
      if (child.process.exitCode === null && child.process.signalCode === null)
        child.kill('SIGKILL');
      await child.exited;
    }
    kubeconfig.remove();
    await server.close();
  });

  function start(identity: string): ChildController {
    const child = spawnController(kubeconfig.path, identity);
    children.push(child);
    return child;
  }

  function createServices(count: number): void {
    for (let i = 0; i < count; i++) server.store.put(serviceManifest(`svc-${created++}`));
  }

  /** name → address, for every Service that has one. */
  function assignments(): Map<string, string> {
    const map = new Map<string, string>();
    for (const service of server.store.list('v1', 'Service', 'default')) {
      const ips = storedIngress(server, 'default', nameOf(service));
      if (ips.length > 0) map.set(nameOf(service), ips.join(','));
    }
    return map;
  }

  async function allAssigned(): Promise<Map<string, string>> {
    await waitFor(
      `all ${created} Services have an address`,
      () => assignments().size === created,
      30_000,
      50,
    );
    const current = assignments();
    assert.equal(new Set(current.values()).size, current.size, 'no address held twice');
    return current;
  }

  function assertUnmoved(before: Map<string, string>, after: Map<string, string>): void {
    const moved = [...before].filter(([name, ip]) => after.get(name) !== ip);
    assert.deepEqual(moved, [], 'no address moved');
  }

  const leaseHolder = (): string | undefined =>
    (
      server.store.get('coordination.k8s.io/v1', 'Lease', 'ironlb-controller', NAMESPACE) as
        { spec?: { holderIdentity?: string } } | undefined
    )?.spec?.holderIdentity;

  it('keeps every address over three restarts (SIGTERM, SIGKILL, SIGTERM)', async () => {
    createServices(200);
    const first = start('controller-1');
    const port = await first.httpPort();
    let record = await allAssigned();
    await waitFor('ready', async () => (await httpGet(port, '/readyz')).status === 200);
    const inUse = /^ironlb_allocator_addresses_in_use_total\{pool="default",family="ipv4"\} 200$/m;
    await waitFor('pool metrics', async () => inUse.test((await httpGet(port, '/metrics')).body));
    assert.match((await httpGet(port, '/metrics')).body, /^ironlb_controller_leader_bool 1$/m);

    // 1. SIGTERM: the lease is released on the way out, and the exit code is 0.
    first.kill('SIGTERM');
    assert.equal(await first.exited, 0);
    assert.equal(leaseHolder(), '');
    createServices(30); // created while no controller runs: they must not take anyone's address
    const second = start('controller-2');
    let now = await allAssigned();
    assertUnmoved(record, now);
    record = now;

    // 2. SIGKILL in the middle of work: no release; the next one waits for the lease to expire.
    createServices(60);
    await waitFor('second is at work', () => assignments().size > record.size, 10_000, 5);
    second.kill('SIGKILL');
    assert.equal(await second.exited, 'SIGKILL');
    assert.equal(leaseHolder(), 'controller-2');
    const partial = assignments();
    const third = start('controller-3');
    now = await allAssigned();
    assertUnmoved(partial, now);
    record = now;

    // 3. SIGTERM again, and a fourth run.
    third.kill('SIGTERM');
    assert.equal(await third.exited, 0);
    const fourth = start('controller-4');
    await waitFor('fourth leads', () => leaseHolder() === 'controller-4', 10_000);
    await waitFor(
      'fourth ready',
      async () => (await httpGet(await fourth.httpPort(), '/readyz')).status === 200,
    );
    now = await allAssigned();
    assertUnmoved(record, now);

    // No restart allocated anything again: at most one IPAllocated per Service (a SIGKILL
    // between a status write and its event may leave one without).
    const allocatedEvents = new Map<string, number>();
    for (const event of server.store.list('v1', 'Event', 'default')) {
      if (event.reason !== 'IPAllocated') continue;
      const name = String((event.involvedObject as { name: string }).name);
      allocatedEvents.set(name, (allocatedEvents.get(name) ?? 0) + ((event.count as number) ?? 1));
    }
    const repeated = [...allocatedEvents].filter(([, count]) => count > 1);
    assert.deepEqual(repeated, []);
    fourth.kill('SIGTERM');
    assert.equal(await fourth.exited, 0);
    assert.equal(server.internalErrors.length, 0);
  });
});
