/**
 * `ironlb speaker` end to end: two speaker processes (nodes n1 and n2)
 * against the test API server and one real BIRD on loopback (127.0.30.x),
 * with a passive BGP protocol per speaker session. Everything started here
 * is stopped in `after`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { TestApiServer } from '../support/api-server/index.ts';
import { birdUnavailable } from '../support/peers/bird.ts';
import { waitFor } from '../support/peers/daemon-process.ts';
import { kubeconfigFile, startCluster, httpGet } from '../controller/harness.ts';
import { poolManifest } from '../support/controller-fixtures.ts';
import {
  advertisementManifest,
  loadBalancer,
  nodeManifest,
  peerManifest,
  sliceManifest,
} from './fixtures.ts';
import { metricValue, NAMESPACE, spawnSpeaker, TestBird, type SpeakerProcess } from './harness.ts';

const skip = birdUnavailable();
const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const BIRD = '127.0.30.1';
/** BIRD's address for the iBGP session (one session per peer address and port). */
const BIRD_IBGP = '127.0.30.5';
const PORT = 12179;
const SOURCE = { n1: '127.0.30.2', n1ibgp: '127.0.30.3', n2: '127.0.30.4' };

function peer(
  node: string,
  source: string,
  peerASN: number,
  peerAddress = BIRD,
): Record<string, unknown> {
  return {
    myASN: 64698,
    peerASN,
    peerAddress,
    peerPort: PORT,
    sourceAddress: source,
    holdTime: '9s',
    connectTime: '1s',
    nodeSelectors: [{ matchLabels: { 'kubernetes.io/hostname': node } }],
  };
}

describe('ironlb speaker with BIRD', { skip, timeout: 120_000 }, () => {
  let server: TestApiServer;
  let kubeconfig: { path: string; remove: () => void };
  let bird: TestBird;
  const speakers: SpeakerProcess[] = [];
  let n1: SpeakerProcess;
  let n2: SpeakerProcess;

  const context = (): string => [...speakers.map((s) => s.tail(25)), bird.tail()].join('\n');
  const routesAt = (protocol: string) => bird.routes(protocol);
  const prefixesAt = async (protocol: string): Promise<string[]> =>
    (await routesAt(protocol)).map((r) => r.prefix).sort();
  const until = <T>(what: string, probe: () => Promise<T | undefined> | T | undefined) =>
    waitFor(what, probe, { timeoutMs: 15_000, intervalMs: 50, context });
  const events = (reason: string, name?: string) =>
    server.store
      .list('v1', 'Event', 'default')
      .filter(
        (e) =>
          e.reason === reason &&
          (name === undefined || (e.involvedObject as { name?: string }).name === name),
      );

  before(async () => {
    server = await startCluster();
    kubeconfig = kubeconfigFile(server.kubeconfig);
    bird = new TestBird(BIRD, PORT, [
      { name: 'n1', neighbor: SOURCE.n1, localAs: 64699, neighborAs: 64698 },
      {
        name: 'n1_ibgp',
        neighbor: SOURCE.n1ibgp,
        local: BIRD_IBGP,
        localAs: 64698,
        neighborAs: 64698,
      },
      { name: 'n2', neighbor: SOURCE.n2, localAs: 64699, neighborAs: 64698 },
    ]);
    await bird.start();
    const { store } = server;
    store.put(nodeManifest('n1', { internalIP: '192.0.2.11' }));
    store.put(nodeManifest('n2', { internalIP: '192.0.2.12' }));
    store.put(poolManifest('default', ['10.90.0.0/24']));
    store.put(peerManifest('bird-n1', peer('n1', SOURCE.n1, 64699)));
    store.put(peerManifest('ibgp-n1', peer('n1', SOURCE.n1ibgp, 64698, BIRD_IBGP)));
    store.put(peerManifest('bird-n2', peer('n2', SOURCE.n2, 64699)));
    store.put(
      advertisementManifest('all', {
        communities: ['64698:64699', 'large:64698:7:7'],
        localPref: 150,
      }),
    );
    n1 = spawnSpeaker(kubeconfig.path, 'n1', ['--drain-period', '2s']);
    n2 = spawnSpeaker(kubeconfig.path, 'n2');
    speakers.push(n1, n2);
  });

  after(async () => {
    await Promise.all(speakers.map((s) => s.stop()));
    await bird?.stop();
    await server?.close();
    kubeconfig?.remove();
  });

  it('opens one session per selected BGPPeer and becomes ready', async () => {
    await until('n1, n1_ibgp and n2 Established', async () =>
      (await bird.established('n1')) &&
      (await bird.established('n1_ibgp')) &&
      (await bird.established('n2'))
        ? true
        : undefined,
    );
    const port = await n1.httpPort();
    await until('n1 ready', async () =>
      (await httpGet(port, '/readyz')).status === 200 ? true : undefined,
    );
    const metrics = (await httpGet(port, '/metrics')).body;
    await until('session_up 1 for bird-n1', async () =>
      metricValue((await httpGet(port, '/metrics')).body, 'ironlb_bgp_session_up', {
        peer: 'ironlb-system/bird-n1',
      }) === 1
        ? true
        : undefined,
    );
    assert.equal(metricValue(metrics, 'ironlb_k8s_client_config_loaded_bool'), 1);
    // Each speaker writes its own entry into the shared BGPPeer status.
    await until('BGPPeer bird-n1 status says n1 is Established', () => {
      const object = server.store.get('ironlb.dev/v1beta1', 'BGPPeer', 'bird-n1', NAMESPACE) as
        { status?: { sessions?: Array<{ node: string; state: string }> } } | undefined;
      return object?.status?.sessions?.some((s) => s.node === 'n1' && s.state === 'Established')
        ? true
        : undefined;
    });
    await until('ConfigurationState speaker-n1 Valid', () => {
      const object = server.store.get(
        'ironlb.dev/v1beta1',
        'ConfigurationState',
        'speaker-n1',
        NAMESPACE,
      ) as { status?: { result?: string } } | undefined;
      return object?.status?.result === 'Valid' ? true : undefined;
    });
  });

  it('announces per node: Local only where an endpoint runs, Cluster everywhere; attributes as configured', async () => {
    server.store.put(loadBalancer('web', '10.90.0.5', { policy: 'Local' }));
    server.store.put(sliceManifest('web', ['n1']));
    server.store.put(loadBalancer('shared', '10.90.0.6'));
    server.store.put(sliceManifest('shared', ['n2']));
    await until('n1 announces both', async () =>
      JSON.stringify(await prefixesAt('n1')) === JSON.stringify(['10.90.0.5/32', '10.90.0.6/32'])
        ? true
        : undefined,
    );
    await until('n2 announces only the Cluster Service', async () =>
      JSON.stringify(await prefixesAt('n2')) === JSON.stringify(['10.90.0.6/32'])
        ? true
        : undefined,
    );
    const [web] = (await routesAt('n1')).filter((r) => r.prefix === '10.90.0.5/32');
    assert.deepEqual([...web!.communities].sort(), ['64698:64699']);
    assert.deepEqual(web!.largeCommunities, ['64698:7:7']);
    assert.deepEqual(web!.asPath, [64698]);
    assert.equal(web!.nextHop, SOURCE.n1, 'next hop self');
    const ibgp = await until('the iBGP peer has the routes', async () => {
      const routes = await routesAt('n1_ibgp');
      return routes.length === 2 ? routes : undefined;
    });
    assert.ok(
      ibgp.every((r) => r.localPref === 150),
      'localPref toward the iBGP peer',
    );

    await until('ServiceBGPStatus of web on n1', () =>
      server.store.list('ironlb.dev/v1beta1', 'ServiceBGPStatus', 'default').some((o) => {
        const status = (o.status ?? {}) as {
          node?: string;
          serviceName?: string;
          peers?: string[];
        };
        return (
          status.node === 'n1' &&
          status.serviceName === 'web' &&
          JSON.stringify(status.peers) ===
            JSON.stringify(['ironlb-system/bird-n1', 'ironlb-system/ibgp-n1'])
        );
      })
        ? true
        : undefined,
    );
    await until('nodeAnnouncing on web from n1', () =>
      events('nodeAnnouncing', 'web').some((e) => text(e.message).includes('from node n1'))
        ? true
        : undefined,
    );
    assert.equal(
      events('nodeAnnouncing', 'web').filter((e) => text(e.message).includes('from node n2'))
        .length,
      0,
      'n2 never announced web, so it records nothing about it',
    );
    const port = await n1.httpPort();
    await until('ironlb_speaker_announced for web on n1', async () =>
      metricValue((await httpGet(port, '/metrics')).body, 'ironlb_speaker_announced', {
        service: 'default/web',
        ip: '10.90.0.5',
      }) === 1
        ? true
        : undefined,
    );
  });

  it('the last local endpoint leaving withdraws a Local Service; a Cluster Service stays while endpoints elsewhere serve', async () => {
    server.store.put(sliceManifest('web', ['n2']));
    await until('web moves from n1 to n2', async () =>
      JSON.stringify(await prefixesAt('n1')) === JSON.stringify(['10.90.0.6/32']) &&
      (await prefixesAt('n2')).includes('10.90.0.5/32')
        ? true
        : undefined,
    );
    await until('nodeWithdrew on web from n1 with the reason', () =>
      events('nodeWithdrew', 'web').some(
        (e) =>
          text(e.message).includes('from node n1') && text(e.message).includes('noLocalEndpoints'),
      )
        ? true
        : undefined,
    );
    await until("n1's ServiceBGPStatus for web is deleted", () =>
      server.store.list('ironlb.dev/v1beta1', 'ServiceBGPStatus', 'default').some((o) => {
        const status = (o.status ?? {}) as { node?: string; serviceName?: string };
        return status.node === 'n1' && status.serviceName === 'web';
      })
        ? undefined
        : true,
    );
  });

  it('reports endpoints that name no Node: Warning event and metric', async () => {
    server.store.put(sliceManifest('web', ['n2', 'n1.example.com'], { name: 'web-slice' }));
    await until('endpointNodeUnknown on web', () =>
      events('endpointNodeUnknown', 'web').some((e) => text(e.message).includes('"n1.example.com"'))
        ? true
        : undefined,
    );
    const port = await n2.httpPort();
    await until('ironlb_speaker_endpoints_unknown_node{service="default/web"} 1', async () =>
      metricValue((await httpGet(port, '/metrics')).body, 'ironlb_speaker_endpoints_unknown_node', {
        service: 'default/web',
      }) === 1
        ? true
        : undefined,
    );
    const warning = events('endpointNodeUnknown', 'web')[0]!;
    assert.equal(warning.type, 'Warning');
    assert.match(text(warning.message), /similar Node names: n1/);
    server.store.put(sliceManifest('web', ['n2'], { name: 'web-slice' }));
  });

  it('a node labelled exclude-from-external-load-balancers withdraws everything; unlabelled it announces again', async () => {
    const core = server.kubeConfig().makeApiClient(CoreV1Api);
    const label = async (value: string | null): Promise<void> => {
      await core.patchNode(
        {
          name: 'n1',
          body: {
            metadata: {
              labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': value },
            },
          },
        },
        (await import('@kubernetes/client-node')).setHeaderOptions(
          'Content-Type',
          'application/merge-patch+json',
        ),
      );
    };
    await label('true');
    await until('n1 withdraws the Cluster Service', async () =>
      (await prefixesAt('n1')).length === 0 ? true : undefined,
    );
    assert.ok(await bird.established('n1'), 'the session stays up, only the routes go');
    await until('nodeWithdrew nodeExcluded on shared', () =>
      events('nodeWithdrew', 'shared').some((e) => text(e.message).includes('nodeExcluded'))
        ? true
        : undefined,
    );
    await label(null);
    await until('n1 announces shared again', async () =>
      JSON.stringify(await prefixesAt('n1')) === JSON.stringify(['10.90.0.6/32'])
        ? true
        : undefined,
    );
  });

  it('a BGPPeer edit that changes the session (hold time) replaces it; the routes come back', async () => {
    const custom = server.kubeConfig().makeApiClient(CustomObjectsApi);
    const before = await bird.protocolInfo('n1');
    assert.match(before, /Hold timer:\s+[\d.]+\/9/);
    await custom.patchNamespacedCustomObject(
      {
        group: 'ironlb.dev',
        version: 'v1beta1',
        namespace: NAMESPACE,
        plural: 'bgppeers',
        name: 'bird-n1',
        body: { spec: { holdTime: '6s' } },
      },
      (await import('@kubernetes/client-node')).setHeaderOptions(
        'Content-Type',
        'application/merge-patch+json',
      ),
    );
    await until('BIRD negotiated hold time 6 with n1', async () =>
      /Hold timer:\s+[\d.]+\/6/.test(await bird.protocolInfo('n1')) ? true : undefined,
    );
    await until('the routes are back on the new session', async () =>
      JSON.stringify(await prefixesAt('n1')) === JSON.stringify(['10.90.0.6/32'])
        ? true
        : undefined,
    );
    assert.ok(
      n1.lines.some((l) => l.msg === 'replacing the session: holdTimeSeconds changed'),
      'the speaker says why it replaced the session',
    );
    const port = await n1.httpPort();
    const text = (await httpGet(port, '/metrics')).body;
    assert.equal(
      metricValue(text, 'ironlb_speaker_session_replacements_total', {
        peer: 'ironlb-system/bird-n1',
      }),
      1,
    );
    assert.ok(
      (metricValue(text, 'ironlb_bgp_updates_total', { peer: 'ironlb-system/bird-n1' }) ?? 0) >= 3,
      'UPDATEs of both sessions are counted',
    );
  });

  it('SIGTERM: GRACEFUL_SHUTDOWN (and LOCAL_PREF 0 toward iBGP) during the drain, then withdrawal, Cease, exit 0', async () => {
    server.store.put(sliceManifest('web', ['n1', 'n2']));
    await until('n1 announces both again', async () =>
      (await prefixesAt('n1')).length === 2 && (await routesAt('n1_ibgp')).length === 2
        ? true
        : undefined,
    );
    n1.kill('SIGTERM');
    const drained = await until('the routes carry GRACEFUL_SHUTDOWN', async () => {
      const routes = await routesAt('n1');
      return routes.length === 2 && routes.every((r) => r.communities.includes('65535:0'))
        ? routes
        : undefined;
    });
    assert.ok(
      drained.every((r) => r.largeCommunities.includes('64698:7:7')),
      'other attributes kept',
    );
    await until('LOCAL_PREF 0 toward the iBGP peer', async () => {
      const routes = await routesAt('n1_ibgp');
      return routes.length === 2 &&
        routes.every((r) => r.localPref === 0 && r.communities.includes('65535:0'))
        ? true
        : undefined;
    });
    await until('withdrawn after the drain', async () =>
      (await routesAt('n1')).length === 0 ? true : undefined,
    );
    assert.equal(await n1.exited, 0);
    const info = await bird.protocolInfo('n1');
    assert.match(info, /Administrative shutdown|shutting down/i, 'BIRD saw our Cease');
    assert.deepEqual(await prefixesAt('n2'), ['10.90.0.5/32', '10.90.0.6/32'], 'n2 unaffected');
    const left = server.store
      .list('ironlb.dev/v1beta1', 'ServiceBGPStatus', 'default')
      .filter((o) => (o.status as { node?: string } | undefined)?.node === 'n1');
    assert.deepEqual(left, [], "n1's ServiceBGPStatus objects are removed");
    const peerObject = server.store.get('ironlb.dev/v1beta1', 'BGPPeer', 'bird-n1', NAMESPACE) as {
      status?: { sessions?: Array<{ node: string }> };
    };
    assert.ok(
      !(peerObject.status?.sessions ?? []).some((s) => s.node === 'n1'),
      'n1 entry removed',
    );
  });
});
