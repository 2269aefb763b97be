import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ApiException, CoreV1Api } from '@kubernetes/client-node';
import { isIronlbError } from '../common/errors.ts';
import { kubeconfigYaml, startApiServer } from '../../test/support/api-server/index.ts';
import { K8sErrors } from './errors.ts';
import { startClientProxy } from '../../test/support/http-proxy.ts';
import { apiErrorText, apiStatusCode, loadKubeConfig, reuseConnections } from './kubeconfig.ts';

describe('loadKubeConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ironlb-kubeconfig-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('loads an explicit file', () => {
    const path = join(dir, 'ok.yaml');
    writeFileSync(path, kubeconfigYaml('http://127.0.0.1:1'));
    const kc = loadKubeConfig(path);
    assert.equal(kc.getCurrentCluster()?.server, 'http://127.0.0.1:1');
  });

  it('refuses a missing file with IRONLB_ERR_KUBECONFIG', () => {
    assert.throws(
      () => loadKubeConfig(join(dir, 'absent.yaml')),
      (err: unknown) =>
        isIronlbError(err, K8sErrors.IRONLB_ERR_KUBECONFIG) &&
        err.cause instanceof Error &&
        /does not exist/.test(err.cause.message),
    );
  });

  it('refuses a kubeconfig without a current cluster', () => {
    const path = join(dir, 'empty.yaml');
    writeFileSync(path, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    assert.throws(
      () => loadKubeConfig(path),
      (err: unknown) => isIronlbError(err, K8sErrors.IRONLB_ERR_KUBECONFIG),
    );
  });
});

describe('apiStatusCode and apiErrorText', () => {
  it('read the code and the Status message of a real client error', async () => {
    const server = await startApiServer();
    try {
      const core = server.kubeConfig().makeApiClient(CoreV1Api);
      const err: unknown = await core
        .readNamespacedService({ name: 'absent', namespace: 'default' })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(err instanceof ApiException);
      assert.equal(apiStatusCode(err), 404);
      assert.equal(apiErrorText(err), 'HTTP 404: services "absent" not found');
    } finally {
      await server.close();
    }
  });

  it('handle watch errors (statusCode), plain errors and non-errors', () => {
    assert.equal(apiStatusCode(Object.assign(new Error('Gone'), { statusCode: 410 })), 410);
    assert.equal(apiStatusCode(new Error('x')), undefined);
    assert.equal(apiStatusCode('text'), undefined);
    assert.equal(apiErrorText(new Error('connect ECONNREFUSED')), 'connect ECONNREFUSED');
    assert.equal(
      apiErrorText(Object.assign(new Error('Gone'), { statusCode: 410 })),
      'HTTP 410: Gone',
    );
    assert.equal(
      apiErrorText(Object.assign(new Error('x'), { code: 500, body: { message: 'boom' } })),
      'HTTP 500: boom',
    );
    assert.equal(
      apiErrorText(Object.assign(new Error('x'), { code: 502, body: 'not json' })),
      'HTTP 502: not json',
    );
  });
});

describe('reuseConnections', () => {
  it('makes sequential requests share a connection, and is idempotent', async () => {
    const server = await startApiServer();
    const proxy = await startClientProxy(server.url);
    try {
      const kc = proxy.kubeConfig();
      assert.equal(reuseConnections(reuseConnections(kc)), kc);
      const core = kc.makeApiClient(CoreV1Api);
      for (let i = 0; i < 20; i++) await core.listNamespace();
      assert.ok(proxy.connections <= 2, `${proxy.connections} connections for 20 requests`);
    } finally {
      await proxy.close();
      await server.close();
    }
  });
});
