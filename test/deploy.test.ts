import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CoreV1Api } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { buildProgram } from '../src/cli/program.ts';
import type { TestApiServer } from './support/api-server/index.ts';
import {
  poolManifest,
  serviceManifest,
  sleep,
  storedIngress,
  waitFor,
} from './support/controller-fixtures.ts';
import { startClientProxy, type ClientProxy } from './support/http-proxy.ts';
import {
  NAMESPACE,
  startCluster,
  startInProcess,
  type InProcessController,
} from './controller/harness.ts';
import {
  advertisementManifest,
  loadBalancer,
  nodeManifest,
  peerManifest,
  sliceManifest,
} from './speaker/fixtures.ts';
import { startSpeakerInProcess, type InProcessSpeaker } from './speaker/harness.ts';

const deploy = fileURLToPath(new URL('../deploy/', import.meta.url));

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [key: string]: unknown;
}

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

function rendered(): Manifest[] {
  const text = execFileSync('kubectl', ['kustomize', deploy], { encoding: 'utf8' });
  return parseAllDocuments(text).map((d) => d.toJS() as Manifest);
}

describe('deploy/', () => {
  it('kubectl kustomize renders the namespace, every CRD and the controller', () => {
    const objects = rendered();
    const kinds = objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    const crdFiles = readdirSync(`${deploy}crds`).filter((f) => f.endsWith('.yaml'));
    assert.deepEqual(
      kinds.filter((k) => k.startsWith('CustomResourceDefinition/')),
      crdFiles.map((f) => `CustomResourceDefinition/${f.replace(/\.yaml$/, '')}`).sort(),
      'every generated CRD is in deploy/kustomization.yaml',
    );
    for (const expected of [
      'Namespace/ironlb-system',
      'ServiceAccount/ironlb-controller',
      'ClusterRole/ironlb-controller',
      'ClusterRoleBinding/ironlb-controller',
      'Role/ironlb-controller',
      'RoleBinding/ironlb-controller',
      'Deployment/ironlb-controller',
      'ServiceAccount/ironlb-speaker',
      'ClusterRole/ironlb-speaker',
      'ClusterRoleBinding/ironlb-speaker',
      'Role/ironlb-speaker',
      'RoleBinding/ironlb-speaker',
      'DaemonSet/ironlb-speaker',
    ]) {
      assert.ok(kinds.includes(expected), expected);
    }
  });

  it('the Deployment runs `ironlb controller` with flags the command has', () => {
    const deployment = rendered().find((o) => o.kind === 'Deployment')!;
    const spec = deployment.spec as {
      replicas: number;
      template: { spec: { containers: Array<{ args: string[]; env: Array<{ name: string }> }> } };
    };
    assert.equal(spec.replicas, 2);
    const [container] = spec.template.spec.containers;
    const [command, ...flags] = container!.args;
    assert.equal(command, 'controller');
    const controller = buildProgram().commands.find((c) => c.name() === 'controller')!;
    const known = new Set(controller.options.map((o) => o.long));
    for (const flag of flags) assert.ok(known.has(flag.split('=')[0]), `unknown flag ${flag}`);
    assert.ok(
      container!.env.some((e) => e.name === 'POD_NAME'),
      'identity from the pod name',
    );
  });
  it('the DaemonSet runs `ironlb speaker` on the host network with NODE_NAME from spec.nodeName and no capabilities', () => {
    const daemonSet = rendered().find((o) => o.kind === 'DaemonSet')!;
    const pod = (
      daemonSet.spec as {
        template: {
          spec: {
            hostNetwork: boolean;
            containers: Array<{
              args: string[];
              env: Array<{ name: string; valueFrom?: { fieldRef?: { fieldPath?: string } } }>;
              securityContext: { capabilities: { drop: string[]; add?: string[] } };
            }>;
          };
        };
      }
    ).template.spec;
    assert.equal(pod.hostNetwork, true);
    const [container] = pod.containers;
    const [command, ...flags] = container!.args;
    assert.equal(command, 'speaker');
    const speaker = buildProgram().commands.find((c) => c.name() === 'speaker')!;
    const known = new Set(speaker.options.map((o) => o.long));
    for (const flag of flags) assert.ok(known.has(flag.split('=')[0]), `unknown flag ${flag}`);
    const nodeName = container!.env.find((e) => e.name === 'NODE_NAME');
    assert.equal(nodeName?.valueFrom?.fieldRef?.fieldPath, 'spec.nodeName');
    assert.deepEqual(container!.securityContext.capabilities, { drop: ['ALL'] });
  });

  it("both daemons run with bin/ironlb.js's Node flags, a heap cap inside the memory limit and a writable compile cache", () => {
    const shebang = readFileSync(new URL('../bin/ironlb.js', import.meta.url), 'utf8').split(
      '\n',
    )[0];
    const binFlags = (shebang ?? '').replace(/^#!\/usr\/bin\/env -S node\s*/, '').split(/\s+/);
    assert.notDeepEqual(binFlags, [''], 'bin/ironlb.js passes Node flags');
    for (const kind of ['Deployment', 'DaemonSet']) {
      const workload = rendered().find((o) => o.kind === kind)!;
      const pod = (
        workload.spec as {
          template: {
            spec: {
              containers: Array<{
                env: Array<{ name: string; value?: string }>;
                volumeMounts: Array<{ name: string; mountPath: string }>;
                resources: { limits: { memory: string } };
              }>;
              volumes: Array<{ name: string; emptyDir?: unknown }>;
            };
          };
        }
      ).template.spec;
      const [container] = pod.containers;
      const env = new Map(container!.env.map((e) => [e.name, e.value]));
      const nodeOptions = (env.get('NODE_OPTIONS') ?? '').split(/\s+/);
      for (const flag of binFlags) assert.ok(nodeOptions.includes(flag), `${kind}: ${flag}`);
      const heapMiB = Number(/--max-old-space-size=(\d+)/.exec(env.get('NODE_OPTIONS') ?? '')?.[1]);
      const limitMiB = Number(/^(\d+)Mi$/.exec(container!.resources.limits.memory)?.[1]);
      assert.ok(heapMiB > 0 && limitMiB > 0, `${kind}: a heap cap and a memory limit in MiB`);
      // The heap is not all of a Node process: ~100 MiB of code, buffers and the runtime besides.
      assert.ok(heapMiB + 100 <= limitMiB, `${kind}: heap ${heapMiB} MiB fits in ${limitMiB} MiB`);
      const cache = env.get('NODE_COMPILE_CACHE');
      const mount = container!.volumeMounts.find((m) => m.mountPath === cache);
      assert.ok(
        mount,
        `${kind}: the compile cache is a mounted volume (the root filesystem is read-only)`,
      );
      assert.ok(pod.volumes.find((v) => v.name === mount.name)?.emptyDir, `${kind}: an emptyDir`);
    }
  });
});

/** What RBAC sees in a request: API group, resource[/subresource], verb, namespace. */
interface Access {
  readonly group: string;
  readonly resource: string;
  readonly verb: string;
  readonly namespace: string | undefined;
}

function accessOf(method: string, url: string): Access | undefined {
  const [path = '', query = ''] = url.split('?');
  const parts = path.split('/').filter((p) => p !== '');
  let group: string;
  let rest: string[];
  if (parts[0] === 'api') {
    group = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    group = parts[1] ?? '';
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource = '', name, subresource] = rest;
  const watching = new URLSearchParams(query).get('watch') === 'true';
  const verb =
    method === 'GET'
      ? watching
        ? 'watch'
        : name === undefined
          ? 'list'
          : 'get'
      : ((
          { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' } as Record<
            string,
            string
          >
        )[method] ?? method);
  return {
    group,
    resource: subresource === undefined ? resource : `${resource}/${subresource}`,
    verb,
    namespace,
  };
}

/**
 * Compares the requests a component made with the rules of its ClusterRole
 * and Role (both named `name`): requests the rules would refuse, and rules
 * no request used.
 */
function rbacMismatches(
  name: string,
  requests: ReadonlyArray<{ method: string; url: string }>,
): { denied: string[]; unused: string[] } {
  const objects = rendered();
  const rulesOf = (kind: string): Rule[] =>
    objects.find((o) => o.kind === kind && o.metadata.name === name)!.rules as Rule[];
  const clusterRules = rulesOf('ClusterRole');
  const namespaceRules = rulesOf('Role');
  const allows = (rules: Rule[], access: Access): boolean =>
    rules.some(
      (r) =>
        r.apiGroups.includes(access.group) &&
        r.resources.includes(access.resource) &&
        r.verbs.includes(access.verb),
    );
  const used = new Set<string>();
  const denied: string[] = [];
  for (const request of requests) {
    const access = accessOf(request.method, request.url);
    if (access === undefined) continue; // discovery, /version: not resources
    const inOwnNamespace = access.namespace === NAMESPACE;
    const viaCluster = allows(clusterRules, access);
    const viaRole = inOwnNamespace && allows(namespaceRules, access);
    if (!viaCluster && !viaRole)
      denied.push(
        `${access.verb} ${access.group}/${access.resource} in ${access.namespace ?? '(all)'}`,
      );
    const kind = viaCluster ? 'ClusterRole' : 'Role';
    used.add(`${kind} ${access.group} ${access.resource} ${access.verb}`);
  }
  const unused: string[] = [];
  for (const [kind, rules] of [
    ['ClusterRole', clusterRules],
    ['Role', namespaceRules],
  ] as const) {
    for (const rule of rules) {
      for (const group of rule.apiGroups) {
        for (const resource of rule.resources) {
          for (const verb of rule.verbs) {
            if (!used.has(`${kind} ${group} ${resource} ${verb}`))
              unused.push(`${kind}: ${verb} ${group}/${resource}`);
          }
        }
      }
    }
  }
  return { denied: [...new Set(denied)], unused };
}

describe('controller RBAC is exactly what the controller uses', () => {
  let server: TestApiServer;
  let proxy: ClientProxy;
  let running: InProcessController | undefined;

  before(async () => {
    server = await startCluster();
    proxy = await startClientProxy(server.url);
  });
  after(async () => {
    await running?.stop();
    await proxy.close();
    await server.close();
  });

  it('every request is allowed by the rules, and every rule is used', async () => {
    // Everything the controller does: config with a peer Secret, allocation, a refusal that
    // repeats (event count patch), a Service that stops being a LoadBalancer, invalid config.
    server.store.put({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/basic-auth',
      metadata: { name: 'bird-password', namespace: NAMESPACE },
      stringData: { password: 'secret' },
    });
    server.store.put({
      apiVersion: 'ironlb.dev/v1beta1',
      kind: 'BGPPeer',
      metadata: { name: 'bird', namespace: NAMESPACE },
      spec: {
        myASN: 64698,
        peerASN: 64699,
        peerAddress: '127.0.0.1',
        ebgpMultiHop: true,
        passwordSecret: { name: 'bird-password' },
      },
    });
    server.store.put(poolManifest('default', ['10.80.0.0/29']));
    server.store.put(
      serviceManifest('y', { annotations: { 'ironlb.dev/loadBalancerIPs': '10.80.0.1' } }),
    );
    server.store.put(
      serviceManifest('z', { annotations: { 'ironlb.dev/loadBalancerIPs': '10.80.0.2' } }),
    );
    server.store.put(serviceManifest('w'));
    running = startInProcess(proxy.kubeConfig(), 'rbac');
    await waitFor('y, z, w allocated', () =>
      ['y', 'z', 'w'].every((n) => storedIngress(server, 'default', n).length === 1),
    );
    await waitFor('Valid (the peer Secret was found)', () => {
      const state = server.store.get(
        'ironlb.dev/v1beta1',
        'ConfigurationState',
        'controller',
        NAMESPACE,
      );
      return (state?.status as { result?: string } | undefined)?.result === 'Valid';
    });

    const core = server.kubeConfig().makeApiClient(CoreV1Api);
    const ask = async (ip: string): Promise<void> => {
      await core.patchNamespacedService({
        name: 'x',
        namespace: 'default',
        body: [
          { op: 'replace', path: '/metadata/annotations/ironlb.dev~1loadBalancerIPs', value: ip },
        ],
      });
    };
    const failures = () =>
      server.store.list('v1', 'Event', 'default').filter((e) => e.reason === 'AllocationFailed');
    server.store.put(
      serviceManifest('x', { annotations: { 'ironlb.dev/loadBalancerIPs': '10.80.0.1' } }),
    );
    await waitFor('refused', () => failures().length === 1);
    await ask('10.80.0.2');
    await waitFor('refused again, differently', () => failures().length === 2);
    await ask('10.80.0.1');
    await waitFor('the first refusal again, counted', () =>
      failures().some((e) => (e.count as number) === 2),
    );
    await core.patchNamespacedService({
      name: 'w',
      namespace: 'default',
      body: [{ op: 'replace', path: '/spec/type', value: 'ClusterIP' }],
    });
    await waitFor('w cleared', () => storedIngress(server, 'default', 'w').length === 0);
    server.store.put(poolManifest('overlapping', ['10.80.0.4/30']));
    await waitFor('invalid configuration reported', () =>
      server.store.list('v1', 'Event', NAMESPACE).some((e) => e.reason === 'InvalidConfiguration'),
    );
    await sleep(600); // at least one lease renewal
    await running.stop();
    running = undefined;

    const { denied, unused } = rbacMismatches('ironlb-controller', proxy.requests);
    assert.deepEqual(denied, [], 'requests the RBAC rules would refuse');
    assert.deepEqual(unused, [], 'permissions the controller never uses');
  });

  it('the access parser reads resource URLs the way RBAC does', () => {
    assert.deepEqual(accessOf('GET', '/api/v1/services?watch=true&resourceVersion=5'), {
      group: '',
      resource: 'services',
      verb: 'watch',
      namespace: undefined,
    });
    assert.deepEqual(accessOf('PATCH', '/api/v1/namespaces/default/services/web/status'), {
      group: '',
      resource: 'services/status',
      verb: 'patch',
      namespace: 'default',
    });
    assert.deepEqual(
      accessOf('GET', '/apis/coordination.k8s.io/v1/namespaces/ironlb-system/leases/x'),
      {
        group: 'coordination.k8s.io',
        resource: 'leases',
        verb: 'get',
        namespace: 'ironlb-system',
      },
    );
    assert.deepEqual(accessOf('GET', '/api/v1/namespaces'), {
      group: '',
      resource: 'namespaces',
      verb: 'list',
      namespace: undefined,
    });
    assert.equal(accessOf('GET', '/version'), undefined);
  });
});

describe('speaker RBAC is exactly what the speaker uses', () => {
  let server: TestApiServer;
  let proxy: ClientProxy;
  let running: InProcessSpeaker | undefined;

  before(async () => {
    server = await startCluster();
    proxy = await startClientProxy(server.url);
  });
  after(async () => {
    await running?.stop();
    await proxy.close();
    await server.close();
  });

  it('every request is allowed by the rules, and every rule is used', async () => {
    // Everything the speaker does: config with a peer Secret, a session (to a closed port: its
    // state goes to the BGPPeer status), an announcement (ServiceBGPStatus created, events),
    // a withdrawal (deleted), the same announcement again (event count patch), shutdown.
    const { store } = server;
    store.put({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/basic-auth',
      metadata: { name: 'bird-password', namespace: NAMESPACE },
      stringData: { password: 'secret' },
    });
    store.put(nodeManifest('n1', { internalIP: '192.0.2.31' }));
    store.put(
      peerManifest('bird', {
        myASN: 64698,
        peerASN: 64699,
        peerAddress: '127.0.30.99',
        peerPort: 12999,
        connectTime: '1s',
        passwordSecret: { name: 'bird-password' },
      }),
    );
    store.put(poolManifest('default', ['10.80.0.0/29']));
    store.put(advertisementManifest('all', {}));
    store.put(loadBalancer('web', '10.80.0.1'));
    store.put(sliceManifest('web', ['n1']));
    running = startSpeakerInProcess(proxy.kubeConfig(), 'n1');

    const statusOf = () =>
      store
        .list('ironlb.dev/v1beta1', 'ServiceBGPStatus', 'default')
        .filter((o) => (o.status as { node?: string } | undefined)?.node === 'n1');
    const announcing = () =>
      store.list('v1', 'Event', 'default').filter((e) => e.reason === 'nodeAnnouncing');
    await waitFor('ServiceBGPStatus written', () => statusOf().length === 1);
    await waitFor('the session state in the BGPPeer status', () => {
      const peer = store.get('ironlb.dev/v1beta1', 'BGPPeer', 'bird', NAMESPACE) as
        { status?: { sessions?: Array<{ node: string }> } } | undefined;
      return peer?.status?.sessions?.some((s) => s.node === 'n1') ?? false;
    });
    await waitFor('ConfigurationState Valid', () => {
      const state = store.get('ironlb.dev/v1beta1', 'ConfigurationState', 'speaker-n1', NAMESPACE);
      return (state?.status as { result?: string } | undefined)?.result === 'Valid';
    });
    store.put(sliceManifest('web', []));
    await waitFor('ServiceBGPStatus deleted', () => statusOf().length === 0);
    store.put(sliceManifest('web', ['n1']));
    await waitFor('announcing again, counted on the same Event', () =>
      announcing().some((e) => (e.count as number) === 2),
    );
    await running.stop();
    running = undefined;

    const { denied, unused } = rbacMismatches('ironlb-speaker', proxy.requests);
    assert.deepEqual(denied, [], 'requests the RBAC rules would refuse');
    assert.deepEqual(unused, [], 'permissions the speaker never uses');
  });
});
