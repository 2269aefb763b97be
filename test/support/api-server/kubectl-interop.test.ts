import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startApiServer, type TestApiServer } from './index.ts';

/**
 * The test API server through kubectl 1.32, a second real client: discovery,
 * OpenAPI-driven validation, Tables, strategic merge and merge patches.
 * Every step is checked against the server's state, not only kubectl's output.
 */

const KUBECTL = '/usr/bin/kubectl';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const SERVICE_YAML = `apiVersion: v1
kind: Service
metadata:
  name: web
  labels:
    app: web
spec:
  type: LoadBalancer
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: 8080
`;

const CRD_YAML = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ipaddresspools.ironlb.dev
spec:
  group: ironlb.dev
  names:
    kind: IPAddressPool
    listKind: IPAddressPoolList
    plural: ipaddresspools
    singular: ipaddresspool
  scope: Namespaced
  versions:
  - name: v1beta1
    served: true
    storage: true
    subresources:
      status: {}
    additionalPrinterColumns:
    - name: Auto Assign
      type: boolean
      jsonPath: .spec.autoAssign
    - name: Age
      type: date
      jsonPath: .metadata.creationTimestamp
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [addresses]
            properties:
              addresses:
                type: array
                items:
                  type: string
              autoAssign:
                type: boolean
                default: true
          status:
            type: object
            x-kubernetes-preserve-unknown-fields: true
`;

const POOL_YAML = `apiVersion: ironlb.dev/v1beta1
kind: IPAddressPool
metadata:
  name: pool-a
spec:
  addresses:
  - 192.0.2.0/28
`;

const POOL_WITH_TYPO_YAML = `apiVersion: ironlb.dev/v1beta1
kind: IPAddressPool
metadata:
  name: pool-typo
spec:
  addresses: [192.0.2.16/28]
  autoAsign: false
`;

/** Splits `kubectl get` table output into rows of cells (columns are separated by 2+ spaces). */
function tableRows(output: string): string[][] {
  return output
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s{2,}/));
}

describe(
  'test API server through kubectl',
  { skip: existsSync(KUBECTL) ? false : `${KUBECTL} is not installed` },
  () => {
    let server: TestApiServer;
    let dir: string;

    const kubectl = (...args: string[]): Promise<Run> =>
      new Promise((resolve) => {
        execFile(
          KUBECTL,
          ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), ...args],
          { timeout: 30_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir } },
          (error, stdout, stderr) => {
            const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
            resolve({ code, stdout, stderr });
          },
        );
      });
    const ok = async (...args: string[]): Promise<string> => {
      const run = await kubectl(...args);
      assert.equal(run.code, 0, `kubectl ${args.join(' ')} failed: ${run.stderr}`);
      return run.stdout;
    };
    const file = async (name: string, content: string): Promise<string> => {
      const path = join(dir, name);
      await writeFile(path, content);
      return path;
    };

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'ironlb-kubectl-'));
      server = await startApiServer({ kubeconfigPath: join(dir, 'kubeconfig') });
    });

    after(async () => {
      await server?.close();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
      assert.deepEqual(server?.internalErrors ?? [], []);
    });

    it('lists the initial namespaces as a table', async () => {
      const rows = tableRows(await ok('get', 'namespaces'));
      assert.deepEqual(rows[0], ['NAME', 'STATUS', 'AGE']);
      const names = rows.slice(1).map((r) => r[0]);
      assert.deepEqual(names, ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
      assert.ok(rows.slice(1).every((r) => r[1] === 'Active'));
    });

    it('creates a Service from a YAML file, with server-side validation', async () => {
      const out = await ok('create', '-f', await file('service.yaml', SERVICE_YAML));
      assert.equal(out.trim(), 'service/web created');
      const stored = server.store.get('v1', 'Service', 'web', 'default');
      assert.ok(stored !== undefined);
      assert.equal((stored.spec as { type: string }).type, 'LoadBalancer');
      const create = server.requests.find(
        (r) => r.verb === 'create' && r.url.includes('/services'),
      );
      assert.match(
        create?.url ?? '',
        /fieldValidation=Strict/,
        'kubectl left validation to the server',
      );
    });

    it('gets the Service as a table and as JSON', async () => {
      let rows = tableRows(await ok('get', 'services'));
      assert.deepEqual(rows[0], ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
      assert.equal(rows[1]?.[0], 'web');
      assert.equal(rows[1]?.[3], '<pending>');
      assert.match(rows[1]?.[4] ?? '', /^80:3\d{4}\/TCP$/);

      // The controller's job, done directly: an address in the status.
      const stored = server.store.get('v1', 'Service', 'web', 'default')!;
      server.store.put({ ...stored, status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } });
      rows = tableRows(await ok('get', 'svc', 'web'));
      assert.equal(rows[1]?.[3], '192.0.2.1');

      const json = JSON.parse(await ok('get', 'service', 'web', '-o', 'json')) as {
        kind: string;
        metadata: { uid: string; resourceVersion: string };
        status: unknown;
      };
      const current = server.store.get('v1', 'Service', 'web', 'default')!;
      assert.equal(json.kind, 'Service');
      // kubectl hides managedFields unless --show-managed-fields; the server keeps one entry per writer.
      const { managedFields, ...metadata } = current.metadata as { managedFields?: unknown };
      assert.deepEqual(json.metadata, metadata);
      assert.deepEqual(
        (managedFields as Array<{ manager: string; operation: string }>).map(
          (entry) => `${entry.manager}/${entry.operation}`,
        ),
        ['kubectl-create/Update', 'unknown/Update'],
      );
      assert.deepEqual(json.status, { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } });
    });

    it('labels and annotates with patches, and removes a label', async () => {
      assert.equal((await ok('label', 'svc', 'web', 'tier=front')).trim(), 'service/web labeled');
      const labels = () =>
        (
          server.store.get('v1', 'Service', 'web', 'default')!.metadata as {
            labels: Record<string, string>;
          }
        ).labels;
      assert.deepEqual(labels(), { app: 'web', tier: 'front' });
      const patch = server.requests.findLast((r) => r.verb === 'patch');
      assert.ok(patch !== undefined && patch.status === 200);

      await ok('annotate', 'svc', 'web', 'ironlb.dev/note=hello');
      const annotations = (
        server.store.get('v1', 'Service', 'web', 'default')!.metadata as {
          annotations: Record<string, string>;
        }
      ).annotations;
      assert.deepEqual(annotations, { 'ironlb.dev/note': 'hello' });

      await ok('label', 'svc', 'web', 'tier-');
      assert.deepEqual(labels(), { app: 'web' });

      const conflict = await kubectl('label', 'svc', 'web', 'app=other');
      assert.notEqual(conflict.code, 0, 'kubectl label refuses to overwrite without --overwrite');
      await ok('label', 'svc', 'web', 'app=other', '--overwrite');
      assert.deepEqual(labels(), { app: 'other' });

      const rows = tableRows(await ok('get', 'svc', '-l', 'app=other', '--show-labels'));
      assert.equal(rows[1]?.[0], 'web');
      assert.equal(rows[1]?.[rows[1].length - 1], 'app=other');
    });

    it('creates a custom resource after its CRD, and the server validates it', async () => {
      assert.equal(
        (await ok('create', '-f', await file('crd.yaml', CRD_YAML))).trim(),
        'customresourcedefinition.apiextensions.k8s.io/ipaddresspools.ironlb.dev created',
      );
      await ok(
        'wait',
        '--for=condition=Established',
        'crd/ipaddresspools.ironlb.dev',
        '--timeout=10s',
      );
      assert.equal(
        (await ok('create', '-f', await file('pool.yaml', POOL_YAML))).trim(),
        'ipaddresspool.ironlb.dev/pool-a created',
      );
      const pool = server.store.get('ironlb.dev/v1beta1', 'IPAddressPool', 'pool-a', 'default');
      assert.deepEqual(
        pool?.spec,
        { addresses: ['192.0.2.0/28'], autoAssign: true },
        'stored with the schema default',
      );

      const rows = tableRows(await ok('get', 'ipaddresspools'));
      assert.deepEqual(rows[0], ['NAME', 'AUTO ASSIGN', 'AGE']);
      assert.deepEqual(rows[1]?.slice(0, 2), ['pool-a', 'true']);

      const typo = await kubectl('create', '-f', await file('typo.yaml', POOL_WITH_TYPO_YAML));
      assert.notEqual(typo.code, 0);
      assert.match(typo.stderr, /strict decoding error: unknown field "spec.autoAsign"/);
      assert.equal(
        server.store.get('ironlb.dev/v1beta1', 'IPAddressPool', 'pool-typo', 'default'),
        undefined,
      );

      await ok('label', 'ipaddresspool', 'pool-a', 'zone=a');
      const labelled = server.store.get('ironlb.dev/v1beta1', 'IPAddressPool', 'pool-a', 'default');
      assert.deepEqual((labelled?.metadata as { labels: unknown }).labels, { zone: 'a' });
      assert.ok(
        server.requests.some(
          (r) => r.verb === 'patch' && r.url.includes('/ipaddresspools/pool-a') && r.status === 200,
        ),
        'kubectl patched the custom resource (merge patch: custom resources refuse strategic merge)',
      );
    });

    it('applies a manifest twice (create, then patch)', async () => {
      const path = await file('applied.yaml', SERVICE_YAML.replace('name: web', 'name: applied'));
      assert.equal((await ok('apply', '-f', path)).trim(), 'service/applied created');
      assert.equal((await ok('apply', '-f', path)).trim(), 'service/applied unchanged');
      await writeFile(
        path,
        SERVICE_YAML.replace('name: web', 'name: applied').replace('port: 80', 'port: 8080'),
      );
      assert.equal((await ok('apply', '-f', path)).trim(), 'service/applied configured');
      const ports = (
        server.store.get('v1', 'Service', 'applied', 'default')!.spec as {
          ports: { port: number }[];
        }
      ).ports;
      assert.deepEqual(
        ports.map((p) => p.port),
        [8080],
      );
    });

    it('deletes objects, and the server state follows', async () => {
      assert.equal((await ok('delete', 'svc', 'web')).trim(), 'service "web" deleted');
      assert.equal(server.store.get('v1', 'Service', 'web', 'default'), undefined);
      assert.equal(
        (await ok('delete', '-f', join(dir, 'pool.yaml'))).trim(),
        'ipaddresspool.ironlb.dev "pool-a" deleted',
      );
      assert.equal(server.store.list('ironlb.dev/v1beta1', 'IPAddressPool').length, 0);
      const missing = await kubectl('delete', 'svc', 'web');
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /services "web" not found/);
      const empty = await kubectl('get', 'ipaddresspools');
      assert.match(empty.stderr, /No resources found in default namespace/);
    });
  },
);
