import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { TestApiServer } from '../support/api-server/index.ts';
import {
  poolManifest,
  serviceManifest,
  storedIngress,
  waitFor,
} from '../support/controller-fixtures.ts';
import { NAMESPACE, startCluster, startInProcess, type InProcessController } from './harness.ts';

/**
 * The controller in-process (startController, as the CLI runs it) against
 * the test API server, driven and checked through the API.
 */

interface StoredService {
  metadata: { name: string; namespace: string; annotations?: Record<string, string> };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; ipMode?: string }> } };
}

function events(server: TestApiServer, reason: string, namespace = 'default') {
  return server.store
    .list('v1', 'Event', namespace)
    .filter((e) => e.reason === reason) as unknown as Array<{
    involvedObject: { name: string; kind: string };
    message: string;
    count: number;
    type: string;
  }>;
}

describe('controller: 1,000 Services from one pool', () => {
  let server: TestApiServer;
  let running: InProcessController;
  const COUNT = 1000;

  before(async () => {
    server = await startCluster();
    server.store.put(poolManifest('default', ['10.20.0.0/20']));
    for (let i = 0; i < COUNT; i++) server.store.put(serviceManifest(`svc-${i}`));
    running = startInProcess(server.kubeConfig(), 'solo');
  });
  after(async () => {
    await running.stop();
    await server.close();
  });

  it('gives every Service a distinct address, with status, annotation and an event', async () => {
    await waitFor(
      'every Service has an address',
      () =>
        server.store
          .list('v1', 'Service', 'default')
          .every(
            (s) =>
              ((s as unknown as StoredService).status?.loadBalancer?.ingress ?? []).length === 1,
          ),
      60_000,
      200,
    );
    const services = server.store.list('v1', 'Service', 'default') as unknown as StoredService[];
    assert.equal(services.length, COUNT);
    const ips = services.map((s) => s.status!.loadBalancer!.ingress![0]!.ip!);
    assert.equal(new Set(ips).size, COUNT, 'no address given twice');
    for (const ip of ips) assert.match(ip, /^10\.20\.([0-9]|1[0-5])\.\d+$/);
    for (const service of services) {
      assert.equal(service.status!.loadBalancer!.ingress![0]!.ipMode, 'VIP');
    }
    await waitFor(
      'every annotation',
      () =>
        (server.store.list('v1', 'Service', 'default') as unknown as StoredService[]).every(
          (s) => s.metadata.annotations?.['ironlb.dev/ip-allocated-from-pool'] === 'default',
        ),
      30_000,
      200,
    );
    await waitFor(
      'every IPAllocated event',
      () => events(server, 'IPAllocated').length === COUNT,
      30_000,
      200,
    );
    const event = events(server, 'IPAllocated').find((e) => e.involvedObject.name === 'svc-0')!;
    assert.match(event.message, /^Assigned IP \[10\.20\.\d+\.\d+\] from pool default$/);
    assert.equal(event.involvedObject.kind, 'Service');
    assert.equal(server.internalErrors.length, 0);
  });

  it('reports pool status, metrics, readiness and a Valid ConfigurationState', async () => {
    const custom = server.kubeConfig().makeApiClient(CustomObjectsApi);
    await waitFor('pool status and metrics', async () => {
      if (
        (await running.metric('ironlb_allocator_addresses_in_use_total', {
          pool: 'default',
          family: 'ipv4',
        })) !== COUNT
      )
        return false;
      const pool = server.store.get('ironlb.dev/v1beta1', 'IPAddressPool', 'default', NAMESPACE);
      return (pool?.status as Record<string, string> | undefined)?.assignedIPv4 === String(COUNT);
    });
    const pool = (await custom.getNamespacedCustomObject({
      group: 'ironlb.dev',
      version: 'v1beta1',
      namespace: NAMESPACE,
      plural: 'ipaddresspools',
      name: 'default',
    })) as { status: Record<string, string> };
    assert.deepEqual(pool.status, {
      assignedIPv4: '1000',
      availableIPv4: '3096',
      assignedIPv6: '0',
      availableIPv6: '0',
    });
    assert.equal(
      await running.metric('ironlb_allocator_addresses_in_use_total', {
        pool: 'default',
        family: 'ipv4',
      }),
      COUNT,
    );
    assert.equal(
      await running.metric('ironlb_allocator_addresses_total', { pool: 'default', family: 'ipv4' }),
      4096,
    );
    assert.equal(await running.metric('ironlb_controller_leader_bool'), 1);
    assert.equal(await running.metric('ironlb_k8s_client_config_loaded_bool'), 1);
    assert.equal(await running.metric('ironlb_k8s_client_config_stale_bool'), 0);
    assert.ok((await running.metric('ironlb_k8s_client_updates_total'))! >= COUNT);
    assert.deepEqual(running.readiness.report(), { ready: true, failing: [] });
    await waitFor('ConfigurationState', () => {
      const state = server.store.get(
        'ironlb.dev/v1beta1',
        'ConfigurationState',
        'controller',
        NAMESPACE,
      );
      return (state?.status as { result?: string } | undefined)?.result === 'Valid';
    });
  });

  it('a Service that stops being a LoadBalancer is cleared (ClearAssignment); a deleted one frees its address', async () => {
    const core = server.kubeConfig().makeApiClient(CoreV1Api);
    const ip = storedIngress(server, 'default', 'svc-1')[0]!;
    await core.patchNamespacedService({
      name: 'svc-1',
      namespace: 'default',
      body: [{ op: 'replace', path: '/spec/type', value: 'ClusterIP' }],
    });
    await waitFor('svc-1 cleared', () => storedIngress(server, 'default', 'svc-1').length === 0);
    await waitFor('annotation removed', () => {
      const s = server.store.get('v1', 'Service', 'svc-1', 'default') as unknown as StoredService;
      return s.metadata.annotations?.['ironlb.dev/ip-allocated-from-pool'] === undefined;
    });
    await waitFor('ClearAssignment', () => events(server, 'ClearAssignment').length === 1);
    assert.equal(
      events(server, 'ClearAssignment')[0]!.message,
      `Released IP [${ip}]: the Service is no longer of type LoadBalancer`,
    );
    await core.deleteNamespacedService({ name: 'svc-2', namespace: 'default' });
    await waitFor('pool status counts both releases', () => {
      const pool = server.store.get('ironlb.dev/v1beta1', 'IPAddressPool', 'default', NAMESPACE);
      return (
        (pool?.status as Record<string, string> | undefined)?.assignedIPv4 === String(COUNT - 2)
      );
    });
  });
});

describe('controller: choices and refusals', () => {
  let server: TestApiServer;
  let running: InProcessController;

  before(async () => {
    server = await startCluster();
    server.store.put(poolManifest('small', ['192.0.2.0/30']));
    server.store.put(poolManifest('v6', ['2001:db8::/64'], NAMESPACE, { autoAssign: false }));
    running = startInProcess(server.kubeConfig(), 'solo');
  });
  after(async () => {
    await running.stop();
    await server.close();
  });

  it('serves requested addresses and pools, leaves other classes alone, reports exhaustion', async () => {
    server.store.put(
      serviceManifest('pinned', { annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.3' } }),
    );
    server.store.put(
      serviceManifest('six', {
        annotations: { 'ironlb.dev/address-pool': 'v6' },
        ipFamilies: ['IPv6'],
      }),
    );
    server.store.put(serviceManifest('foreign', { loadBalancerClass: 'other.example/lb' }));
    for (const name of ['a', 'b', 'c', 'd']) server.store.put(serviceManifest(name));
    await waitFor('pinned', () => storedIngress(server, 'default', 'pinned')[0] === '192.0.2.3');
    await waitFor('six', () => storedIngress(server, 'default', 'six')[0] === '2001:db8::');
    await waitFor('a, b, c, d handled', () => {
      const holders = ['a', 'b', 'c', 'd'].filter(
        (n) => storedIngress(server, 'default', n).length === 1,
      );
      return holders.length === 3 && events(server, 'AllocationFailed').length === 1;
    });
    const failed = events(server, 'AllocationFailed')[0]!;
    assert.equal(failed.type, 'Warning');
    assert.match(failed.message, /^poolExhausted: /);
    assert.equal(
      await running.metric('ironlb_allocator_allocation_failures_total', {
        reason: 'poolExhausted',
      }),
      1,
    );
    assert.deepEqual(storedIngress(server, 'default', 'foreign'), []);

    // The failed Service gets the address a deleted one frees.
    const waiting = ['a', 'b', 'c', 'd'].find(
      (n) => storedIngress(server, 'default', n).length === 0,
    )!;
    const holder = ['a', 'b', 'c', 'd'].find((n) => n !== waiting)!;
    const freed = storedIngress(server, 'default', holder)[0];
    server.store.delete('v1', 'Service', holder, 'default');
    await waitFor(
      'the waiting Service gets the freed address',
      () => storedIngress(server, 'default', waiting)[0] === freed,
    );
    assert.equal(
      events(server, 'AllocationFailed')[0]!.count,
      1,
      'reported once, not per re-evaluation',
    );
  });

  it('an invalid request clears nothing it does not hold and says why', async () => {
    server.store.put(
      serviceManifest('confused', {
        annotations: {
          'ironlb.dev/loadBalancerIPs': '192.0.2.1',
          'metallb.io/loadBalancerIPs': '192.0.2.2',
        },
      }),
    );
    await waitFor('refused', () =>
      events(server, 'AllocationFailed').some((e) => e.involvedObject.name === 'confused'),
    );
    const event = events(server, 'AllocationFailed').find(
      (e) => e.involvedObject.name === 'confused',
    )!;
    assert.match(event.message, /^conflictingRequests: annotations .* disagree/);
  });
});

describe('controller: start-up with addresses already in status', () => {
  let server: TestApiServer;
  let running: InProcessController;

  before(async () => {
    server = await startCluster();
    server.store.put(poolManifest('default', ['192.0.2.0/29']));
    // Written by an earlier controller (or by MetalLB): the status is the record.
    server.store.put(serviceManifest('a-kept', { ingress: ['192.0.2.5'] }));
    server.store.put(serviceManifest('b-duplicate', { ingress: ['192.0.2.5'] }));
    server.store.put(serviceManifest('c-outside', { ingress: ['198.51.100.7'] }));
    server.store.put(serviceManifest('d-new'));
    running = startInProcess(server.kubeConfig(), 'solo');
  });
  after(async () => {
    await running.stop();
    await server.close();
  });

  it('keeps what is valid, and moves what is not with a reason', async () => {
    await waitFor('all settled', () =>
      ['b-duplicate', 'c-outside', 'd-new'].every((n) => {
        const ips = storedIngress(server, 'default', n);
        return ips.length === 1 && ips[0] !== '192.0.2.5' && ips[0] !== '198.51.100.7';
      }),
    );
    assert.deepEqual(storedIngress(server, 'default', 'a-kept'), ['192.0.2.5']);
    const all = ['a-kept', 'b-duplicate', 'c-outside', 'd-new'].map(
      (n) => storedIngress(server, 'default', n)[0],
    );
    assert.equal(new Set(all).size, 4);
    await waitFor('events', () => events(server, 'IPAllocated').length === 3);
    const message = (name: string) =>
      events(server, 'IPAllocated').find((e) => e.involvedObject.name === name)?.message ?? '';
    assert.match(message('b-duplicate'), /\(was 192\.0\.2\.5: .*a-kept/);
    assert.match(message('c-outside'), /\(was 198\.51\.100\.7: /);
    assert.match(message('d-new'), /^Assigned IP \[192\.0\.2\.\d\] from pool default$/);
    assert.equal(
      events(server, 'IPAllocated').some((e) => e.involvedObject.name === 'a-kept'),
      false,
      'a-kept only got its annotation',
    );
  });
});
