import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApiServer, type TestApiServer } from './index.ts';

interface Entry {
  manager: string;
  operation: string;
  subresource?: string;
  time: string;
  fieldsV1: Record<string, unknown>;
}

interface Stored {
  metadata: { resourceVersion: string; managedFields?: Entry[] };
  spec?: unknown;
  status?: unknown;
}

describe('test API server: metadata.managedFields', () => {
  let server: TestApiServer;
  before(async () => {
    server = await startApiServer();
  });
  after(async () => {
    await server.close();
  });

  async function call(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<Stored> {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    assert.ok(
      response.ok,
      `${method} ${path}: ${response.status} ${await response.clone().text()}`,
    );
    return (await response.json()) as Stored;
  }

  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'mf', labels: { app: 'web' } },
    spec: { type: 'LoadBalancer', ports: [{ name: 'http', port: 80 }] },
  };
  const path = '/api/v1/namespaces/default/services';

  it('records one entry per writer, operation and subresource, with the fields it wrote', async () => {
    const created = await call('POST', `${path}?fieldManager=creator`, service);
    const [first] = created.metadata.managedFields ?? [];
    assert.equal(first?.manager, 'creator');
    assert.equal(first?.operation, 'Update');
    assert.deepEqual(Object.keys(first?.fieldsV1 ?? {}).sort(), ['f:metadata', 'f:spec']);
    assert.deepEqual(
      Object.keys(
        (first?.fieldsV1['f:spec'] as Record<string, Record<string, unknown>>)['f:ports'] ?? {},
      ),
      ['k:{"name":"http"}'],
    );

    // Another writer, named by its User-Agent: a second entry.
    const labelled = await call(
      'PATCH',
      `${path}/mf`,
      { metadata: { labels: { tier: 'front' } } },
      { 'content-type': 'application/merge-patch+json', 'user-agent': 'labeller/1.0 (linux)' },
    );
    assert.deepEqual(
      labelled.metadata.managedFields?.map((e) => e.manager),
      ['creator', 'labeller'],
    );

    // The status subresource: an entry of its own, with only status fields.
    const status = await call(
      'PATCH',
      `${path}/mf/status?fieldManager=controller`,
      { status: { loadBalancer: { ingress: [{ ip: '192.0.2.7' }] } } },
      { 'content-type': 'application/merge-patch+json' },
    );
    const statusEntry = status.metadata.managedFields?.find((e) => e.manager === 'controller');
    assert.equal(statusEntry?.subresource, 'status');
    assert.deepEqual(Object.keys(statusEntry?.fieldsV1 ?? {}), ['f:status']);

    // The same writer again replaces its entry; a write that changes nothing changes nothing.
    const again = await call(
      'PATCH',
      `${path}/mf/status?fieldManager=controller`,
      { status: { loadBalancer: { ingress: [{ ip: '192.0.2.7' }] } } },
      { 'content-type': 'application/merge-patch+json' },
    );
    assert.equal(again.metadata.resourceVersion, status.metadata.resourceVersion);
    assert.deepEqual(again.metadata.managedFields, status.metadata.managedFields);
    assert.equal(again.metadata.managedFields?.length, 3);
  });

  it('ignores managedFields a client sends', async () => {
    const created = await call('POST', `${path}?fieldManager=creator`, {
      ...service,
      metadata: { name: 'mf2', managedFields: [{ manager: 'forged', operation: 'Apply' }] },
    });
    assert.deepEqual(
      created.metadata.managedFields?.map((e) => e.manager),
      ['creator'],
    );
  });
});
