import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  ApiextensionsV1Api,
  loadYaml,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  Watch,
  type KubeConfig,
  type V1CustomResourceDefinition,
  type V1Lease,
  type V1Service,
} from '@kubernetes/client-node';
import { startApiServer, type TestApiServer } from './index.ts';

/**
 * The test API server through the official client: the requests
 * @kubernetes/client-node really makes (typed APIs, Watch, informers) must
 * get the answers a real API server gives.
 */

async function waitFor(what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The HTTP code and parsed Status of a rejected client call. */
async function apiFailure(
  call: Promise<unknown>,
): Promise<{ code: number; status: Record<string, unknown> }> {
  try {
    await call;
  } catch (err) {
    assert.ok(err instanceof ApiException, `expected an ApiException, got ${String(err)}`);
    const body = (err as ApiException<unknown>).body;
    return {
      code: (err as ApiException<unknown>).code,
      status: JSON.parse(String(body)) as Record<string, unknown>,
    };
  }
  assert.fail('the call was expected to fail');
}

/** Client model instances → plain JSON, for deep comparisons. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function service(name: string, labels: Record<string, string> = {}): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels },
    spec: {
      type: 'LoadBalancer',
      selector: { app: name },
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    },
  };
}

const POOL_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'ipaddresspools.ironlb.dev' },
  spec: {
    group: 'ironlb.dev',
    scope: 'Namespaced',
    names: {
      kind: 'IPAddressPool',
      plural: 'ipaddresspools',
      singular: 'ipaddresspool',
      listKind: 'IPAddressPoolList',
    },
    versions: [
      {
        name: 'v1beta1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['addresses'],
                properties: {
                  addresses: { type: 'array', items: { type: 'string' } },
                  autoAssign: { type: 'boolean', default: true },
                },
              },
              status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            },
          },
        },
      },
    ],
  },
};

describe('test API server through @kubernetes/client-node', () => {
  let server: TestApiServer;
  let kc: KubeConfig;
  let core: CoreV1Api;

  before(async () => {
    server = await startApiServer();
    kc = server.kubeConfig();
    core = kc.makeApiClient(CoreV1Api);
  });

  after(async () => {
    await server.close();
    assert.deepEqual(server.internalErrors, [], 'no request hit an unexpected exception');
  });

  it('creates, reads, lists and updates, and answers 409 to a stale resourceVersion', async () => {
    const created = await core.createNamespacedService({
      namespace: 'default',
      body: service('crud'),
    });
    assert.ok(created.metadata?.uid, 'the server sets uid');
    assert.ok(created.metadata?.creationTimestamp instanceof Date);
    assert.match(created.metadata?.resourceVersion ?? '', /^\d+$/);
    assert.equal(created.spec?.type, 'LoadBalancer');
    assert.match(created.spec?.clusterIP ?? '', /^10\.96\./, 'a cluster IP is allocated');
    assert.equal(created.spec?.ports?.[0]?.protocol, 'TCP', 'defaults apply');
    assert.ok(created.spec?.ports?.[0]?.nodePort, 'LoadBalancer services get node ports');

    const read = await core.readNamespacedService({ name: 'crud', namespace: 'default' });
    assert.equal(read.metadata?.resourceVersion, created.metadata?.resourceVersion);

    const list = await core.listNamespacedService({ namespace: 'default' });
    assert.ok(list.items.some((s) => s.metadata?.name === 'crud'));
    assert.ok(Number(list.metadata?.resourceVersion) >= Number(created.metadata?.resourceVersion));

    read.metadata!.labels = { updated: 'yes' };
    const updated = await core.replaceNamespacedService({
      name: 'crud',
      namespace: 'default',
      body: read,
    });
    assert.equal(updated.metadata?.labels?.updated, 'yes');
    assert.ok(Number(updated.metadata?.resourceVersion) > Number(read.metadata?.resourceVersion));

    // `read` still carries the old resourceVersion: the write must conflict.
    read.metadata!.labels = { updated: 'twice' };
    const stale = await apiFailure(
      core.replaceNamespacedService({ name: 'crud', namespace: 'default', body: read }),
    );
    assert.equal(stale.code, 409);
    assert.equal(stale.status.kind, 'Status');
    assert.equal(stale.status.reason, 'Conflict');
    assert.match(String(stale.status.message), /the object has been modified/);

    const duplicate = await apiFailure(
      core.createNamespacedService({ namespace: 'default', body: service('crud') }),
    );
    assert.equal(duplicate.code, 409);
    assert.equal(duplicate.status.reason, 'AlreadyExists');

    const missing = await apiFailure(
      core.readNamespacedService({ name: 'nope', namespace: 'default' }),
    );
    assert.equal(missing.code, 404);
    assert.equal(missing.status.reason, 'NotFound');
    assert.equal(missing.status.message, 'services "nope" not found');

    const noNamespace = await apiFailure(
      core.createNamespacedService({ namespace: 'absent', body: service('x') }),
    );
    assert.equal(noNamespace.code, 404);
    assert.equal(noNamespace.status.message, 'namespaces "absent" not found');

    const generated = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { generateName: 'cfg-' }, data: { a: 'b' } },
    });
    assert.match(generated.metadata?.name ?? '', /^cfg-[a-z0-9]{5}$/);

    const deleted = await core.deleteNamespacedService({ name: 'crud', namespace: 'default' });
    assert.equal(deleted.metadata?.name, 'crud');
    assert.equal(server.store.get('v1', 'Service', 'crud', 'default'), undefined);
  });

  it('isolates the status subresource from the main resource', async () => {
    await core.createNamespacedService({ namespace: 'default', body: service('isolated') });
    const withStatus = await core.readNamespacedService({ name: 'isolated', namespace: 'default' });
    withStatus.status = { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } };
    withStatus.spec!.selector = { app: 'changed' };
    const afterStatus = await core.replaceNamespacedServiceStatus({
      name: 'isolated',
      namespace: 'default',
      body: withStatus,
    });
    assert.equal(afterStatus.status?.loadBalancer?.ingress?.[0]?.ip, '192.0.2.10');
    assert.deepEqual(
      afterStatus.spec?.selector,
      { app: 'isolated' },
      'a status write leaves spec alone',
    );

    afterStatus.status = { loadBalancer: {} };
    afterStatus.spec.selector = { app: 'new' };
    const afterMain = await core.replaceNamespacedService({
      name: 'isolated',
      namespace: 'default',
      body: afterStatus,
    });
    assert.deepEqual(afterMain.spec?.selector, { app: 'new' });
    assert.equal(
      afterMain.status?.loadBalancer?.ingress?.[0]?.ip,
      '192.0.2.10',
      'a main write leaves status alone',
    );
  });

  it('patches a Service status the way patchNamespacedServiceStatus sends it', async () => {
    await core.createNamespacedService({ namespace: 'default', body: service('patched') });
    const before = await core.readNamespacedService({ name: 'patched', namespace: 'default' });

    // Merge patch: the Content-Type set through the client's middleware options.
    const merged = await core.patchNamespacedServiceStatus(
      {
        name: 'patched',
        namespace: 'default',
        body: { status: { loadBalancer: { ingress: [{ ip: '192.0.2.20', ipMode: 'VIP' }] } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.deepEqual(plain(merged.status?.loadBalancer?.ingress), [
      { ip: '192.0.2.20', ipMode: 'VIP' },
    ]);
    assert.deepEqual(plain(merged.spec), plain(before.spec), 'spec untouched');

    // The client's default patch Content-Type is JSON patch.
    const jsonPatched = await core.patchNamespacedServiceStatus({
      name: 'patched',
      namespace: 'default',
      body: [{ op: 'replace', path: '/status/loadBalancer/ingress/0/ip', value: '192.0.2.21' }],
    });
    assert.equal(jsonPatched.status?.loadBalancer?.ingress?.[0]?.ip, '192.0.2.21');

    // A status patch that tries to change spec changes only status (null removes, as RFC 7386 says).
    const sneaky = await core.patchNamespacedServiceStatus(
      {
        name: 'patched',
        namespace: 'default',
        body: { spec: { selector: { app: 'evil' } }, status: { loadBalancer: { ingress: null } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.deepEqual(sneaky.spec?.selector, { app: 'patched' });
    assert.deepEqual(plain(sneaky.status?.loadBalancer), {});

    // A merge patch carrying a stale resourceVersion is refused.
    const stale = await apiFailure(
      core.patchNamespacedServiceStatus(
        {
          name: 'patched',
          namespace: 'default',
          body: {
            metadata: { resourceVersion: before.metadata!.resourceVersion },
            status: { loadBalancer: {} },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    assert.equal(stale.code, 409);

    // Strategic merge patch of labels, as kubectl label sends it.
    const labelled = await core.patchNamespacedService(
      { name: 'patched', namespace: 'default', body: { metadata: { labels: { tier: 'edge' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    assert.equal(labelled.metadata?.labels?.tier, 'edge');
  });

  it('creates and renews Leases with optimistic concurrency', async () => {
    const coordination = kc.makeApiClient(CoordinationV1Api);
    const lease: V1Lease = {
      metadata: { name: 'ironlb-controller', namespace: 'kube-system' },
      spec: {
        holderIdentity: 'node-a',
        leaseDurationSeconds: 15,
        acquireTime: new Date(),
        renewTime: new Date(),
      },
    };
    const created = await coordination.createNamespacedLease({
      namespace: 'kube-system',
      body: lease,
    });
    assert.equal(created.spec?.holderIdentity, 'node-a');
    // MicroTime comes back as the server formats it: RFC 3339 with microseconds.
    assert.match(String(created.spec?.renewTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

    // Two candidates read the same version; the first write wins, the second gets 409.
    const seenByA = await coordination.readNamespacedLease({
      name: 'ironlb-controller',
      namespace: 'kube-system',
    });
    const seenByB = await coordination.readNamespacedLease({
      name: 'ironlb-controller',
      namespace: 'kube-system',
    });
    seenByA.spec!.renewTime = new Date();
    await coordination.replaceNamespacedLease({
      name: 'ironlb-controller',
      namespace: 'kube-system',
      body: seenByA,
    });
    seenByB.spec!.holderIdentity = 'node-b';
    const lost = await apiFailure(
      coordination.replaceNamespacedLease({
        name: 'ironlb-controller',
        namespace: 'kube-system',
        body: seenByB,
      }),
    );
    assert.equal(lost.code, 409);
    assert.equal(lost.status.reason, 'Conflict');
    assert.deepEqual(lost.status.details, {
      name: 'ironlb-controller',
      group: 'coordination.k8s.io',
      kind: 'leases',
    });
    const current = await coordination.readNamespacedLease({
      name: 'ironlb-controller',
      namespace: 'kube-system',
    });
    assert.equal(current.spec?.holderIdentity, 'node-a');

    const dup = await apiFailure(
      coordination.createNamespacedLease({ namespace: 'kube-system', body: lease }),
    );
    assert.equal(dup.code, 409);
    assert.equal(dup.status.reason, 'AlreadyExists');
  });

  it('serves a kind once its CRD is created, with CRUD and status through CustomObjectsApi', async () => {
    const custom = kc.makeApiClient(CustomObjectsApi);
    const group = {
      group: 'ironlb.dev',
      version: 'v1beta1',
      namespace: 'default',
      plural: 'ipaddresspools',
    };
    const before = await apiFailure(custom.listNamespacedCustomObject(group));
    assert.equal(before.code, 404, 'no CRD, no kind');

    const extensions = kc.makeApiClient(ApiextensionsV1Api);
    // As a user would: wire-format YAML (JSON is YAML) loaded into the client's model.
    const body = loadYaml<V1CustomResourceDefinition>(JSON.stringify(POOL_CRD));
    const crd = await extensions.createCustomResourceDefinition({ body });
    assert.ok(crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'));

    const pool = (await custom.createNamespacedCustomObject({
      ...group,
      body: {
        apiVersion: 'ironlb.dev/v1beta1',
        kind: 'IPAddressPool',
        metadata: { name: 'pool-a' },
        spec: { addresses: ['192.0.2.0/28'] },
      },
    })) as {
      metadata: { generation: number; resourceVersion: string };
      spec: { autoAssign: boolean };
    };
    assert.equal(pool.spec.autoAssign, true, 'schema defaults apply');
    assert.equal(pool.metadata.generation, 1);

    const invalid = await apiFailure(
      custom.createNamespacedCustomObject({
        ...group,
        body: {
          apiVersion: 'ironlb.dev/v1beta1',
          kind: 'IPAddressPool',
          metadata: { name: 'bad' },
          spec: {},
        },
      }),
    );
    assert.equal(invalid.code, 422);
    assert.equal(invalid.status.reason, 'Invalid');

    const patched = (await custom.patchNamespacedCustomObject(
      { ...group, name: 'pool-a', body: { spec: { autoAssign: false } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as { metadata: { generation: number }; spec: { autoAssign: boolean } };
    assert.equal(patched.spec.autoAssign, false);
    assert.equal(patched.metadata.generation, 2, 'a spec change bumps generation');

    const withStatus = (await custom.patchNamespacedCustomObjectStatus(
      { ...group, name: 'pool-a', body: { status: { assigned: 3 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as { metadata: { generation: number }; status: { assigned: number } };
    assert.equal(withStatus.status.assigned, 3);
    assert.equal(withStatus.metadata.generation, 2, 'a status change does not');

    const smp = await apiFailure(
      custom.patchNamespacedCustomObject(
        { ...group, name: 'pool-a', body: { spec: { autoAssign: true } } },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      ),
    );
    assert.equal(smp.code, 415, 'custom resources do not take strategic merge patches');

    const list = (await custom.listNamespacedCustomObject(group)) as {
      kind: string;
      items: { kind: string }[];
    };
    assert.equal(list.kind, 'IPAddressPoolList');
    assert.equal(list.items[0]?.kind, 'IPAddressPool');

    await custom.deleteNamespacedCustomObject({ ...group, name: 'pool-a' });
    assert.equal(server.store.list('ironlb.dev/v1beta1', 'IPAddressPool').length, 0);

    await extensions.deleteCustomResourceDefinition({ name: 'ipaddresspools.ironlb.dev' });
    assert.equal((await apiFailure(custom.listNamespacedCustomObject(group))).code, 404);
  });

  it('filters lists by label and field selectors and pages with limit/continue', async () => {
    await core.createNamespace({ body: { metadata: { name: 'selectors' } } });
    for (const [name, labels] of [
      ['sel-a', { app: 'web', tier: 'front' }],
      ['sel-b', { app: 'web', tier: 'back' }],
      ['sel-c', { app: 'db' }],
    ] as const) {
      await core.createNamespacedService({ namespace: 'selectors', body: service(name, labels) });
    }
    const names = async (labelSelector?: string, fieldSelector?: string): Promise<string[]> => {
      const list = await core.listNamespacedService({
        namespace: 'selectors',
        ...(labelSelector === undefined ? {} : { labelSelector }),
        ...(fieldSelector === undefined ? {} : { fieldSelector }),
      });
      return list.items.map((s) => s.metadata?.name ?? '');
    };
    assert.deepEqual(await names('app=web'), ['sel-a', 'sel-b']);
    assert.deepEqual(await names('app==web,tier!=front'), ['sel-b']);
    assert.deepEqual(await names('tier in (front,back)'), ['sel-a', 'sel-b']);
    assert.deepEqual(await names('app notin (web)'), ['sel-c']);
    assert.deepEqual(await names('!tier'), ['sel-c']);
    assert.deepEqual(await names('tier'), ['sel-a', 'sel-b']);
    assert.deepEqual(await names(undefined, 'metadata.name=sel-c'), ['sel-c']);
    assert.deepEqual(await names(undefined, 'metadata.name!=sel-c'), ['sel-a', 'sel-b']);

    const bad = await apiFailure(
      core.listNamespacedService({ namespace: 'selectors', labelSelector: 'app in web' }),
    );
    assert.equal(bad.code, 400);
    const badField = await apiFailure(
      core.listNamespacedService({ namespace: 'selectors', fieldSelector: 'spec.bogus=1' }),
    );
    assert.equal(badField.code, 400);

    const first = await core.listNamespacedService({ namespace: 'selectors', limit: 2 });
    assert.deepEqual(
      first.items.map((s) => s.metadata?.name),
      ['sel-a', 'sel-b'],
    );
    assert.equal(first.metadata?.remainingItemCount, 1);
    const second = await core.listNamespacedService({
      namespace: 'selectors',
      limit: 2,
      _continue: first.metadata._continue!,
    });
    assert.deepEqual(
      second.items.map((s) => s.metadata?.name),
      ['sel-c'],
    );
    assert.equal(second.metadata?._continue, undefined);

    // Deleting the namespace takes its objects along.
    await core.deleteNamespace({ name: 'selectors' });
    assert.equal(server.store.list('v1', 'Service', 'selectors').length, 0);
  });

  it('watches from a resourceVersion and receives the later events only', async () => {
    const start = await core.listNamespacedConfigMap({ namespace: 'default' });
    const fromVersion = start.metadata!.resourceVersion!;
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'watched', labels: { w: '1' } }, data: { v: '1' } },
    });
    await core.patchNamespacedConfigMap(
      { name: 'watched', namespace: 'default', body: { data: { v: '2' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'unlabelled' } },
    });

    const events: string[] = [];
    let ended = false;
    const controller = await new Watch(kc).watch(
      '/api/v1/namespaces/default/configmaps',
      { resourceVersion: fromVersion, labelSelector: 'w=1', allowWatchBookmarks: true },
      (type, obj: { metadata?: { name?: string } }) =>
        events.push(`${type} ${obj.metadata?.name ?? ''}`),
      () => {
        ended = true;
      },
    );
    await waitFor('replayed events', () => events.length >= 2);
    await core.deleteNamespacedConfigMap({ name: 'watched', namespace: 'default' });
    await waitFor('the delete', () => events.length >= 3);
    assert.deepEqual(events, ['ADDED watched', 'MODIFIED watched', 'DELETED watched']);
    controller.abort();
    await waitFor('the watch to end', () => ended);
    await waitFor('the server to notice', () => server.activeWatches === 0);
  });

  it('ends a watch after timeoutSeconds and sends bookmarks when allowed', async () => {
    const bookmarked = await startApiServer({ bookmarkIntervalMs: 20 });
    try {
      const types: string[] = [];
      let ended = false;
      await new Watch(bookmarked.kubeConfig()).watch(
        '/api/v1/namespaces/default/configmaps',
        { allowWatchBookmarks: true, timeoutSeconds: 1 },
        (type) => types.push(type),
        () => {
          ended = true;
        },
      );
      await waitFor('a bookmark', () => types.includes('BOOKMARK'));
      await waitFor('the server-side timeout', () => ended);
    } finally {
      await bookmarked.close();
    }
  });

  it('answers a watch from a too old resourceVersion with an ERROR event carrying 410', async () => {
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'compacted' } },
    });
    server.faults.compact();
    const events: { type: string; object: { code?: number; reason?: string } }[] = [];
    let ended = false;
    await new Watch(kc).watch(
      '/api/v1/namespaces/default/configmaps',
      { resourceVersion: list.metadata!.resourceVersion! },
      (type, object: { code?: number; reason?: string }) => events.push({ type, object }),
      () => {
        ended = true;
      },
    );
    await waitFor('the stream to end', () => ended);
    assert.equal(events.length, 1);
    assert.equal(events[0]?.type, 'ERROR');
    assert.equal(events[0]?.object.code, 410);
    assert.equal(events[0]?.object.reason, 'Expired');
  });

  describe('informers (makeInformer)', () => {
    const servicesPath = '/api/v1/namespaces/informed/services';
    const listServices = (): Promise<{
      items: V1Service[];
      metadata?: { resourceVersion?: string };
    }> => core.listNamespacedService({ namespace: 'informed' });
    const listRequests = (): number =>
      server.requests.filter((r) => r.verb === 'list' && r.url.startsWith(servicesPath)).length;
    const cachedNames = (informer: { list(ns?: string): readonly V1Service[] }): string[] =>
      informer
        .list('informed')
        .map((s) => s.metadata?.name ?? '')
        .sort();

    before(async () => {
      await core.createNamespace({ body: { metadata: { name: 'informed' } } });
    });

    it('reconnects after its watch is dropped and converges', async () => {
      const informer = makeInformer(kc, servicesPath, listServices);
      const errors: unknown[] = [];
      informer.on('error', (err) => errors.push(err));
      await informer.start();
      try {
        await core.createNamespacedService({ namespace: 'informed', body: service('drop-a') });
        await waitFor('drop-a cached', () => cachedNames(informer).includes('drop-a'));
        await waitFor('the watch to be open', () => server.activeWatches > 0);

        const dropped = server.faults.dropWatches();
        assert.ok(dropped >= 1);
        await core.createNamespacedService({ namespace: 'informed', body: service('drop-b') });
        await core.deleteNamespacedService({ name: 'drop-a', namespace: 'informed' });
        await waitFor('the informer to converge', () => cachedNames(informer).join() === 'drop-b');
        assert.deepEqual(errors, []);
      } finally {
        await informer.stop();
      }
      await core.deleteCollectionNamespacedService({ namespace: 'informed' });
    });

    it('relists when its watch gets 410 Gone', async () => {
      const informer = makeInformer(kc, servicesPath, listServices);
      const deleted: string[] = [];
      informer.on('delete', (obj) => deleted.push(obj.metadata?.name ?? ''));
      await core.createNamespacedService({ namespace: 'informed', body: service('gone-a') });
      await informer.start();
      try {
        await waitFor('gone-a cached', () => cachedNames(informer).includes('gone-a'));
        await waitFor('the watch to be open', () => server.activeWatches > 0);
        const listsBefore = listRequests();

        // While the informer reconnects, its resourceVersion falls out of the
        // history: the reconnect is held back, changes happen, history compacts.
        server.faults.addLatency({ verb: 'watch', resource: 'services', milliseconds: 150 });
        server.faults.dropWatches();
        server.store.put({
          apiVersion: 'v1',
          kind: 'Service',
          ...service('gone-b'),
          metadata: { name: 'gone-b', namespace: 'informed' },
        });
        assert.ok(server.store.delete('v1', 'Service', 'gone-a', 'informed'));
        server.faults.compact();

        await waitFor(
          'the informer to relist and converge',
          () => cachedNames(informer).join() === 'gone-b',
        );
        assert.ok(listRequests() > listsBefore, 'the informer listed again');
        assert.ok(
          server.requests.some((r) => r.verb === 'watch' && r.status === 200),
          'the 410 arrives inside a 200 watch stream',
        );
        assert.deepEqual(deleted, ['gone-a'], 'the relist reported the object deleted meanwhile');
      } finally {
        server.faults.clear();
        await informer.stop();
      }
    });

    it('relists when the server forces the next watch to 410', async () => {
      const informer = makeInformer(kc, servicesPath, listServices);
      await informer.start();
      try {
        await waitFor('the initial list', () => cachedNames(informer).includes('gone-b'));
        await waitFor('the watch to be open', () => server.activeWatches > 0);
        const listsBefore = listRequests();
        server.faults.expireWatches(1);
        server.faults.dropWatches();
        await waitFor('a relist', () => listRequests() > listsBefore);
        assert.equal(server.faults.pendingFailures, 0, 'the forced 410 was used');
      } finally {
        await informer.stop();
      }
    });

    it('relists when a watch request is answered with HTTP 410', async () => {
      const informer = makeInformer(kc, servicesPath, listServices);
      const errors: unknown[] = [];
      informer.on('error', (err) => errors.push(err));
      await informer.start();
      try {
        await waitFor('the watch to be open', () => server.activeWatches > 0);
        const listsBefore = listRequests();
        server.faults.failRequests({ code: 410, verb: 'watch', resource: 'services' });
        server.faults.dropWatches();
        await waitFor('a relist', () => listRequests() > listsBefore);
        assert.ok(server.requests.some((r) => r.verb === 'watch' && r.status === 410));
        assert.deepEqual(errors, [], 'a 410 is not an error for the informer');
      } finally {
        await informer.stop();
      }
    });

    it('surfaces injected 500s on the list as errors', async () => {
      const informer = makeInformer(kc, servicesPath, listServices);
      const errors: unknown[] = [];
      informer.on('error', (err) => errors.push(err));
      server.faults.failRequests({
        code: 500,
        verb: 'list',
        resource: 'services',
        namespace: 'informed',
      });
      await informer.start();
      try {
        await waitFor('the list error', () => errors.length > 0);
        assert.ok(errors[0] instanceof ApiException);
        assert.equal((errors[0] as ApiException<unknown>).code, 500);
        // The application restarts the informer; the fault was a one-off.
        await informer.start();
        await waitFor('the recovered informer', () => cachedNames(informer).includes('gone-b'));
      } finally {
        await informer.stop();
      }
    });
  });

  it('injects error responses for the next N matching requests', async () => {
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'faulty' } },
    });
    server.faults.failRequests({
      code: 503,
      count: 2,
      verb: 'get',
      resource: 'configmaps',
      retryAfterSeconds: 1,
    });
    for (let i = 0; i < 2; i++) {
      const failure = await apiFailure(
        core.readNamespacedConfigMap({ name: 'faulty', namespace: 'default' }),
      );
      assert.equal(failure.code, 503);
      assert.equal(failure.status.reason, 'ServiceUnavailable');
      assert.deepEqual(failure.status.details, { retryAfterSeconds: 1 });
    }
    const failed = server.requests.filter((r) => r.verb === 'get' && r.status === 503);
    assert.equal(failed.length, 2, 'the request log records injected failures with their verb');
    // Other verbs and resources were never affected, and the third get succeeds.
    await core.listNamespacedConfigMap({ namespace: 'default' });
    const ok = await core.readNamespacedConfigMap({ name: 'faulty', namespace: 'default' });
    assert.equal(ok.metadata?.name, 'faulty');

    server.faults.failRequests({ code: 429, resource: 'leases.coordination.k8s.io' });
    const coordination = kc.makeApiClient(CoordinationV1Api);
    const throttled = await apiFailure(
      coordination.listNamespacedLease({ namespace: 'kube-system' }),
    );
    assert.equal(throttled.code, 429);
    assert.equal(throttled.status.reason, 'TooManyRequests');
    assert.equal(server.faults.pendingFailures, 0);
  });
});
