import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { anySelectorMatches, parseConfig, type IronlbConfig } from '../config/index.ts';
import { parseAddress } from '../ipam/address.ts';
import { decideNodeAnnouncements, type NodeAnnouncements } from './announce-decision.ts';
import {
  endpointServes,
  type EndpointInfo,
  type EndpointSliceInfo,
  type NodeInfo,
  type ServiceInfo,
} from './cluster-objects.ts';
import { advertisement, condition, peer, pool } from './test-fixtures.ts';

const NODE_NAMES = ['n1', 'n2', 'n3'] as const;

const selectorList = fc.array(
  fc.constantFrom(
    { matchLabels: { rack: '1' } },
    { matchLabels: { zone: 'a' } },
    { matchExpressions: [{ key: 'rack', operator: 'NotIn', values: ['2'] }] },
    { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] },
  ),
  { maxLength: 2 },
);
const serviceSelectorList = fc.array(
  fc.constantFrom({ matchLabels: { app: 'web' } }, { matchLabels: { app: 'db' } }),
  { maxLength: 1 },
);

const configObjects = fc
  .record({
    peers: fc.uniqueArray(
      fc.record({
        name: fc.constantFrom('bird', 'tor', 'spine'),
        address: fc.constantFrom('127.0.0.1', '127.0.0.2', '::1'),
        ibgp: fc.boolean(),
        nodeSelectors: selectorList,
      }),
      { selector: (p) => p.name, minLength: 1, maxLength: 3 },
    ),
    advertisements: fc.uniqueArray(
      fc.record({
        name: fc.constantFrom('a', 'b', 'c'),
        pools: fc.subarray(['p4', 'p46'], { minLength: 0 }),
        peerPick: fc.subarray(['bird', 'tor', 'spine']),
        nodeSelectors: selectorList,
        serviceSelectors: serviceSelectorList,
        communities: fc.subarray(['65000:1', '65000:2', 'large:64698:1:1']),
        aggregationLength: fc.constantFrom(24, 32),
        aggregationLengthV6: fc.constantFrom(64, 128),
        localPref: fc.constantFrom(undefined, undefined, 100, 200),
      }),
      { selector: (a) => a.name, minLength: 1, maxLength: 3 },
    ),
  })
  .map(({ peers, advertisements }) => {
    const peerNames = new Set<string>(peers.map((p) => p.name));
    return {
      ipAddressPools: [
        pool('p4', { addresses: ['10.1.0.0/24'] }),
        pool('p46', { addresses: ['10.0.0.0/24', '2001:db8::/64'] }),
      ],
      bgpPeers: peers.map((p) =>
        peer(p.name, {
          myASN: 64698,
          peerASN: p.ibgp ? 64698 : 64699,
          peerAddress: p.address,
          nodeSelectors: p.nodeSelectors,
        }),
      ),
      bgpAdvertisements: advertisements.map((a) =>
        advertisement(a.name, {
          ...(a.pools.length > 0 && { ipAddressPools: a.pools }),
          ...(a.peerPick.some((n) => peerNames.has(n)) && {
            peers: a.peerPick.filter((n) => peerNames.has(n)),
          }),
          nodeSelectors: a.nodeSelectors,
          serviceSelectors: a.serviceSelectors,
          communities: a.communities,
          aggregationLength: a.aggregationLength,
          aggregationLengthV6: a.aggregationLengthV6,
          ...(a.localPref !== undefined && { localPref: a.localPref }),
        }),
      ),
    };
  });

/** true with probability 1/n. */
const rarely = (n: number) => fc.integer({ min: 1, max: n }).map((x) => x === 1);

const labelsArb = fc
  .tuple(
    fc.record(
      { rack: fc.constantFrom('1', '2'), zone: fc.constantFrom('a', 'b'), gpu: fc.constant('') },
      { requiredKeys: [] },
    ),
    rarely(8),
  )
  .map(([labels, excluded]) =>
    excluded
      ? { ...labels, 'node.kubernetes.io/exclude-from-external-load-balancers': 'true' }
      : labels,
  );

const conditionArb = (usual: string) =>
  fc.oneof(
    { arbitrary: fc.constant(condition(usual)), weight: 6 },
    { arbitrary: fc.constant(undefined), weight: 2 },
    {
      arbitrary: fc.constantFrom('True', 'False', 'Unknown').map((status) => condition(status)),
      weight: 1,
    },
  );

const nodesArb = fc
  .tuple(
    fc.oneof(
      { arbitrary: fc.constant([...NODE_NAMES]), weight: 4 },
      { arbitrary: fc.subarray([...NODE_NAMES], { minLength: 1 }), weight: 1 },
    ),
    fc.array(fc.tuple(labelsArb, conditionArb('True'), conditionArb('False')), {
      minLength: NODE_NAMES.length,
      maxLength: NODE_NAMES.length,
    }),
  )
  .map(([names, facts]) =>
    names.map((name, i): NodeInfo => ({
      name,
      labels: facts[i]![0],
      ready: facts[i]![1],
      networkUnavailable: facts[i]![2],
    })),
  );

const servicesArb = fc.uniqueArray(
  fc.record({
    name: fc.constantFrom('web', 'db', 'api', 'cache'),
    labels: fc.constantFrom({}, { app: 'web' }, { app: 'db' }),
    type: rarely(10).map((other) => (other ? 'ClusterIP' : 'LoadBalancer')),
    externalTrafficPolicy: fc.constantFrom('Cluster' as const, 'Local' as const),
    ingressIPs: fc.oneof(
      { arbitrary: fc.subarray(['10.0.0.1', '10.0.0.2', '10.1.0.5', '2001:db8::1']), weight: 6 },
      { arbitrary: fc.constant(['192.0.2.1']), weight: 1 },
    ),
  }),
  { selector: (s) => s.name, maxLength: 4 },
);

const endpointArb = fc.record({
  addresses: fc.constant(['10.244.0.1']),
  nodeName: fc.constantFrom(...NODE_NAMES, 'ghost', undefined),
  ready: fc.constantFrom(true, false, undefined),
  serving: fc.constantFrom(true, false, undefined),
  terminating: fc.constantFrom(true, false, undefined),
});

const worldArb = fc
  .record({
    objects: configObjects,
    nodes: nodesArb,
    thisNode: fc.constantFrom(...NODE_NAMES),
    services: servicesArb,
    endpoints: fc.array(fc.tuple(fc.constantFrom('web', 'db', 'api', 'cache'), endpointArb), {
      maxLength: 8,
    }),
  })
  .map((world) => {
    const parsed = parseConfig(world.objects);
    const services: ServiceInfo[] = world.services.map((s) => ({
      ...s,
      namespace: 'default',
      loadBalancerClass: undefined,
    }));
    // One slice per endpoint, so shuffling slices also shuffles endpoints.
    const slices: EndpointSliceInfo[] = world.endpoints.map(([serviceName, endpoint], i) => ({
      namespace: 'default',
      name: `${serviceName}-${i}`,
      serviceName,
      endpoints: [endpoint as EndpointInfo],
    }));
    return { ...world, config: parsed.ok ? parsed.config : undefined, services, slices };
  });

function decide(
  world: {
    nodes: NodeInfo[];
    thisNode: string;
    services: ServiceInfo[];
    slices: EndpointSliceInfo[];
  },
  config: IronlbConfig | undefined,
): NodeAnnouncements {
  return decideNodeAnnouncements({
    nodeName: world.thisNode,
    node: world.nodes.find((n) => n.name === world.thisNode),
    config,
    services: world.services,
    endpointSlices: world.slices,
  });
}

/** A comparable form (Maps become entry lists). */
function plain(result: NodeAnnouncements): unknown {
  return JSON.parse(JSON.stringify({ ...result, routes: [...result.routes] }));
}

function permutation<T>(items: readonly T[]): fc.Arbitrary<T[]> {
  return fc.shuffledSubarray([...items], { minLength: items.length, maxLength: items.length });
}

describe('announcement decision properties', () => {
  it('is deterministic and independent of the order of every input list', () => {
    fc.assert(
      fc.property(
        worldArb.chain((world) =>
          fc.record({
            world: fc.constant(world),
            services: permutation(world.services),
            slices: permutation(world.slices),
            pools: permutation(world.objects.ipAddressPools),
            peers: permutation(world.objects.bgpPeers),
            advertisements: permutation(world.objects.bgpAdvertisements),
          }),
        ),
        ({ world, services, slices, pools, peers, advertisements }) => {
          const reparsed = parseConfig({
            ipAddressPools: pools,
            bgpPeers: peers,
            bgpAdvertisements: advertisements,
          });
          const first = plain(decide(world, world.config));
          assert.deepEqual(plain(decide(world, world.config)), first);
          const shuffled = plain(
            decide({ ...world, services, slices }, reparsed.ok ? reparsed.config : undefined),
          );
          assert.deepEqual(shuffled, first);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('invariants of every announcement', () => {
    let announcedSome = 0;
    fc.assert(
      fc.property(worldArb, (world) => {
        const result = decide(world, world.config);
        const self = world.nodes.find((n) => n.name === world.thisNode);
        for (const decision of result.services) {
          const svc = world.services.find((s) => s.name === decision.name)!;
          const endpoints = world.slices
            .filter((s) => s.serviceName === svc.name)
            .flatMap((s) => s.endpoints);
          if (!decision.announce) continue;
          announcedSome++;
          // Local: never without a serving endpoint on this very node.
          if (svc.externalTrafficPolicy === 'Local') {
            assert.ok(endpoints.some((e) => endpointServes(e) && e.nodeName === world.thisNode));
          } else {
            assert.ok(endpoints.some(endpointServes));
          }
          assert.ok(self !== undefined, 'an announcing node has a Node object');
          assert.ok(
            !Object.hasOwn(self.labels, 'node.kubernetes.io/exclude-from-external-load-balancers'),
          );
          assert.notEqual(self.networkUnavailable?.status, 'True');
          assert.notEqual(self.ready?.status, 'False');
          assert.equal(svc.type, 'LoadBalancer');
        }
        // Every route goes to a peer that selects this node, and covers an announced address.
        const announced = result.services.flatMap((d) =>
          d.ips.filter((ip) => ip.announce).map((ip) => parseAddress(ip.ip)),
        );
        for (const [ref, routes] of result.routes) {
          const session = result.sessions.find((s) => s.ref === ref);
          assert.ok(session !== undefined);
          assert.ok(anySelectorMatches(session.peer.nodeSelectors, self?.labels ?? {}));
          if (self === undefined) assert.equal(session.peer.nodeSelectors.length, 0);
          for (const route of routes) {
            if (!session.peer.ibgp) assert.equal(route.attributes.localPref, undefined);
            const [network = '', lengthText = ''] = route.prefix.split('/');
            const net = parseAddress(network);
            assert.ok(net.ok);
            const bits = net.value.family === 4 ? 32 : 128;
            const shift = BigInt(bits - Number(lengthText));
            assert.ok(
              announced.some(
                (a) =>
                  a.ok &&
                  a.value.family === net.value.family &&
                  a.value.value >> shift === net.value.value >> shift,
              ),
              `${route.prefix} covers an announced address`,
            );
          }
          // Deduplicated: one route per prefix and peer.
          assert.equal(new Set(routes.map((r) => r.prefix)).size, routes.length);
        }
      }),
      { numRuns: 300 },
    );
    // A floor, not a target: 300 random worlds announce about 15-45 Services; a floor of 20 flaked.
    assert.ok(announcedSome >= 5, `the generator exercises announcements (${announcedSome})`);
  });
});
