import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { CoreV1Api, type KubernetesObject } from '@kubernetes/client-node';
import { memoryLogger } from '../daemon/test-logger.ts';
import { startApiServer, type TestApiServer } from '../../test/support/api-server/index.ts';
import { serviceManifest, waitFor, nameOf } from '../../test/support/controller-fixtures.ts';
import { identityOnly } from './object-trim.ts';
import { ResourceWatch, objectKey, type WatchEventType } from './resource-watch.ts';

describe('ResourceWatch against the test API server', () => {
  let server: TestApiServer;
  let core: CoreV1Api;
  let watch: ResourceWatch<KubernetesObject> | undefined;
  let events: Array<{ type: WatchEventType; key: string; version: string | undefined }>;
  let apiErrors: string[];

  before(async () => {
    server = await startApiServer();
    core = server.kubeConfig().makeApiClient(CoreV1Api);
  });
  after(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.faults.clear();
    events = [];
    apiErrors = [];
    for (const service of server.store.list('v1', 'Service')) {
      server.store.delete('v1', 'Service', nameOf(service), 'default');
    }
  });
  afterEach(async () => {
    await watch?.stop();
    watch = undefined;
  });

  function startWatch(): ResourceWatch<KubernetesObject> {
    watch = new ResourceWatch<KubernetesObject>({
      kubeConfig: server.kubeConfig(),
      path: '/api/v1/namespaces/default/services',
      resource: 'services',
      apiVersion: 'v1',
      kind: 'Service',
      list: () => core.listNamespacedService({ namespace: 'default' }),
      logger: memoryLogger().logger,
      onChange: (type, object) =>
        events.push({
          type,
          key: objectKey(object.metadata?.namespace, object.metadata?.name ?? ''),
          version: object.metadata?.resourceVersion,
        }),
      onApiError: (resource) => apiErrors.push(resource),
      minBackoffMs: 10,
      maxBackoffMs: 50,
    });
    return watch;
  }

  const lists = (): number =>
    server.requests.filter((r) => r.verb === 'list' && r.url.includes('/services')).length;

  it('lists, reports every object, and follows changes', async () => {
    server.store.put(serviceManifest('a'));
    server.store.put(serviceManifest('b'));
    const w = startWatch();
    assert.equal(w.synced, false);
    await w.start();
    assert.equal(w.synced, true);
    assert.deepEqual(
      w
        .list()
        .map((o) => o.metadata?.name)
        .sort(),
      ['a', 'b'],
    );
    // List items come without apiVersion/kind and with Date fields: normalised to plain JSON.
    const a = w.get('a', 'default')!;
    assert.equal(a.apiVersion, 'v1');
    assert.equal(a.kind, 'Service');
    assert.equal(typeof a.metadata?.creationTimestamp, 'string');

    await core.createNamespacedService({
      namespace: 'default',
      body: serviceManifest('c'),
    });
    await core.patchNamespacedService({
      name: 'a',
      namespace: 'default',
      body: [{ op: 'add', path: '/metadata/labels', value: { x: 'y' } }],
    });
    await core.deleteNamespacedService({ name: 'b', namespace: 'default' });
    await waitFor('three changes', () => events.length >= 5);
    assert.deepEqual(
      events.map((e) => `${e.type} ${e.key}`),
      ['add default/a', 'add default/b', 'add default/c', 'update default/a', 'delete default/b'],
    );
    assert.equal(w.get('a', 'default')?.metadata?.labels?.x, 'y');
    assert.equal(w.get('b', 'default'), undefined);
    assert.equal(w.size, 2);
  });

  it('caches what `keep` returns and never managedFields; onChange sees the whole object', async () => {
    const base = serviceManifest('trimmed') as KubernetesObject;
    const managed = {
      ...base,
      metadata: {
        ...base.metadata,
        managedFields: [{ manager: 'kubectl', operation: 'Apply', fieldsV1: { 'f:spec': {} } }],
      },
    };
    server.store.put(managed);
    const seen: KubernetesObject[] = [];
    watch = new ResourceWatch<KubernetesObject>({
      kubeConfig: server.kubeConfig(),
      path: '/api/v1/namespaces/default/services',
      apiVersion: 'v1',
      kind: 'Service',
      list: () => core.listNamespacedService({ namespace: 'default' }),
      logger: memoryLogger().logger,
      onChange: (_type, object) => seen.push(object),
      keep: identityOnly,
    });
    await watch.start();
    // Through the watch, too.
    server.store.put({ ...managed, metadata: { ...managed.metadata, name: 'watched' } });
    await waitFor('the watched Service', () => watch?.get('watched', 'default') !== undefined);
    for (const name of ['trimmed', 'watched']) {
      const cached = watch.get(name, 'default') as KubernetesObject & { spec?: unknown };
      assert.equal(cached.spec, undefined, `${name}: the cache keeps what keep() returned`);
      assert.equal(cached.metadata?.name, name);
      assert.ok(cached.metadata?.resourceVersion);
      const full = seen.find((o) => o.metadata?.name === name) as KubernetesObject & {
        spec?: unknown;
      };
      assert.ok(full.spec !== undefined, `${name}: onChange saw the spec`);
      assert.equal(full.metadata?.managedFields, undefined, `${name}: managedFields dropped`);
    }
  });

  it('resumes a dropped watch from its resourceVersion without listing again', async () => {
    const w = startWatch();
    await w.start();
    const listsBefore = lists();
    await waitFor('the watch is open', () => server.activeWatches > 0);
    assert.ok(server.faults.dropWatches() >= 1);
    server.store.put(serviceManifest('after-drop'));
    await waitFor(
      'the change made while reconnecting',
      () => w.get('after-drop', 'default') !== undefined,
    );
    assert.equal(lists(), listsBefore, 'no relist after a clean end of the watch');
    const watchRequests = server.requests.filter((r) => r.verb === 'watch');
    assert.ok(watchRequests.length >= 2);
    assert.match(watchRequests.at(-1)!.url, /resourceVersion=[1-9]/);
  });

  it('relists on 410 Gone and reports what vanished meanwhile as deleted', async () => {
    server.store.put(serviceManifest('keep'));
    server.store.put(serviceManifest('vanish'));
    const w = startWatch();
    await w.start();
    await waitFor('the watch is open', () => server.activeWatches > 0);
    const listsBefore = lists();
    // Keep the watch away while the object goes and history is compacted.
    server.faults.failRequests({ verb: 'watch', resource: 'services', code: 503, count: 3 });
    server.faults.dropWatches({ abrupt: true });
    server.store.delete('v1', 'Service', 'vanish', 'default');
    server.store.put(serviceManifest('new'));
    server.faults.compact();
    await waitFor(
      'the relist',
      () => w.get('vanish', 'default') === undefined && w.get('new', 'default') !== undefined,
    );
    assert.ok(lists() > listsBefore, 'listed again');
    assert.ok(events.some((e) => e.type === 'delete' && e.key === 'default/vanish'));
    assert.ok(events.some((e) => e.type === 'add' && e.key === 'default/new'));
    assert.ok(apiErrors.length >= 1, 'the dropped connection and the 503s are counted');
  });

  it('relists when the watch answers with an ERROR 410 event', async () => {
    const w = startWatch();
    await w.start();
    await waitFor('the watch is open', () => server.activeWatches > 0);
    const listsBefore = lists();
    server.faults.expireWatches(1);
    server.faults.dropWatches();
    server.store.put(serviceManifest('seen-after-expiry'));
    await waitFor('the object', () => w.get('seen-after-expiry', 'default') !== undefined);
    await waitFor('a relist', () => lists() > listsBefore);
  });

  it('keeps retrying a failing list with backoff until it succeeds', async () => {
    server.store.put(serviceManifest('eventually'));
    server.faults.failRequests({ verb: 'list', resource: 'services', code: 500, count: 3 });
    const w = startWatch();
    await w.start();
    assert.equal(w.synced, true);
    assert.ok(w.get('eventually', 'default'));
    assert.deepEqual(apiErrors, ['services', 'services', 'services']);
  });

  it('restarts after a watch request fails with 500', async () => {
    const w = startWatch();
    server.faults.failRequests({ verb: 'watch', resource: 'services', code: 500, count: 2 });
    await w.start();
    server.store.put(serviceManifest('after-500'));
    await waitFor('the object', () => w.get('after-500', 'default') !== undefined);
    assert.equal(apiErrors.length, 2);
  });

  it('resync() lists afresh and resolves once the cache reflects it', async () => {
    const w = startWatch();
    await w.start();
    const listsBefore = lists();
    server.store.put(serviceManifest('fresh'));
    await w.resync();
    assert.equal(lists(), listsBefore + 1);
    assert.ok(w.get('fresh', 'default'));
  });

  it('stop() closes the watch and resolves a pending start', async () => {
    server.faults.failRequests({ verb: 'list', resource: 'services', code: 500, count: Infinity });
    const w = startWatch();
    const controller = new AbortController();
    const started = w.start(controller.signal);
    await waitFor('a failed list', () => apiErrors.length >= 1);
    controller.abort();
    await started;
    assert.equal(w.synced, false);
    await assert.rejects(w.resync(), /stopped/);
    server.faults.clear();
    await waitFor('no open watches', () => server.activeWatches === 0);
  });
});
