import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  type V1CustomResourceDefinition,
  type V1Node,
} from '@kubernetes/client-node';
import { parse } from 'yaml';
import { buildProgram } from '../src/cli/program.ts';
import type { ExplainReport } from '../src/speaker/explain-report.ts';
import { startApiServer, type TestApiServer } from './support/api-server/index.ts';

/**
 * `ironlb explain` end to end: objects created through the official client
 * in the in-memory API server (CRDs from deploy/crds/), the command run
 * through the program as a user would, its table and JSON checked.
 */

const dir = mkdtempSync(join(tmpdir(), 'ironlb-explain-'));
let server: TestApiServer;
let kubeconfigPath: string;

async function run(args: string[]): Promise<{ out: string; err: string; exitCode: number }> {
  let out = '';
  let err = '';
  const program = buildProgram({ stdout: (t) => (out += t), stderr: (t) => (err += t) });
  for (const command of [program, ...program.commands]) command.exitOverride();
  try {
    await program.parseAsync(['explain', ...args, '--kubeconfig', kubeconfigPath], {
      from: 'user',
    });
    return { out, err, exitCode: 0 };
  } catch (e) {
    return { out, err, exitCode: (e as { exitCode: number }).exitCode };
  }
}

const NS = 'ironlb-system';
const group = { group: 'ironlb.dev', version: 'v1beta1', namespace: NS };

function readyNode(name: string, labels: Record<string, string>, ready = 'True'): V1Node {
  return {
    metadata: { name, labels },
    status: {
      conditions: [
        {
          type: 'Ready',
          status: ready,
          reason: ready === 'True' ? 'KubeletReady' : 'KubeletNotReady',
        },
      ],
    },
  };
}

before(async () => {
  kubeconfigPath = join(dir, 'kubeconfig');
  server = await startApiServer({ kubeconfigPath });
  const kc = server.kubeConfig();
  const extensions = kc.makeApiClient(ApiextensionsV1Api);
  const crdDir = new URL('../deploy/crds/', import.meta.url);
  for (const file of readdirSync(crdDir)) {
    const body = parse(readFileSync(new URL(file, crdDir), 'utf8')) as V1CustomResourceDefinition;
    await extensions.createCustomResourceDefinition({ body });
  }
  const core = kc.makeApiClient(CoreV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);

  await core.createNamespace({ body: { metadata: { name: NS } } });
  await core.createNamespace({ body: { metadata: { name: 'shop' } } });
  for (const node of [
    readyNode('n1', { rack: '1' }),
    readyNode('n2', { rack: '2' }),
    readyNode('n3', {
      rack: '1',
      'node.kubernetes.io/exclude-from-external-load-balancers': 'true',
    }),
    readyNode('n4', { rack: '2' }, 'False'),
  ]) {
    await core.createNode({ body: node });
  }

  await core.createNamespacedSecret({
    namespace: NS,
    body: {
      metadata: { name: 'bird-md5' },
      type: 'kubernetes.io/basic-auth',
      stringData: { password: 's3cret' },
    },
  });
  const create = (plural: string, kind: string, name: string, spec: object, labels?: object) =>
    custom.createNamespacedCustomObject({
      ...group,
      plural,
      body: {
        apiVersion: 'ironlb.dev/v1beta1',
        kind,
        metadata: { name, ...(labels === undefined ? {} : { labels }) },
        spec,
      },
    });
  await create('ipaddresspools', 'IPAddressPool', 'default', {
    addresses: ['10.72.32.0/20', '2001:db8:72::/64'],
  });
  await create('bgppeers', 'BGPPeer', 'bird', {
    myASN: 64698,
    peerASN: 64699,
    peerAddress: '127.0.0.1',
    ebgpMultiHop: true,
    passwordSecret: { name: 'bird-md5' },
  });
  await create('bgppeers', 'BGPPeer', 'tor', {
    myASN: 64698,
    peerASN: 64698,
    peerAddress: '127.0.0.2',
    nodeSelectors: [{ matchLabels: { rack: '1' } }],
  });
  await create('communities', 'Community', 'aliases', {
    communities: [{ name: 'no-install', value: '64698:64699' }],
  });
  await create('bgpadvertisements', 'BGPAdvertisement', 'all', {
    communities: ['no-install'],
  });
  await create('bgpadvertisements', 'BGPAdvertisement', 'tor-pref', {
    peers: ['tor'],
    localPref: 150,
    communities: ['large:64698:1:1'],
  });

  // A dual-stack Local Service whose IPs the controller has written into the status.
  server.store.put({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
    spec: {
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      ipFamilyPolicy: 'PreferDualStack',
      ports: [{ port: 80, protocol: 'TCP' }],
      selector: { app: 'web' },
    },
    status: { loadBalancer: { ingress: [{ ip: '10.72.32.5' }, { ip: '2001:db8:72::5' }] } },
  });
  const slice = (name: string, endpoints: object[]) =>
    discovery.createNamespacedEndpointSlice({
      namespace: 'shop',
      body: {
        metadata: { name, labels: { 'kubernetes.io/service-name': 'web' } },
        addressType: 'IPv4',
        endpoints: endpoints as never,
      },
    });
  await slice('web-a', [
    { addresses: ['10.244.1.5'], nodeName: 'n1', conditions: { ready: true, serving: true } },
    { addresses: ['10.244.2.5'], nodeName: 'n2', conditions: { ready: false, serving: false } },
  ]);
  await slice('web-b', [
    {
      addresses: ['10.244.3.5'],
      nodeName: 'n3',
      conditions: { ready: false, serving: true, terminating: true },
    },
    { addresses: ['10.244.9.9'], nodeName: 'n9.example', conditions: { ready: true } },
  ]);
  // Another Service's slice: must not count.
  await discovery.createNamespacedEndpointSlice({
    namespace: 'shop',
    body: {
      metadata: { name: 'db-a', labels: { 'kubernetes.io/service-name': 'db' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.244.2.7'], nodeName: 'n2' }],
    },
  });
});

after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ironlb explain', () => {
  it('prints a table: per node and IP, announced or why not, then routes and warnings', async () => {
    const { out, err, exitCode } = await run(['web', '-n', 'shop']);
    assert.equal(err, '');
    assert.equal(exitCode, 0);
    assert.equal(
      out,
      `Service shop/web: type LoadBalancer, externalTrafficPolicy Local, IPs 10.72.32.5, 2001:db8:72::5
Endpoints: 4 (3 serving) on nodes n1, n3, n9.example
Configuration (namespace ironlb-system): valid, 1 IPAddressPools, 2 BGPPeers, 2 BGPAdvertisements

NODE  IP              ANNOUNCED  REASON            DETAIL
n1    10.72.32.5      yes        announced         ironlb-system/bird 10.72.32.5/32; ironlb-system/tor 10.72.32.5/32
n1    2001:db8:72::5  yes        announced         ironlb-system/bird 2001:db8:72::5/128; ironlb-system/tor 2001:db8:72::5/128
n2    10.72.32.5      no         noLocalEndpoints  externalTrafficPolicy is Local and node n2 hosts no serving endpoint of the Service; 3 serving endpoints run elsewhere (nodes n1, n3, n9.example)
n2    2001:db8:72::5  no         noLocalEndpoints  externalTrafficPolicy is Local and node n2 hosts no serving endpoint of the Service; 3 serving endpoints run elsewhere (nodes n1, n3, n9.example)
n3    10.72.32.5      no         nodeExcluded      node n3 has the label node.kubernetes.io/exclude-from-external-load-balancers; remove it to announce from this node again
n3    2001:db8:72::5  no         nodeExcluded      node n3 has the label node.kubernetes.io/exclude-from-external-load-balancers; remove it to announce from this node again
n4    10.72.32.5      no         nodeNotReady      node n4 has the condition Ready=False (KubeletNotReady); traffic sent to it could be dropped
n4    2001:db8:72::5  no         nodeNotReady      node n4 has the condition Ready=False (KubeletNotReady); traffic sent to it could be dropped

Routes:
NODE  IP              PEER                PREFIX              COMMUNITIES  LARGE      LOCALPREF  ADVERTISEMENTS
n1    10.72.32.5      ironlb-system/bird  10.72.32.5/32       64698:64699  -          -          ironlb-system/all
n1    10.72.32.5      ironlb-system/tor   10.72.32.5/32       64698:64699  64698:1:1  150        ironlb-system/all,ironlb-system/tor-pref
n1    2001:db8:72::5  ironlb-system/bird  2001:db8:72::5/128  64698:64699  -          -          ironlb-system/all
n1    2001:db8:72::5  ironlb-system/tor   2001:db8:72::5/128  64698:64699  64698:1:1  150        ironlb-system/all,ironlb-system/tor-pref

Warnings:
  1 endpoint of Service shop/web (10.244.9.9) names node "n9.example", which is not a Node: with externalTrafficPolicy Local no node counts it as local, and the Service can silently lose its announcement (kubelet and kube-proxy must agree on node names, e.g. both or neither with --hostname-override)
`,
    );
  });

  it('prints JSON with -o json, restricted to chosen nodes with --node', async () => {
    const { out, exitCode } = await run(['web', '-n', 'shop', '-o', 'json', '--node', 'n1', 'n2']);
    assert.equal(exitCode, 0);
    const report = JSON.parse(out) as ExplainReport;
    assert.deepEqual(report.service, {
      namespace: 'shop',
      name: 'web',
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      ips: ['10.72.32.5', '2001:db8:72::5'],
    });
    assert.equal(report.configuration.valid, true);
    assert.deepEqual(
      report.nodes.map((n) => [n.node, n.sessions, n.reason]),
      [
        ['n1', ['ironlb-system/bird', 'ironlb-system/tor'], 'announced'],
        ['n2', ['ironlb-system/bird'], 'noLocalEndpoints'],
      ],
    );
    const n1 = report.nodes[0];
    assert.deepEqual(n1!.ips[0], {
      ip: '10.72.32.5',
      family: 4,
      announce: true,
      reason: 'announced',
      message: 'announced from node n1 to BGPPeers ironlb-system/bird, ironlb-system/tor',
      pool: 'ironlb-system/default',
      advertisements: ['ironlb-system/all', 'ironlb-system/tor-pref'],
      routes: [
        {
          peer: 'ironlb-system/bird',
          prefix: '10.72.32.5/32',
          attributes: { communities: ['64698:64699'] },
          advertisements: ['ironlb-system/all'],
        },
        {
          peer: 'ironlb-system/tor',
          prefix: '10.72.32.5/32',
          attributes: {
            communities: ['64698:64699'],
            largeCommunities: ['64698:1:1'],
            localPref: 150,
          },
          advertisements: ['ironlb-system/all', 'ironlb-system/tor-pref'],
        },
      ],
      problems: [],
    });
    assert.equal(report.warnings.length, 1);
    assert.match(report.warnings[0]!, /n9\.example/);
  });

  it('a Service that does not exist: exit 1', async () => {
    const { err, exitCode } = await run(['nope', '-n', 'shop']);
    assert.equal(exitCode, 1);
    assert.match(err, /Service shop\/nope not found/);
  });

  it('an API error: exit 1 with the error', async () => {
    server.faults.failRequests({ code: 500, verb: 'get', resource: 'services' });
    const { err, exitCode } = await run(['web', '-n', 'shop']);
    assert.equal(exitCode, 1);
    assert.match(err, /500/);
  });

  it('a Secret the speaker may not read is reported by the parse', async () => {
    server.faults.failRequests({ code: 403, verb: 'get', resource: 'secrets' });
    const { out, exitCode } = await run(['web', '-n', 'shop', '-o', 'json', '--node', 'n1']);
    assert.equal(exitCode, 0);
    const report = JSON.parse(out) as ExplainReport;
    assert.equal(report.configuration.valid, false);
    assert.match(
      report.configuration.errors[0]!,
      /IRONLB_ERR_CONFIG_SECRET .*Secret ironlb-system\/bird-md5 could not be read/,
    );
    assert.equal(server.faults.pendingFailures, 0);
  });

  it('an unknown output format: exit 2', async () => {
    const { err, exitCode } = await run(['web', '-n', 'shop', '-o', 'yaml']);
    assert.equal(exitCode, 2);
    assert.match(err, /--output must be table or json/);
  });

  it('a Service without IPs, and nodes asked for that do not exist', async () => {
    server.store.put({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'pending', namespace: 'shop' },
      spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
    });
    const { out, exitCode } = await run(['pending', '-n', 'shop', '--node', 'n1', 'ghost']);
    assert.equal(exitCode, 0);
    assert.match(out, /IPs <none>/);
    assert.match(out, /^n1 +- +no +noIPAssigned +the Service has no IP in status/m);
    assert.match(out, /Warnings:\n {2}no Node is named ghost\n/);
  });

  it('an invalid configuration in the namespace: every node says so, errors listed', async () => {
    const kc = server.kubeConfig();
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'broken' } } });
    const custom = kc.makeApiClient(CustomObjectsApi);
    await custom.createNamespacedCustomObject({
      group: 'ironlb.dev',
      version: 'v1beta1',
      namespace: 'broken',
      plural: 'bgpadvertisements',
      body: {
        apiVersion: 'ironlb.dev/v1beta1',
        kind: 'BGPAdvertisement',
        metadata: { name: 'bad' },
        spec: { ipAddressPools: ['missing'] },
      },
    });
    const { out, exitCode } = await run([
      'web',
      '-n',
      'shop',
      '--config-namespace',
      'broken',
      '--node',
      'n1',
    ]);
    assert.equal(exitCode, 0);
    assert.match(
      out,
      /Configuration \(namespace broken\): INVALID, 1 error\n {2}IRONLB_ERR_CONFIG_UNKNOWN_POOL BGPAdvertisement broken\/bad/,
    );
    assert.match(out, /^n1 {4}10\.72\.32\.5 {6}no {9}configNotLoaded/m);
    assert.match(out, /the configuration in namespace broken is invalid \(1 error\)/);
  });

  it('a Secret the peer names but that is missing is a configuration error', async () => {
    const kc = server.kubeConfig();
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'nosecret' } } });
    const custom = kc.makeApiClient(CustomObjectsApi);
    await custom.createNamespacedCustomObject({
      group: 'ironlb.dev',
      version: 'v1beta1',
      namespace: 'nosecret',
      plural: 'bgppeers',
      body: {
        apiVersion: 'ironlb.dev/v1beta1',
        kind: 'BGPPeer',
        metadata: { name: 'p' },
        spec: {
          myASN: 64698,
          peerASN: 64699,
          peerAddress: '127.0.0.1',
          passwordSecret: { name: 'absent' },
        },
      },
    });
    const { out } = await run([
      'web',
      '-n',
      'shop',
      '--config-namespace',
      'nosecret',
      '-o',
      'json',
    ]);
    const report = JSON.parse(out) as ExplainReport;
    assert.equal(report.configuration.valid, false);
    assert.match(
      report.configuration.errors[0]!,
      /IRONLB_ERR_CONFIG_SECRET .*Secret nosecret\/absent does not exist/,
    );
  });
});

describe('ironlb explain without the CRDs', () => {
  it('warns that the kinds are not served', async () => {
    const bare = await startApiServer({ kubeconfigPath: join(dir, 'bare-kubeconfig') });
    try {
      bare.store.put({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'default' },
        spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
        status: { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } },
      });
      bare.store.put({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
      let out = '';
      const program = buildProgram({ stdout: (t) => (out += t), stderr: () => {} });
      await program.parseAsync(['explain', 'web', '--kubeconfig', join(dir, 'bare-kubeconfig')], {
        from: 'user',
      });
      assert.match(out, /^n1 {4}10\.0\.0\.1 {2}no {9}ipNotInAnyPool/m);
      assert.match(
        out,
        /ipaddresspools\.ironlb\.dev is not served: are the ironlb CRDs installed\?/,
      );
    } finally {
      await bare.close();
    }
  });
});
