import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApiServer, type TestApiServer } from './index.ts';

/**
 * REST details of the test API server at the HTTP level, where the clients
 * would hide them: discovery documents, write rules (resourceVersion,
 * status, finalizers, no-op writes), watch semantics, representations and
 * error answers.
 */

interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

interface WatchEvent {
  readonly type: string;
  readonly object: unknown;
}

/** The value at a dotted path in parsed JSON (`metadata.uid`, `rows.0.cells`). */
function at(value: unknown, path: string): unknown {
  let current = value;
  for (const step of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

function list(value: unknown): unknown[] {
  assert.ok(Array.isArray(value), `expected an array, got ${JSON.stringify(value)}`);
  return value as unknown[];
}

function text(value: unknown): string {
  assert.equal(typeof value, 'string', `expected a string, got ${JSON.stringify(value)}`);
  return value as string;
}

const JSON_TYPE = 'application/json';
const MERGE = 'application/merge-patch+json';

function cm(
  name: string,
  labels: Record<string, string> = {},
  data: Record<string, string> = {},
): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data };
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('test API server protocol', () => {
  let server: TestApiServer;

  const call = async (
    method: string,
    path: string,
    options: { body?: unknown; contentType?: string; accept?: string } = {},
  ): Promise<Reply> => {
    const headers: Record<string, string> = { accept: options.accept ?? JSON_TYPE };
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] = options.contentType ?? JSON_TYPE;
    }
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const raw = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: raw === '' ? {} : (JSON.parse(raw) as unknown),
    };
  };

  /** Opens a watch and collects its events until `stop()`. */
  const watch = async (
    path: string,
    base = server.url,
  ): Promise<{ events: WatchEvent[]; ended: () => boolean; stop: () => void }> => {
    const controller = new AbortController();
    const response = await fetch(`${base}${path}`, { signal: controller.signal });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), JSON_TYPE);
    const events: WatchEvent[] = [];
    let done = false;
    void (async () => {
      const decoder = new TextDecoder();
      let buffered = '';
      try {
        for await (const chunk of response.body!) {
          buffered += decoder.decode(chunk as Uint8Array, { stream: true });
          let newline: number;
          while ((newline = buffered.indexOf('\n')) >= 0) {
            events.push(JSON.parse(buffered.slice(0, newline)) as WatchEvent);
            buffered = buffered.slice(newline + 1);
          }
        }
      } catch {
        // aborted
      }
      done = true;
    })();
    return { events, ended: () => done, stop: () => controller.abort() };
  };

  before(async () => {
    server = await startApiServer();
  });

  after(async () => {
    await server.close();
    assert.deepEqual(server.internalErrors, []);
  });

  describe('discovery', () => {
    it('serves /version, /api and /api/v1 with verbs, short names and subresources', async () => {
      const version = await call('GET', '/version');
      assert.equal(at(version.body, 'major'), '1');
      assert.equal(at(version.body, 'minor'), '32');
      assert.deepEqual(at((await call('GET', '/api')).body, 'versions'), ['v1']);
      const core = await call('GET', '/api/v1');
      assert.equal(at(core.body, 'kind'), 'APIResourceList');
      assert.equal(at(core.body, 'groupVersion'), 'v1');
      const services = list(at(core.body, 'resources')).find(
        (r) => text(at(r, 'name')) === 'services',
      )!;
      assert.deepEqual(at(services, 'shortNames'), ['svc']);
      assert.equal(at(services, 'namespaced'), true);
      assert.equal(at(services, 'kind'), 'Service');
      assert.ok(list(at(services, 'verbs')).includes('watch'));
      const status = list(at(core.body, 'resources')).find(
        (r) => text(at(r, 'name')) === 'services/status',
      )!;
      assert.deepEqual(at(status, 'verbs'), ['get', 'patch', 'update']);
      const nodes = list(at(core.body, 'resources')).find((r) => text(at(r, 'name')) === 'nodes')!;
      assert.equal(at(nodes, 'namespaced'), false);
    });

    it('lists groups, and a registered kind appears in them', async () => {
      const groups = list(at((await call('GET', '/apis')).body, 'groups')).map((g) =>
        text(at(g, 'name')),
      );
      for (const g of [
        'apiextensions.k8s.io',
        'coordination.k8s.io',
        'discovery.k8s.io',
        'events.k8s.io',
      ])
        assert.ok(groups.includes(g), g);
      assert.equal((await call('GET', '/apis/example.test/v1')).status, 404);

      server.registerKind({
        group: 'example.test',
        version: 'v1',
        kind: 'Widget',
        plural: 'widgets',
        shortNames: ['wd'],
        statusSubresource: true,
      });
      const group = (await call('GET', '/apis/example.test')).body;
      assert.deepEqual(at(group, 'preferredVersion'), {
        groupVersion: 'example.test/v1',
        version: 'v1',
      });
      const resources = list(
        at((await call('GET', '/apis/example.test/v1')).body, 'resources'),
      ).map((r) => text(at(r, 'name')));
      assert.deepEqual(resources, ['widgets', 'widgets/status']);
      const created = await call('POST', '/apis/example.test/v1/namespaces/default/widgets', {
        body: {
          apiVersion: 'example.test/v1',
          kind: 'Widget',
          metadata: { name: 'w' },
          spec: { any: 'thing' },
        },
      });
      assert.equal(created.status, 201);
      assert.deepEqual(at(created.body, 'spec'), { any: 'thing' });
    });

    it('serves OpenAPI v3 per group-version, declaring fieldValidation on PATCH', async () => {
      const root = (await call('GET', '/openapi/v3')).body;
      const entries = at(root, 'paths') as Record<string, unknown>;
      const url = text(at(entries['apis/coordination.k8s.io/v1'], 'serverRelativeURL'));
      assert.match(url, /^\/openapi\/v3\/apis\/coordination\.k8s\.io\/v1\?hash=[0-9A-F]+$/);
      const doc = (await call('GET', url)).body;
      const paths = at(doc, 'paths') as Record<string, unknown>;
      const patch = at(
        paths['/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}'],
        'patch',
      );
      assert.deepEqual(at(patch, 'x-kubernetes-group-version-kind'), {
        group: 'coordination.k8s.io',
        version: 'v1',
        kind: 'Lease',
      });
      assert.ok(
        list(at(patch, 'parameters')).some(
          (p) => at(p, 'name') === 'fieldValidation' && at(p, 'in') === 'query',
        ),
      );
      assert.equal((await call('GET', '/openapi/v2')).status, 404);
    });
  });

  describe('writes', () => {
    it('sets server metadata and refuses a resourceVersion on create', async () => {
      const created = await call('POST', '/api/v1/namespaces/default/configmaps', {
        body: cm('meta'),
      });
      assert.equal(created.status, 201);
      assert.match(text(at(created.body, 'metadata.uid')), /^[0-9a-f-]{36}$/);
      assert.match(
        text(at(created.body, 'metadata.creationTimestamp')),
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
      );
      assert.equal(
        at(created.body, 'metadata.generation'),
        undefined,
        'ConfigMaps do not track generation',
      );
      const withVersion = await call('POST', '/api/v1/namespaces/default/configmaps', {
        body: { ...cm('rv'), metadata: { name: 'rv', resourceVersion: '5' } },
      });
      assert.equal(withVersion.status, 400);
      const badName = await call('POST', '/api/v1/namespaces/default/configmaps', {
        body: cm('Bad_Name'),
      });
      assert.equal(badName.status, 422);
      assert.equal(at(badName.body, 'reason'), 'Invalid');
      assert.equal(at(badName.body, 'details.causes.0.field'), 'metadata.name');
      const noName = await call('POST', '/api/v1/namespaces/default/configmaps', {
        body: { data: {} },
      });
      assert.equal(noName.status, 422);
      const mismatch = await call('POST', '/api/v1/namespaces/default/configmaps', {
        body: { ...cm('ns'), metadata: { name: 'ns', namespace: 'kube-system' } },
      });
      assert.equal(mismatch.status, 400);
    });

    it('updates unconditionally without resourceVersion, except custom resources', async () => {
      const put = await call('PUT', '/api/v1/namespaces/default/configmaps/meta', {
        body: cm('meta', {}, { a: 'b' }),
      });
      assert.equal(put.status, 200);
      assert.deepEqual(at(put.body, 'data'), { a: 'b' });

      await call('POST', '/apis/example.test/v1/namespaces/default/widgets', {
        body: {
          apiVersion: 'example.test/v1',
          kind: 'Widget',
          metadata: { name: 'unconditional' },
        },
      });
      const cr = await call(
        'PUT',
        '/apis/example.test/v1/namespaces/default/widgets/unconditional',
        {
          body: {
            apiVersion: 'example.test/v1',
            kind: 'Widget',
            metadata: { name: 'unconditional' },
            spec: { x: 1 },
          },
        },
      );
      assert.equal(cr.status, 422);
      assert.match(
        text(at(cr.body, 'message')),
        /metadata.resourceVersion: Invalid value: 0x0: must be specified for an update/,
      );
    });

    it('creates on PUT for kinds that allow it (Services, Leases), not for others', async () => {
      const lease = await call(
        'PUT',
        '/apis/coordination.k8s.io/v1/namespaces/default/leases/by-put',
        {
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name: 'by-put' },
            spec: { holderIdentity: 'x' },
          },
        },
      );
      assert.equal(lease.status, 201);
      const configMap = await call('PUT', '/api/v1/namespaces/default/configmaps/by-put', {
        body: cm('by-put'),
      });
      assert.equal(configMap.status, 404);
    });

    it('keeps the resourceVersion and emits nothing for a write that changes nothing', async () => {
      const before = server.store.revision;
      const current = (await call('GET', '/api/v1/namespaces/default/configmaps/meta')).body;
      const put = await call('PUT', '/api/v1/namespaces/default/configmaps/meta', {
        body: current,
      });
      assert.equal(
        at(put.body, 'metadata.resourceVersion'),
        at(current, 'metadata.resourceVersion'),
      );
      const patch = await call('PATCH', '/api/v1/namespaces/default/configmaps/meta', {
        body: { data: { a: 'b' } },
        contentType: MERGE,
      });
      assert.equal(
        at(patch.body, 'metadata.resourceVersion'),
        at(current, 'metadata.resourceVersion'),
      );
      assert.equal(server.store.revision, before);
    });

    it('does not persist dry runs', async () => {
      const dry = await call('POST', '/api/v1/namespaces/default/configmaps?dryRun=All', {
        body: cm('dry'),
      });
      assert.equal(dry.status, 201);
      assert.equal(server.store.get('v1', 'ConfigMap', 'dry', 'default'), undefined);
      const dryDelete = await call(
        'DELETE',
        '/api/v1/namespaces/default/configmaps/meta?dryRun=All',
      );
      assert.equal(dryDelete.status, 200);
      assert.ok(server.store.get('v1', 'ConfigMap', 'meta', 'default') !== undefined);
    });

    it('holds objects with finalizers until the last finalizer goes', async () => {
      await call('POST', '/api/v1/namespaces/default/configmaps', {
        body: { ...cm('final'), metadata: { name: 'final', finalizers: ['ironlb.dev/cleanup'] } },
      });
      const deleting = await call('DELETE', '/api/v1/namespaces/default/configmaps/final');
      assert.equal(deleting.status, 200);
      assert.match(text(at(deleting.body, 'metadata.deletionTimestamp')), /Z$/);
      assert.ok(server.store.get('v1', 'ConfigMap', 'final', 'default') !== undefined);

      const more = await call('PATCH', '/api/v1/namespaces/default/configmaps/final', {
        body: { metadata: { finalizers: ['ironlb.dev/cleanup', 'other'] } },
        contentType: MERGE,
      });
      assert.equal(more.status, 422, 'no new finalizers while deleting');

      const released = await call('PATCH', '/api/v1/namespaces/default/configmaps/final', {
        body: { metadata: { finalizers: null } },
        contentType: MERGE,
      });
      assert.equal(released.status, 200);
      assert.equal(server.store.get('v1', 'ConfigMap', 'final', 'default'), undefined);
    });

    it('checks delete preconditions and answers with a Status for most kinds', async () => {
      await call('POST', '/api/v1/namespaces/default/configmaps', { body: cm('precond') });
      const wrongUid = await call('DELETE', '/api/v1/namespaces/default/configmaps/precond', {
        body: { preconditions: { uid: 'nope' } },
      });
      assert.equal(wrongUid.status, 409);
      assert.match(
        text(at(wrongUid.body, 'message')),
        /Precondition failed: UID in precondition: nope/,
      );
      const deleted = await call('DELETE', '/api/v1/namespaces/default/configmaps/precond', {
        body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' },
      });
      assert.equal(deleted.status, 200);
      assert.equal(at(deleted.body, 'kind'), 'Status');
      assert.equal(at(deleted.body, 'status'), 'Success');
      assert.deepEqual(Object.keys(at(deleted.body, 'details') as object).sort(), [
        'kind',
        'name',
        'uid',
      ]);
    });

    it('deletes collections by selector', async () => {
      for (const name of ['col-a', 'col-b', 'col-c']) {
        await call('POST', '/api/v1/namespaces/default/configmaps', {
          body: cm(name, { batch: name === 'col-c' ? 'keep' : 'drop' }),
        });
      }
      const reply = await call(
        'DELETE',
        '/api/v1/namespaces/default/configmaps?labelSelector=batch%3Ddrop',
      );
      assert.equal(reply.status, 200);
      assert.deepEqual(
        list(at(reply.body, 'items')).map((i) => text(at(i, 'metadata.name'))),
        ['col-a', 'col-b'],
      );
      assert.deepEqual(
        server.store
          .list('v1', 'ConfigMap', 'default')
          .filter((o) => String((o.metadata as { name: string }).name).startsWith('col-')).length,
        1,
      );
    });

    it('protects the built-in namespaces', async () => {
      const reply = await call('DELETE', '/api/v1/namespaces/default');
      assert.equal(reply.status, 403);
      assert.equal(at(reply.body, 'reason'), 'Forbidden');
    });

    it('writes MicroTime fields with six fractional digits', async () => {
      const event = await call('POST', '/apis/events.k8s.io/v1/namespaces/default/events', {
        body: {
          apiVersion: 'events.k8s.io/v1',
          kind: 'Event',
          metadata: { generateName: 'web.' },
          eventTime: '2024-05-01T10:00:00.123Z',
          reportingController: 'ironlb.dev/controller',
          reportingInstance: 'controller-0',
          action: 'Allocate',
          reason: 'IPAllocated',
          type: 'Normal',
          regarding: { kind: 'Service', namespace: 'default', name: 'web' },
          note: 'Assigned IP 192.0.2.1',
        },
      });
      assert.equal(event.status, 201);
      assert.equal(at(event.body, 'eventTime'), '2024-05-01T10:00:00.123000Z');
      const byReason = await call(
        'GET',
        '/apis/events.k8s.io/v1/namespaces/default/events?fieldSelector=reason%3DIPAllocated',
      );
      assert.equal(list(at(byReason.body, 'items')).length, 1);
    });

    it('turns Secret stringData into base64 data', async () => {
      const secret = await call('POST', '/api/v1/namespaces/default/secrets', {
        body: {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'bgp-password' },
          stringData: { password: 'hunter2' },
        },
      });
      assert.equal(at(secret.body, 'type'), 'Opaque');
      assert.deepEqual(at(secret.body, 'data'), {
        password: Buffer.from('hunter2').toString('base64'),
      });
      assert.equal(at(secret.body, 'stringData'), undefined);
    });

    it('approximates server-side apply: creates, then merges, and requires a field manager', async () => {
      const body = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'applied' },
        data: { a: '1' },
      };
      const path = '/api/v1/namespaces/default/configmaps/applied';
      assert.equal(
        (await call('PATCH', path, { body, contentType: 'application/apply-patch+yaml' })).status,
        400,
      );
      const created = await call('PATCH', `${path}?fieldManager=test`, {
        body,
        contentType: 'application/apply-patch+yaml',
      });
      assert.equal(created.status, 201);
      const merged = await call('PATCH', `${path}?fieldManager=test`, {
        body: { ...body, data: { b: '2' } },
        contentType: 'application/apply-patch+yaml',
      });
      assert.equal(merged.status, 200);
      assert.deepEqual(at(merged.body, 'data'), { a: '1', b: '2' });
    });

    it('answers unsupported requests with the real error codes', async () => {
      assert.equal(
        (await call('POST', '/api/v1/namespaces/default/configmaps/meta', { body: cm('meta') }))
          .status,
        405,
      );
      assert.equal((await call('GET', '/api/v1/namespaces/default/widgets')).status, 404);
      assert.equal((await call('GET', '/nonsense')).status, 404);
      assert.equal(
        (await call('GET', '/api/v1/namespaces/default/configmaps/meta/status')).status,
        404,
        'ConfigMaps have no status subresource',
      );
      assert.equal(
        (
          await call('GET', '/api/v1/namespaces/default/configmaps', {
            accept: 'application/vnd.kubernetes.protobuf',
          })
        ).status,
        406,
      );
      const yaml = await call('POST', '/api/v1/namespaces/default/configmaps', {
        body: 'kind: ConfigMap',
        contentType: 'application/yaml',
      });
      assert.equal(yaml.status, 415);
      const patchType = await call('PATCH', '/api/v1/namespaces/default/configmaps/meta', {
        body: {},
        contentType: 'text/plain',
      });
      assert.equal(patchType.status, 415);
      const broken = await call('POST', '/api/v1/namespaces/default/configmaps', {
        body: '{not json',
      });
      assert.equal(broken.status, 400);
    });
  });

  describe('reads', () => {
    it('answers kubectl with Tables and metadata-only clients with PartialObjectMetadata', async () => {
      const tableAccept =
        'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
      const table = await call('GET', '/api/v1/namespaces/default/configmaps', {
        accept: tableAccept,
      });
      assert.equal(at(table.body, 'kind'), 'Table');
      assert.deepEqual(
        list(at(table.body, 'columnDefinitions')).map((c) => text(at(c, 'name'))),
        ['Name', 'Data', 'Age'],
      );
      const row = list(at(table.body, 'rows')).find((r) => at(r, 'cells.0') === 'meta');
      assert.equal(at(row, 'cells.1'), 1);
      assert.equal(at(row, 'object.kind'), 'PartialObjectMetadata');
      const withObject = await call(
        'GET',
        '/api/v1/namespaces/default/configmaps/meta?includeObject=Object',
        { accept: tableAccept },
      );
      assert.equal(at(withObject.body, 'rows.0.object.kind'), 'ConfigMap');

      const metadata = await call('GET', '/api/v1/namespaces/default/configmaps', {
        accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io',
      });
      assert.equal(at(metadata.body, 'kind'), 'PartialObjectMetadataList');
      assert.ok(
        list(at(metadata.body, 'items')).every(
          (i) => at(i, 'data') === undefined && at(i, 'metadata') !== undefined,
        ),
      );
    });

    it('lists built-in items without apiVersion/kind, as the real server', async () => {
      const namespaced = await call('GET', '/api/v1/namespaces/default/configmaps');
      assert.equal(at(namespaced.body, 'kind'), 'ConfigMapList');
      assert.equal(at(namespaced.body, 'apiVersion'), 'v1');
      assert.equal(at(namespaced.body, 'items.0.kind'), undefined);
      const all = await call('GET', '/api/v1/configmaps');
      assert.ok(
        list(at(all.body, 'items')).length >= list(at(namespaced.body, 'items')).length,
        'a cluster-wide list covers every namespace',
      );
    });

    it('filters pods by spec.nodeName', async () => {
      for (const [name, node] of [
        ['pod-a', 'node-a'],
        ['pod-b', 'node-b'],
      ]) {
        const created = await call('POST', '/api/v1/namespaces/default/pods', {
          body: {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name },
            spec: { nodeName: node, containers: [{ name: 'c', image: 'x' }] },
          },
        });
        assert.equal(created.status, 201);
        assert.equal(at(created.body, 'status.phase'), 'Pending');
      }
      const onA = await call('GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-a');
      assert.deepEqual(
        list(at(onA.body, 'items')).map((p) => text(at(p, 'metadata.name'))),
        ['pod-a'],
      );
      const noContainers = await call('POST', '/api/v1/namespaces/default/pods', {
        body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'empty' }, spec: {} },
      });
      assert.equal(noContainers.status, 422);
    });
  });

  describe('watches', () => {
    it('starts with synthetic ADDED events without a resourceVersion, and follows objects in and out of a selector', async () => {
      await call('POST', '/api/v1/namespaces/default/configmaps', {
        body: cm('sel-1', { watched: 'yes' }),
      });
      const w = await watch(
        '/api/v1/namespaces/default/configmaps?watch=1&labelSelector=watched%3Dyes',
      );
      try {
        await waitFor('the initial event', () => w.events.length >= 1);
        await call('PATCH', '/api/v1/namespaces/default/configmaps/sel-1', {
          body: { metadata: { labels: { watched: 'no' } } },
          contentType: MERGE,
        });
        await call('PATCH', '/api/v1/namespaces/default/configmaps/sel-1', {
          body: { metadata: { labels: { watched: 'yes' } } },
          contentType: MERGE,
        });
        await call('PATCH', '/api/v1/namespaces/default/configmaps/sel-1', {
          body: { data: { x: 'y' } },
          contentType: MERGE,
        });
        await waitFor('four events', () => w.events.length >= 4);
        assert.deepEqual(
          w.events.map((e) => e.type),
          ['ADDED', 'DELETED', 'ADDED', 'MODIFIED'],
        );
        const versions = w.events.map((e) => Number(at(e.object, 'metadata.resourceVersion')));
        assert.deepEqual(
          [...versions].sort((a, b) => a - b),
          versions,
          'resourceVersions only grow',
        );
        assert.equal(
          at(w.events[1]?.object, 'metadata.labels.watched'),
          'yes',
          'a DELETED for leaving the selector carries the old state',
        );
      } finally {
        w.stop();
      }
    });

    it('supports the legacy /watch/ paths for a collection and a single object', async () => {
      const w = await watch('/api/v1/watch/namespaces/default/configmaps/sel-1');
      try {
        await waitFor('the initial event', () => w.events.length >= 1);
        await call('POST', '/api/v1/namespaces/default/configmaps', { body: cm('other-object') });
        await call('PATCH', '/api/v1/namespaces/default/configmaps/sel-1', {
          body: { data: { x: 'z' } },
          contentType: MERGE,
        });
        await waitFor('the modification', () => w.events.length >= 2);
        assert.deepEqual(
          w.events.map((e) => `${e.type} ${text(at(e.object, 'metadata.name'))}`),
          ['ADDED sel-1', 'MODIFIED sel-1'],
        );
      } finally {
        w.stop();
      }
    });

    it('marks the end of initial events with a bookmark when asked', async () => {
      const w = await watch(
        '/api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan',
      );
      try {
        await waitFor('the bookmark', () => w.events.some((e) => e.type === 'BOOKMARK'));
        const bookmark = w.events.find((e) => e.type === 'BOOKMARK')!;
        assert.deepEqual(at(bookmark.object, 'metadata.annotations'), {
          'k8s.io/initial-events-end': 'true',
        });
        assert.equal(at(bookmark.object, 'kind'), 'ConfigMap');
        assert.ok(w.events.slice(0, -1).every((e) => e.type === 'ADDED'));
      } finally {
        w.stop();
      }
    });

    it('answers 410 once the history window has moved past the resourceVersion', async () => {
      const small = await startApiServer({ historyLimit: 3 });
      try {
        const start = small.store.revision;
        for (let i = 0; i < 5; i++) small.store.put(cm(`h-${i}`));
        const response = await fetch(
          `${small.url}/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${start}`,
        );
        const lines = (await response.text()).trim().split('\n');
        assert.equal(response.status, 200);
        assert.equal(lines.length, 1);
        const event = JSON.parse(lines[0]!) as WatchEvent;
        assert.equal(event.type, 'ERROR');
        assert.equal(at(event.object, 'code'), 410);
        // Within the window the replay works.
        const recent = await watch(
          `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${small.store.revision - 2}`,
          small.url,
        );
        try {
          await waitFor('the replay', () => recent.events.length >= 2);
          assert.deepEqual(
            recent.events.map((e) => `${e.type} ${text(at(e.object, 'metadata.name'))}`),
            ['ADDED h-3', 'ADDED h-4'],
          );
        } finally {
          recent.stop();
        }
      } finally {
        await small.close();
      }
    });

    it('ends watches on a kind when its CRD is deleted, after DELETED events for its objects', async () => {
      const crd = {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'gadgets.example.test' },
        spec: {
          group: 'example.test',
          scope: 'Cluster',
          names: { kind: 'Gadget', plural: 'gadgets' },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              },
            },
          ],
        },
      };
      assert.equal(
        (
          await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
            body: crd,
          })
        ).status,
        201,
      );
      const created = await call('POST', '/apis/example.test/v1/gadgets', {
        body: {
          apiVersion: 'example.test/v1',
          kind: 'Gadget',
          metadata: { name: 'g', namespace: 'ignored' },
          spec: { a: 1 },
        },
      });
      assert.equal(created.status, 201);
      assert.equal(
        at(created.body, 'metadata.namespace'),
        undefined,
        'cluster-scoped objects have no namespace',
      );
      const w = await watch('/apis/example.test/v1/gadgets?watch=1');
      await waitFor('the initial event', () => w.events.length >= 1);
      assert.equal(
        (
          await call(
            'DELETE',
            '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.test',
          )
        ).status,
        200,
      );
      await waitFor('the stream to end', () => w.ended());
      assert.deepEqual(
        w.events.map((e) => e.type),
        ['ADDED', 'DELETED'],
      );
      assert.equal((await call('GET', '/apis/example.test/v1/gadgets')).status, 404);
    });

    it('closes watches abruptly when asked, which clients see as an error', async () => {
      const response = await fetch(`${server.url}/api/v1/namespaces/default/configmaps?watch=1`);
      const reading = response.text();
      await waitFor('the watch to register', () => server.activeWatches >= 1);
      assert.ok(server.faults.dropWatches({ abrupt: true }) >= 1);
      await assert.rejects(reading);
    });
  });
});
