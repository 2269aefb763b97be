import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { TestApiServer } from '../support/api-server/index.ts';
import {
  poolManifest,
  serviceManifest,
  storedIngress,
  waitFor,
} from '../support/controller-fixtures.ts';
import { NAMESPACE, startCluster, startInProcess, type InProcessController } from './harness.ts';

interface ConfigurationStateStatus {
  result?: string;
  stale?: boolean;
  errorCount?: number;
  errorSummary?: string;
}

function configurationState(server: TestApiServer): ConfigurationStateStatus | undefined {
  return server.store.get('ironlb.dev/v1beta1', 'ConfigurationState', 'controller', NAMESPACE)
    ?.status as ConfigurationStateStatus | undefined;
}

function warnings(server: TestApiServer) {
  return server.store
    .list('v1', 'Event', NAMESPACE)
    .filter((e) => e.reason === 'InvalidConfiguration') as unknown as Array<{
    involvedObject: { kind: string; name: string };
    message: string;
    type: string;
  }>;
}

describe('controller with an invalid configuration', () => {
  let server: TestApiServer;
  let running: InProcessController;
  let custom: CustomObjectsApi;

  before(async () => {
    server = await startCluster();
    custom = server.kubeConfig().makeApiClient(CustomObjectsApi);
    server.store.put(poolManifest('a', ['10.60.0.0/24']));
    for (const name of ['s1', 's2', 's3']) server.store.put(serviceManifest(name));
    running = startInProcess(server.kubeConfig(), 'solo');
  });
  after(async () => {
    await running.stop();
    await server.close();
  });

  it('keeps the last good configuration, says Invalid and stale, and recovers when fixed', async () => {
    await waitFor('s1-s3 allocated', () =>
      ['s1', 's2', 's3'].every((n) => storedIngress(server, 'default', n).length === 1),
    );
    await waitFor('Valid', () => configurationState(server)?.result === 'Valid');
    const before = ['s1', 's2', 's3'].map((n) => storedIngress(server, 'default', n)[0]);

    // An overlapping pool makes the whole configuration invalid (and the first report fails).
    server.faults.failRequests({
      verb: 'patch',
      resource: 'configurationstates.ironlb.dev',
      subresource: 'status',
      code: 503,
    });
    await custom.createNamespacedCustomObject({
      group: 'ironlb.dev',
      version: 'v1beta1',
      namespace: NAMESPACE,
      plural: 'ipaddresspools',
      body: poolManifest('b', ['10.60.0.128/25']),
    });
    await waitFor('Invalid', () => configurationState(server)?.result === 'Invalid');
    assert.equal(server.faults.pendingFailures, 0, 'the failed write was retried');
    const state = configurationState(server)!;
    assert.equal(state.stale, true);
    assert.ok((state.errorCount ?? 0) >= 1);
    assert.match(
      state.errorSummary ?? '',
      /IPAddressPool ironlb-system\/b spec\.addresses\[0\]: "10\.60\.0\.128\/25" overlaps/,
    );
    assert.match(state.errorSummary ?? '', /the last valid configuration stays in force/);
    assert.equal(await running.metric('ironlb_k8s_client_config_stale_bool'), 1);
    assert.equal(await running.metric('ironlb_k8s_client_config_loaded_bool'), 1);
    await waitFor('a warning on the offending pool', () =>
      warnings(server).some(
        (e) => e.involvedObject.kind === 'IPAddressPool' && e.involvedObject.name === 'b',
      ),
    );
    const warning = warnings(server).find((e) => e.involvedObject.name === 'b')!;
    assert.equal(warning.type, 'Warning');
    assert.match(warning.message, /overlaps .*\(the last valid configuration stays in force\)$/);
    assert.deepEqual(
      running.readiness.report().ready,
      true,
      'still ready: it works with the last good configuration',
    );

    // The last good configuration is in force: a new Service gets an address from pool a.
    server.store.put(serviceManifest('s4'));
    await waitFor('s4 allocated', () => storedIngress(server, 'default', 's4').length === 1);
    assert.match(storedIngress(server, 'default', 's4')[0]!, /^10\.60\.0\./);
    assert.deepEqual(
      ['s1', 's2', 's3'].map((n) => storedIngress(server, 'default', n)[0]),
      before,
      'nobody lost an address',
    );

    // Fixed: Valid again, not stale.
    await custom.deleteNamespacedCustomObject({
      group: 'ironlb.dev',
      version: 'v1beta1',
      namespace: NAMESPACE,
      plural: 'ipaddresspools',
      name: 'b',
    });
    await waitFor('Valid again', () => configurationState(server)?.result === 'Valid');
    assert.deepEqual(configurationState(server), {
      result: 'Valid',
      stale: false,
      errorCount: 0,
      errorSummary: '',
    });
    assert.equal(await running.metric('ironlb_k8s_client_config_stale_bool'), 0);
  });
});

describe('controller before any valid configuration', () => {
  let server: TestApiServer;
  let running: InProcessController;

  before(async () => {
    server = await startCluster();
    server.store.put(poolManifest('broken', ['10.70.0.1/24']));
    server.store.put(serviceManifest('waiting'));
    running = startInProcess(server.kubeConfig(), 'solo');
  });
  after(async () => {
    await running.stop();
    await server.close();
  });

  it('assigns nothing and is not ready until the configuration is valid', async () => {
    await waitFor('Invalid', () => configurationState(server)?.result === 'Invalid');
    assert.equal(configurationState(server)?.stale, false);
    assert.match(
      configurationState(server)?.errorSummary ?? '',
      /no valid configuration has been loaded yet/,
    );
    assert.equal(await running.metric('ironlb_k8s_client_config_loaded_bool'), 0);
    assert.equal(await running.metric('ironlb_k8s_client_config_stale_bool'), 0);
    const report = running.readiness.report();
    assert.equal(report.ready, false);
    assert.deepEqual(
      report.failing.map((f) => f.name),
      ['controller-config'],
    );
    assert.match(report.failing[0]!.reason, /^no valid configuration loaded: /);
    assert.deepEqual(storedIngress(server, 'default', 'waiting'), []);

    server.store.put(poolManifest('broken', ['10.70.0.0/24']));
    await waitFor('allocated', () => storedIngress(server, 'default', 'waiting').length === 1);
    await waitFor('Valid', () => configurationState(server)?.result === 'Valid');
    assert.equal(running.readiness.report().ready, true);
    assert.equal(await running.metric('ironlb_k8s_client_config_loaded_bool'), 1);
  });
});
