import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IronlbConfig } from '../config/index.ts';
import type { AnnouncementReason } from './announcement-reasons.ts';
import {
  decideNodeAnnouncements,
  decideService,
  nodeContext,
  type NodeAnnouncements,
} from './announce-decision.ts';
import type { EndpointInfo, NodeInfo, ServiceInfo } from './cluster-objects.ts';
import {
  advertisement,
  baseConfig,
  bird,
  condition,
  config,
  endpoint,
  ibgpPeer,
  node,
  peer,
  pool,
  service,
  slice,
} from './test-fixtures.ts';

interface Case {
  readonly name: string;
  readonly config?: IronlbConfig | undefined;
  readonly nodeName?: string;
  readonly node?: NodeInfo | undefined;
  readonly service?: ServiceInfo;
  readonly endpoints?: EndpointInfo[];
  readonly loadBalancerClass?: string;
  /** The reason of each IP, in status order. */
  readonly reasons: AnnouncementReason[];
  /** The Service-level reason when it differs from the first IP's (no IPs). */
  readonly serviceReason?: AnnouncementReason;
  /** Text the first IP's (or the Service's) message must contain. */
  readonly message?: string | RegExp;
}

function run(c: Case): NodeAnnouncements {
  const svc = c.service ?? service('web');
  return decideNodeAnnouncements({
    nodeName: c.nodeName ?? 'n1',
    node: 'node' in c ? c.node : node('n1'),
    config: 'config' in c ? c.config : baseConfig(),
    loadBalancerClass: c.loadBalancerClass,
    services: [svc],
    endpointSlices: [
      slice(svc.name, c.endpoints ?? [endpoint('n2')], { namespace: svc.namespace }),
    ],
  });
}

const local = (ips = ['10.0.0.1']) =>
  service('web', { externalTrafficPolicy: 'Local', ingressIPs: ips });

const withPeerSelectors = config({
  pools: [pool('default', { addresses: ['10.0.0.0/24'] })],
  peers: [peer('bird', { ...bird, nodeSelectors: [{ matchLabels: { rack: '2' } }] })],
  advertisements: [advertisement('all', {})],
});

const cases: Case[] = [
  // Announced
  { name: 'Cluster, a serving endpoint on another node: announced', reasons: ['announced'] },
  {
    name: 'configuration not loaded',
    config: undefined,
    reasons: ['configNotLoaded'],
    message: 'no valid configuration',
  },
  {
    name: 'configuration not loaded, Service without IPs',
    config: undefined,
    service: service('web', { ingressIPs: [] }),
    reasons: [],
    serviceReason: 'configNotLoaded',
  },
  {
    name: 'type ClusterIP',
    service: service('web', { type: 'ClusterIP' }),
    reasons: ['serviceNotLoadBalancer'],
    message: 'type ClusterIP',
  },
  {
    name: 'a loadBalancerClass we do not serve',
    service: service('web', { loadBalancerClass: 'other.example/lb' }),
    reasons: ['classNotServed'],
    message: 'other.example/lb',
  },
  {
    name: 'our configured loadBalancerClass',
    service: service('web', { loadBalancerClass: 'ironlb.dev/bgp' }),
    loadBalancerClass: 'ironlb.dev/bgp',
    reasons: ['announced'],
  },
  {
    name: 'no class while we serve a class',
    loadBalancerClass: 'ironlb.dev/bgp',
    reasons: ['classNotServed'],
  },
  {
    name: 'no IP assigned',
    service: service('web', { ingressIPs: [] }),
    reasons: [],
    serviceReason: 'noIPAssigned',
    message: 'status.loadBalancer.ingress',
  },
  {
    name: 'an ingress IP that does not parse',
    service: service('web', { ingressIPs: ['10.0.0.300'] }),
    reasons: ['invalidIP'],
    message: '10.0.0.300',
  },
  {
    name: 'an IP outside every pool',
    service: service('web', { ingressIPs: ['192.0.2.1'] }),
    reasons: ['ipNotInAnyPool'],
    message: '192.0.2.1',
  },
  {
    name: 'no advertisement for the pool',
    config: config({
      pools: [
        pool('default', { addresses: ['10.0.0.0/24'] }),
        pool('other', { addresses: ['10.1.0.0/24'] }),
      ],
      peers: [peer('bird', bird)],
      advertisements: [advertisement('other-only', { ipAddressPools: ['other'] })],
    }),
    reasons: ['noMatchingAdvertisement'],
    message: 'IPAddressPool ironlb-system/default',
  },
  {
    name: 'pool selected by an ipAddressPoolSelector',
    config: config({
      pools: [pool('default', { addresses: ['10.0.0.0/24'] }, { exposure: 'private' })],
      peers: [peer('bird', bird)],
      advertisements: [
        advertisement('private', {
          ipAddressPoolSelectors: [{ matchLabels: { exposure: 'private' } }],
        }),
      ],
    }),
    reasons: ['announced'],
  },
  {
    name: 'serviceSelectors reject the Service',
    config: config({
      pools: [pool('default', { addresses: ['10.0.0.0/24'] })],
      peers: [peer('bird', bird)],
      advertisements: [advertisement('db', { serviceSelectors: [{ matchLabels: { app: 'db' } }] })],
    }),
    service: service('web', { labels: { app: 'web' } }),
    reasons: ['serviceNotSelected'],
    message: 'ironlb-system/db',
  },
  {
    name: 'serviceSelectors accept the Service',
    config: config({
      pools: [pool('default', { addresses: ['10.0.0.0/24'] })],
      peers: [peer('bird', bird)],
      advertisements: [
        advertisement('web', {
          serviceSelectors: [
            { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] },
          ],
        }),
      ],
    }),
    service: service('web', { labels: { app: 'web' } }),
    reasons: ['announced'],
  },
  {
    name: 'this node has no Node object',
    node: undefined,
    reasons: ['nodeNotFound'],
    message: 'NODE_NAME',
  },
  {
    name: 'advertisement nodeSelectors reject the node',
    config: config({
      pools: [pool('default', { addresses: ['10.0.0.0/24'] })],
      peers: [peer('bird', bird)],
      advertisements: [advertisement('rack2', { nodeSelectors: [{ matchLabels: { rack: '2' } }] })],
    }),
    node: node('n1', { labels: { rack: '1' } }),
    reasons: ['nodeNotSelected'],
    message: 'ironlb-system/rack2',
  },
  {
    name: 'advertisement nodeSelectors accept the node',
    config: config({
      pools: [pool('default', { addresses: ['10.0.0.0/24'] })],
      peers: [peer('bird', bird)],
      advertisements: [advertisement('rack1', { nodeSelectors: [{ matchLabels: { rack: '1' } }] })],
    }),
    node: node('n1', { labels: { rack: '1' } }),
    reasons: ['announced'],
  },
  {
    name: 'the peer has no session on this node',
    config: withPeerSelectors,
    node: node('n1', { labels: { rack: '1' } }),
    reasons: ['notSelectedByPeer'],
    message: 'ironlb-system/bird, none of which has a session on node n1',
  },
  {
    name: 'the peer selects this node',
    config: withPeerSelectors,
    node: node('n1', { labels: { rack: '2' } }),
    reasons: ['announced'],
  },
  {
    name: 'no BGPPeer exists at all',
    config: config({
      pools: [pool('default', { addresses: ['10.0.0.0/24'] })],
      advertisements: [advertisement('all', {})],
    }),
    reasons: ['notSelectedByPeer'],
    message: 'to no BGPPeer',
  },
  {
    name: 'the exclusion label (empty value)',
    node: node('n1', { labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } }),
    reasons: ['nodeExcluded'],
  },
  {
    name: 'NetworkUnavailable=True',
    node: node('n1', {
      networkUnavailable: condition('True', 'NoRouteCreated', 'routes not created'),
    }),
    reasons: ['nodeNetworkUnavailable'],
    message: 'NoRouteCreated: routes not created',
  },
  {
    name: 'NetworkUnavailable=False',
    node: node('n1', { networkUnavailable: condition('False', 'CalicoIsUp') }),
    reasons: ['announced'],
  },
  {
    name: 'Ready=False',
    node: node('n1', {
      ready: condition(
        'False',
        'KubeletNotReady',
        'network plugin not ready: cni config uninitialized',
      ),
    }),
    reasons: ['nodeNotReady'],
    message: 'cni config uninitialized',
  },
  {
    name: 'Ready=Unknown does not withdraw',
    node: node('n1', { ready: condition('Unknown', 'NodeStatusUnknown') }),
    reasons: ['announced'],
  },
  {
    name: 'no Ready condition does not withdraw',
    node: node('n1', { ready: undefined }),
    reasons: ['announced'],
  },
  {
    name: 'Cluster without endpoints',
    endpoints: [],
    reasons: ['noEndpoints'],
    message: 'no endpoints',
  },
  {
    name: 'Cluster with only not-serving endpoints',
    endpoints: [endpoint('n1', { ready: false, serving: false }), endpoint('n2', { ready: false })],
    reasons: ['noEndpoints'],
    message: 'none of the Service',
  },
  {
    name: 'Cluster with a terminating but serving endpoint',
    endpoints: [endpoint('n2', { ready: false, serving: true, terminating: true })],
    reasons: ['announced'],
  },
  {
    name: 'Local, serving endpoint only on another node',
    service: local(),
    endpoints: [endpoint('n2')],
    reasons: ['noLocalEndpoints'],
    message: '1 serving endpoint runs elsewhere (nodes n2)',
  },
  {
    name: 'Local, no endpoints at all',
    service: local(),
    endpoints: [],
    reasons: ['noLocalEndpoints'],
    message: 'no endpoints at all',
  },
  {
    name: 'Local, a serving endpoint on this node',
    service: local(),
    endpoints: [endpoint('n1'), endpoint('n2')],
    reasons: ['announced'],
  },
  {
    name: 'Local, a terminating but serving endpoint on this node (rollouts do not blackhole)',
    service: local(),
    endpoints: [endpoint('n1', { ready: false, serving: true, terminating: true })],
    reasons: ['announced'],
  },
  {
    name: 'Local, a terminating endpoint that stopped serving',
    service: local(),
    endpoints: [endpoint('n1', { ready: false, serving: false, terminating: true })],
    reasons: ['noLocalEndpoints'],
    message: 'none of its 1 endpoints is serving',
  },
  {
    name: 'Local, a not-ready endpoint without serving (falls back to ready)',
    service: local(),
    endpoints: [endpoint('n1', { ready: false })],
    reasons: ['noLocalEndpoints'],
  },
  {
    name: 'Local, a ready endpoint without serving (falls back to ready)',
    service: local(),
    endpoints: [endpoint('n1', { ready: true })],
    reasons: ['announced'],
  },
  {
    name: 'Local, an endpoint without conditions (unknown counts as ready)',
    service: local(),
    endpoints: [endpoint('n1', {})],
    reasons: ['announced'],
  },
  {
    name: 'Local, serving false wins over ready true',
    service: local(),
    endpoints: [endpoint('n1', { ready: true, serving: false })],
    reasons: ['noLocalEndpoints'],
  },
  {
    name: 'Local, the endpoint names the node differently (hostname override)',
    service: local(),
    endpoints: [endpoint('n1.example.com')],
    reasons: ['noLocalEndpoints'],
    message: 'nodes n1.example.com',
  },
  {
    name: 'Local, the endpoint has no nodeName',
    service: local(),
    endpoints: [endpoint(undefined)],
    reasons: ['noLocalEndpoints'],
    message: '1 serving endpoint runs elsewhere (1 without a nodeName)',
  },
  {
    name: 'dual-stack: both addresses announced',
    service: service('web', { ingressIPs: ['10.0.0.1', '2001:db8::1'] }),
    reasons: ['announced', 'announced'],
  },
  {
    name: 'dual-stack: the IPv6 address is outside the pools',
    service: service('web', { ingressIPs: ['10.0.0.1', '2001:db9::1'] }),
    reasons: ['announced', 'ipNotInAnyPool'],
  },
  {
    name: 'dual-stack: first address outside the pools, Service still announced',
    service: service('web', { ingressIPs: ['192.0.2.1', '2001:db8::1'] }),
    reasons: ['ipNotInAnyPool', 'announced'],
    serviceReason: 'announced',
  },
  {
    name: 'duplicate ingress entries count once (and IPv6 is canonicalised)',
    service: service('web', { ingressIPs: ['2001:DB8:0::1', '2001:db8::1'] }),
    reasons: ['announced'],
  },
  // Precedence: the first "no" in the documented order is the one reported.
  {
    name: 'precedence: configuration before everything',
    config: undefined,
    service: service('web', { type: 'NodePort' }),
    reasons: ['configNotLoaded'],
  },
  {
    name: 'precedence: advertisement selectors before node state',
    config: config({
      pools: [pool('default', { addresses: ['10.0.0.0/24'] })],
      peers: [peer('bird', bird)],
      advertisements: [advertisement('rack2', { nodeSelectors: [{ matchLabels: { rack: '2' } }] })],
    }),
    node: node('n1', {
      labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': 'true' },
    }),
    reasons: ['nodeNotSelected'],
  },
  {
    name: 'precedence: node exclusion before endpoints',
    service: local(),
    endpoints: [],
    node: node('n1', {
      labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': 'true' },
      ready: condition('False'),
    }),
    reasons: ['nodeExcluded'],
  },
  {
    name: 'precedence: NetworkUnavailable before Ready',
    node: node('n1', { networkUnavailable: condition('True'), ready: condition('False') }),
    reasons: ['nodeNetworkUnavailable'],
  },
];

describe('decideService: one reason per rule', () => {
  for (const c of cases) {
    it(c.name, () => {
      const result = run(c);
      const [decision] = result.services;
      assert.ok(decision !== undefined);
      assert.deepEqual(
        decision.ips.map((ip) => ip.reason),
        c.reasons,
      );
      const serviceReason =
        c.serviceReason ??
        (c.reasons.includes('announced') ? 'announced' : (c.reasons[0] ?? 'noIPAssigned'));
      assert.equal(decision.reason, serviceReason);
      assert.equal(decision.announce, serviceReason === 'announced');
      for (const ip of decision.ips) {
        assert.equal(ip.announce, ip.reason === 'announced');
        assert.equal(ip.routes.length > 0, ip.announce, 'routes exactly when announced');
        assert.ok(ip.message.length > 0);
      }
      if (c.message !== undefined) {
        const message = decision.ips[0]?.message ?? decision.message;
        if (typeof c.message === 'string') assert.ok(message.includes(c.message), message);
        else assert.match(message, c.message);
      }
      const announcedCount = decision.ips.filter((ip) => ip.announce).length;
      const routeCount = [...result.routes.values()].reduce((n, list) => n + list.length, 0);
      assert.equal(routeCount, announcedCount, 'one /32 or /128 per announced address');
    });
  }
});

describe('routes', () => {
  it('announces the address as a host route to the peer, next hop self, no attributes', () => {
    const result = run({ name: '', reasons: [] });
    assert.deepEqual(
      [...result.routes],
      [['ironlb-system/bird', [{ prefix: '10.0.0.1/32', attributes: {} }]]],
    );
    assert.deepEqual(
      result.sessions.map((s) => s.ref),
      ['ironlb-system/bird'],
    );
    assert.deepEqual(result.problems, []);
    const ip = result.services[0]!.ips[0]!;
    assert.equal(ip.pool, 'ironlb-system/default');
    assert.deepEqual(ip.advertisements, ['ironlb-system/all']);
    assert.equal(ip.message, 'announced from node n1 to BGPPeer ironlb-system/bird');
  });

  it('every session has an entry, also without routes', () => {
    const result = run({ name: '', reasons: [], endpoints: [] });
    assert.deepEqual([...result.routes], [['ironlb-system/bird', []]]);
  });

  it('dual-stack: IPv4 then IPv6, host routes of each family', () => {
    const result = run({
      name: '',
      reasons: [],
      service: service('web', { ingressIPs: ['2001:db8::1', '10.0.0.1'] }),
    });
    assert.deepEqual(result.routes.get('ironlb-system/bird'), [
      { prefix: '10.0.0.1/32', attributes: {} },
      { prefix: '2001:db8::1/128', attributes: {} },
    ]);
    assert.deepEqual(
      result.services[0]!.ips.map((ip) => [ip.ip, ip.family]),
      [
        ['2001:db8::1', 6],
        ['10.0.0.1', 4],
      ],
    );
  });

  it('without a Node object, only peers for every node get a session, and carry nothing', () => {
    const cfg = config({
      pools: [pool('default', { addresses: ['10.0.0.0/24'] })],
      peers: [
        peer('everywhere', bird),
        peer('rack1', {
          ...bird,
          peerAddress: '127.0.0.3',
          nodeSelectors: [{ matchLabels: { rack: '1' } }],
        }),
      ],
      advertisements: [advertisement('all', {})],
    });
    const result = run({ name: '', reasons: [], config: cfg, node: undefined });
    assert.deepEqual([...result.routes], [['ironlb-system/everywhere', []]]);
  });

  it('Services are sorted by key whatever the input order', () => {
    const ctx = nodeContext({ nodeName: 'n1', node: node('n1'), config: baseConfig() });
    const a = decideNodeAnnouncements({
      nodeName: 'n1',
      node: node('n1'),
      config: baseConfig(),
      services: [service('b', { ingressIPs: ['10.0.0.2'] }), service('a')],
      endpointSlices: [slice('a', [endpoint('n1')]), slice('b', [endpoint('n1')])],
    });
    assert.deepEqual(
      a.services.map((s) => s.key),
      ['default/a', 'default/b'],
    );
    assert.equal(
      decideService(ctx, service('a'), [endpoint('n2')]).message,
      'announcing 10.0.0.1 from node n1 to BGPPeer ironlb-system/bird',
    );
  });
});

describe('aggregation', () => {
  const aggregated = (extra: Record<string, unknown> = {}) =>
    config({
      pools: [pool('default', { addresses: ['10.0.0.0/24', '2001:db8::/64'] })],
      peers: [peer('bird', bird)],
      advertisements: [
        advertisement('agg', { aggregationLength: 24, aggregationLengthV6: 64, ...extra }),
      ],
    });

  it('announces the covering IPv4 prefix instead of the address, once for several Services', () => {
    const result = decideNodeAnnouncements({
      nodeName: 'n1',
      node: node('n1'),
      config: aggregated(),
      services: [
        service('a', { ingressIPs: ['10.0.0.7'] }),
        service('b', { ingressIPs: ['10.0.0.200'] }),
      ],
      endpointSlices: [slice('a', [endpoint('n2')]), slice('b', [endpoint('n2')])],
    });
    assert.deepEqual(result.routes.get('ironlb-system/bird'), [
      { prefix: '10.0.0.0/24', attributes: {} },
    ]);
    assert.deepEqual(
      result.services.map((s) => s.ips[0]!.routes.map((r) => r.prefix)),
      [['10.0.0.0/24'], ['10.0.0.0/24']],
    );
  });

  it('announces the covering IPv6 prefix', () => {
    const result = decideNodeAnnouncements({
      nodeName: 'n1',
      node: node('n1'),
      config: aggregated(),
      services: [service('a', { ingressIPs: ['2001:db8::abcd:1'] })],
      endpointSlices: [slice('a', [endpoint('n2')])],
    });
    assert.deepEqual(result.routes.get('ironlb-system/bird'), [
      { prefix: '2001:db8::/64', attributes: {} },
    ]);
  });

  it('Local: the aggregate stays while any address in it is announced from the node', () => {
    const input = (endpointsA: EndpointInfo[], endpointsB: EndpointInfo[]) =>
      decideNodeAnnouncements({
        nodeName: 'n1',
        node: node('n1'),
        config: aggregated(),
        services: [
          service('a', { externalTrafficPolicy: 'Local', ingressIPs: ['10.0.0.1'] }),
          service('b', { externalTrafficPolicy: 'Local', ingressIPs: ['10.0.0.2'] }),
        ],
        endpointSlices: [slice('a', endpointsA), slice('b', endpointsB)],
      });
    const one = input([endpoint('n1')], [endpoint('n2')]);
    assert.deepEqual(one.routes.get('ironlb-system/bird'), [
      { prefix: '10.0.0.0/24', attributes: {} },
    ]);
    assert.deepEqual(
      one.services.map((s) => s.reason),
      ['announced', 'noLocalEndpoints'],
    );
    const none = input([endpoint('n2')], [endpoint('n2')]);
    assert.deepEqual(none.routes.get('ironlb-system/bird'), []);
  });

  it('two advertisements with different lengths announce both prefixes', () => {
    const cfg = config({
      pools: [pool('default', { addresses: ['10.0.0.0/24'] })],
      peers: [peer('bird', bird)],
      advertisements: [
        advertisement('host', {}),
        advertisement('agg', { aggregationLength: 24, communities: ['64698:24'] }),
      ],
    });
    const result = run({ name: '', reasons: [], config: cfg });
    assert.deepEqual(result.routes.get('ironlb-system/bird'), [
      { prefix: '10.0.0.0/24', attributes: { communities: ['64698:24'] } },
      { prefix: '10.0.0.1/32', attributes: {} },
    ]);
    assert.deepEqual(
      result.services[0]!.ips[0]!.routes.map((r) => [r.prefix, r.advertisements]),
      [
        ['10.0.0.0/24', ['ironlb-system/agg']],
        ['10.0.0.1/32', ['ironlb-system/host']],
      ],
    );
  });
});

describe('communities and localPref', () => {
  it('overlapping advertisements merge their communities (aliases resolved, large separate)', () => {
    const cfg = config({
      pools: [pool('default', { addresses: ['10.0.0.0/24'] })],
      peers: [peer('bird', bird)],
      communities: [
        {
          apiVersion: 'ironlb.dev/v1beta1',
          kind: 'Community',
          metadata: { name: 'aliases', namespace: 'ironlb-system' },
          spec: { communities: [{ name: 'no-install', value: '64698:64699' }] },
        },
      ],
      advertisements: [
        advertisement('a', { communities: ['65000:2', 'large:64698:1:2'] }),
        advertisement('b', { communities: ['no-install', '65000:2', '65000:1'] }),
      ],
    });
    const result = run({ name: '', reasons: [], config: cfg });
    assert.deepEqual(result.routes.get('ironlb-system/bird'), [
      {
        prefix: '10.0.0.1/32',
        attributes: {
          communities: ['64698:64699', '65000:1', '65000:2'],
          largeCommunities: ['64698:1:2'],
        },
      },
    ]);
    assert.deepEqual(result.services[0]!.ips[0]!.routes[0]!.advertisements, [
      'ironlb-system/a',
      'ironlb-system/b',
    ]);
  });

  it('one aggregate from two Services with different advertisements merges deterministically', () => {
    const cfg = config({
      pools: [pool('default', { addresses: ['10.0.0.0/24'] })],
      peers: [peer('bird', bird)],
      advertisements: [
        advertisement('for-a', {
          aggregationLength: 24,
          communities: ['65000:1'],
          serviceSelectors: [{ matchLabels: { app: 'a' } }],
        }),
        advertisement('for-b', {
          aggregationLength: 24,
          communities: ['65000:2'],
          serviceSelectors: [{ matchLabels: { app: 'b' } }],
        }),
      ],
    });
    const services = [
      service('a', { labels: { app: 'a' }, ingressIPs: ['10.0.0.1'] }),
      service('b', { labels: { app: 'b' }, ingressIPs: ['10.0.0.2'] }),
    ];
    const slices = [slice('a', [endpoint('n1')]), slice('b', [endpoint('n1')])];
    const forward = decideNodeAnnouncements({
      nodeName: 'n1',
      node: node('n1'),
      config: cfg,
      services,
      endpointSlices: slices,
    });
    const backward = decideNodeAnnouncements({
      nodeName: 'n1',
      node: node('n1'),
      config: cfg,
      services: [...services].reverse(),
      endpointSlices: [...slices].reverse(),
    });
    const expected = [
      { prefix: '10.0.0.0/24', attributes: { communities: ['65000:1', '65000:2'] } },
    ];
    assert.deepEqual(forward.routes.get('ironlb-system/bird'), expected);
    assert.deepEqual(backward.routes.get('ironlb-system/bird'), expected);
    // Per address, only its own advertisement's communities.
    assert.deepEqual(forward.services[0]!.ips[0]!.routes[0]!.attributes, {
      communities: ['65000:1'],
    });
  });

  const prefConfig = (peerSpec: Record<string, unknown>) =>
    config({
      pools: [pool('default', { addresses: ['10.0.0.0/24'] })],
      peers: [peer('tor', peerSpec)],
      advertisements: [
        // Node selectors on different labels: the parse cannot tell they meet, the speaker can.
        advertisement('a-rack', {
          localPref: 200,
          nodeSelectors: [{ matchLabels: { rack: '1' } }],
        }),
        advertisement('b-zone', {
          localPref: 100,
          nodeSelectors: [{ matchLabels: { zone: 'a' } }],
        }),
      ],
    });
  const both = node('n1', { labels: { rack: '1', zone: 'a' } });

  it('localPref is sent to iBGP peers', () => {
    const result = run({
      name: '',
      reasons: [],
      config: prefConfig(ibgpPeer),
      node: node('n1', { labels: { rack: '1' } }),
    });
    assert.deepEqual(result.routes.get('ironlb-system/tor'), [
      { prefix: '10.0.0.1/32', attributes: { localPref: 200 } },
    ]);
  });

  it('localPref is dropped for eBGP peers, so different values are no conflict there', () => {
    const result = run({ name: '', reasons: [], config: prefConfig(bird), node: both });
    assert.deepEqual(result.routes.get('ironlb-system/tor'), [
      { prefix: '10.0.0.1/32', attributes: {} },
    ]);
    assert.deepEqual(result.problems, []);
  });

  it('conflicting localPref toward an iBGP peer: the first advertisement by name wins, reported', () => {
    const result = run({ name: '', reasons: [], config: prefConfig(ibgpPeer), node: both });
    assert.deepEqual(result.routes.get('ironlb-system/tor'), [
      { prefix: '10.0.0.1/32', attributes: { localPref: 200 } },
    ]);
    const expected = {
      reason: 'localPrefConflict',
      peer: 'ironlb-system/tor',
      prefix: '10.0.0.1/32',
      message:
        'BGPAdvertisements ironlb-system/a-rack (localPref 200), ironlb-system/b-zone (localPref 100) apply to 10.0.0.1/32 toward iBGP peer ironlb-system/tor; using localPref 200 of ironlb-system/a-rack',
    };
    assert.deepEqual(result.problems, [expected]);
    assert.deepEqual(result.services[0]!.ips[0]!.problems, [expected]);
    assert.equal(result.services[0]!.ips[0]!.reason, 'announced');
  });

  it('an advertisement without localPref does not conflict with one that has it', () => {
    const cfg = config({
      pools: [pool('default', { addresses: ['10.0.0.0/24'] })],
      peers: [peer('tor', ibgpPeer)],
      advertisements: [advertisement('a', {}), advertisement('b', { localPref: 150 })],
    });
    const result = run({ name: '', reasons: [], config: cfg });
    assert.deepEqual(result.routes.get('ironlb-system/tor'), [
      { prefix: '10.0.0.1/32', attributes: { localPref: 150 } },
    ]);
    assert.deepEqual(result.problems, []);
  });
});

describe('peers', () => {
  it('advertisements name peers: each peer gets only what names it', () => {
    const cfg = config({
      pools: [
        pool('public', { addresses: ['203.0.113.16/28'] }),
        pool('private', { addresses: ['10.0.0.0/24'] }),
      ],
      peers: [peer('bird', bird), peer('tor', { ...ibgpPeer })],
      advertisements: [
        advertisement('public', {
          ipAddressPools: ['public'],
          peers: ['tor'],
          communities: ['65000:7'],
        }),
        advertisement('private', { ipAddressPools: ['private'], peers: ['bird'] }),
      ],
    });
    const result = decideNodeAnnouncements({
      nodeName: 'n1',
      node: node('n1'),
      config: cfg,
      services: [
        service('a', { ingressIPs: ['203.0.113.17'] }),
        service('b', { ingressIPs: ['10.0.0.9'] }),
      ],
      endpointSlices: [slice('a', [endpoint('n1')]), slice('b', [endpoint('n1')])],
    });
    assert.deepEqual(
      [...result.routes],
      [
        ['ironlb-system/bird', [{ prefix: '10.0.0.9/32', attributes: {} }]],
        [
          'ironlb-system/tor',
          [{ prefix: '203.0.113.17/32', attributes: { communities: ['65000:7'] } }],
        ],
      ],
    );
  });

  it('two peers with one address both selecting the node: one session, reported', () => {
    const cfg = config({
      pools: [pool('default', { addresses: ['10.0.0.0/24'] })],
      peers: [
        peer('a', { ...bird, nodeSelectors: [{ matchLabels: { rack: '1' } }] }),
        peer('b', { ...bird, nodeSelectors: [{ matchLabels: { zone: 'x' } }] }),
      ],
      advertisements: [advertisement('all', {})],
    });
    const result = run({
      name: '',
      reasons: [],
      config: cfg,
      node: node('n1', { labels: { rack: '1', zone: 'x' } }),
    });
    assert.deepEqual(
      result.sessions.map((s) => s.ref),
      ['ironlb-system/a'],
    );
    assert.deepEqual(
      result.problems.map((p) => [p.reason, p.peer]),
      [['duplicatePeerSession', 'ironlb-system/b']],
    );
    assert.deepEqual([...result.routes.keys()], ['ironlb-system/a']);
    // The other node, selected by one of them only, has no problem.
    const other = run({
      name: '',
      reasons: [],
      config: cfg,
      node: node('n1', { labels: { zone: 'x' } }),
    });
    assert.deepEqual(
      other.sessions.map((s) => s.ref),
      ['ironlb-system/b'],
    );
    assert.deepEqual(other.problems, []);
  });
});
