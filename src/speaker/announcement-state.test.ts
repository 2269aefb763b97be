import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decideNodeAnnouncements, type NodeAnnouncements } from './announce-decision.ts';
import { AnnouncementState } from './announcement-state.ts';
import { EXCLUDE_FROM_LOAD_BALANCERS_LABEL } from './announcement-reasons.ts';
import type { EndpointSliceInfo, NodeInfo, ServiceInfo } from './cluster-objects.ts';
import {
  advertisement,
  baseConfig,
  bird,
  config,
  endpoint,
  node,
  peer,
  pool,
  service,
  slice,
} from './test-fixtures.ts';

const configs = [
  baseConfig(),
  config({
    pools: [pool('default', { addresses: ['10.0.0.0/24'] })],
    peers: [peer('bird', bird), peer('tor', { ...bird, peerAddress: '127.0.0.9' })],
    advertisements: [
      advertisement('all', { communities: ['64698:1'], aggregationLength: 30 }),
      advertisement('tor', { peers: ['tor'], communities: ['64698:2'] }),
    ],
  }),
  undefined,
];

type Operation =
  | { kind: 'service'; name: string; ip: string; policy: 'Local' | 'Cluster'; lb: boolean }
  | { kind: 'deleteService'; name: string }
  | { kind: 'slice'; service: string; index: number; nodes: Array<string | undefined> }
  | { kind: 'deleteSlice'; service: string; index: number }
  | { kind: 'node'; name: string; excluded: boolean; ready: boolean }
  | { kind: 'deleteNode'; name: string }
  | { kind: 'config'; index: number }
  | { kind: 'round' };

const names = fc.constantFrom('a', 'b', 'c');
const nodeNames = fc.constantFrom('n1', 'n2', undefined, 'n9');
const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({
    kind: fc.constant('service' as const),
    name: names,
    ip: fc.constantFrom('10.0.0.1', '10.0.0.2', '10.0.0.5', '2001:db8::1', '192.0.2.1'),
    policy: fc.constantFrom('Local' as const, 'Cluster' as const),
    lb: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('deleteService' as const), name: names }),
  fc.record({
    kind: fc.constant('slice' as const),
    service: names,
    index: fc.integer({ min: 0, max: 1 }),
    nodes: fc.array(nodeNames, { maxLength: 3 }),
  }),
  fc.record({
    kind: fc.constant('deleteSlice' as const),
    service: names,
    index: fc.integer({ min: 0, max: 1 }),
  }),
  fc.record({
    kind: fc.constant('node' as const),
    name: fc.constantFrom('n1', 'n2'),
    excluded: fc.boolean(),
    ready: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('deleteNode' as const), name: fc.constantFrom('n1', 'n2') }),
  fc.record({ kind: fc.constant('config' as const), index: fc.integer({ min: 0, max: 2 }) }),
  fc.constant({ kind: 'round' as const }),
);

/** What the session layer and the status see: routes per peer, and each Service's decision. */
function observable(announcements: NodeAnnouncements): unknown {
  return {
    sessions: announcements.sessions.map((s) => s.ref),
    routes: [...announcements.routes.entries()].sort(),
    services: announcements.services,
    problems: announcements.problems,
  };
}

describe('AnnouncementState', () => {
  it('incremental rounds give exactly what deciding everything from scratch gives', () => {
    fc.assert(
      fc.property(
        fc.array(operation, { minLength: 5, maxLength: 60, size: 'max' }),
        (operations) => {
          const state = new AnnouncementState('n1');
          const services = new Map<string, ServiceInfo>();
          const slices = new Map<string, EndpointSliceInfo>();
          const nodes = new Map<string, NodeInfo>();
          // Start where decisions depend on the rest: configuration loaded, node present.
          let configIndex = 0;
          state.setConfig(configs[configIndex]);
          nodes.set('n1', node('n1'));
          state.setNode(node('n1'));
          const check = (): void => {
            const round = state.round();
            const expected = decideNodeAnnouncements({
              nodeName: 'n1',
              node: nodes.get('n1'),
              config: configs[configIndex],
              services: [...services.values()],
              endpointSlices: [...slices.values()],
            });
            assert.deepEqual(observable(round.announcements), observable(expected));
            assert.ok(!state.changed, 'a round leaves nothing dirty');
          };
          for (const op of [...operations, { kind: 'round' as const }]) {
            switch (op.kind) {
              case 'service': {
                const info = service(op.name, {
                  ingressIPs: [op.ip],
                  externalTrafficPolicy: op.policy,
                  type: op.lb ? 'LoadBalancer' : 'ClusterIP',
                });
                services.set(op.name, info);
                state.setService(info);
                break;
              }
              case 'deleteService':
                services.delete(op.name);
                state.deleteService('default', op.name);
                break;
              case 'slice': {
                const info = slice(
                  op.service,
                  op.nodes.map((n) => endpoint(n)),
                  { name: `${op.service}-${op.index}` },
                );
                slices.set(info.name, info);
                state.setEndpointSlice(info);
                break;
              }
              case 'deleteSlice':
                slices.delete(`${op.service}-${op.index}`);
                state.deleteEndpointSlice('default', `${op.service}-${op.index}`);
                break;
              case 'node': {
                const info = node(op.name, {
                  labels: op.excluded ? { [EXCLUDE_FROM_LOAD_BALANCERS_LABEL]: '' } : {},
                  ready: {
                    status: op.ready ? 'True' : 'False',
                    reason: undefined,
                    message: undefined,
                  },
                });
                nodes.set(op.name, info);
                state.setNode(info);
                break;
              }
              case 'deleteNode':
                nodes.delete(op.name);
                state.deleteNode(op.name);
                break;
              case 'config':
                configIndex = op.index;
                state.setConfig(configs[op.index]);
                break;
              case 'round':
                check();
                break;
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('decides again only what changed; node and configuration changes decide everything', () => {
    const state = new AnnouncementState('n1');
    state.setConfig(baseConfig());
    state.setNode(node('n1'));
    state.setService(service('a', { ingressIPs: ['10.0.0.1'] }));
    state.setService(service('b', { ingressIPs: ['10.0.0.2'] }));
    state.setEndpointSlice(slice('a', [endpoint('n1')]));
    let round = state.round();
    assert.ok(round.full);
    assert.equal(round.next.length, 2);

    assert.ok(!state.setService(service('a', { ingressIPs: ['10.0.0.1'] })), 'no change');
    assert.ok(!state.changed);
    state.setEndpointSlice(slice('b', [endpoint('n2')]));
    round = state.round();
    assert.ok(!round.full);
    assert.deepEqual(
      round.next.map((d) => d.key),
      ['default/b'],
    );
    assert.equal(round.previous[0]?.reason, 'noEndpoints');
    assert.equal(round.next[0]?.reason, 'announced');

    state.setNode(node('n2'));
    assert.ok(!state.changed, 'another node does not change this node’s decisions');
    state.setNode(node('n1', { labels: { rack: '1' } }));
    round = state.round();
    assert.ok(round.full);
    assert.equal(round.next.length, 2);

    state.deleteService('default', 'a');
    round = state.round();
    assert.deepEqual(
      round.previous.map((d) => d.key),
      ['default/a'],
    );
    assert.deepEqual(round.next, [], 'a deleted Service has no decision');
    assert.equal(state.decision('default/a'), undefined);
  });

  it('reports endpoints on unknown nodes for load-balanced Services only, and forgets them when fixed', () => {
    const state = new AnnouncementState('n1');
    state.setNode(node('n1'));
    state.setService(service('lb', { ingressIPs: ['10.0.0.1'] }));
    state.setService(service('plain', { type: 'ClusterIP', ingressIPs: [] }));
    state.setEndpointSlice(slice('lb', [endpoint('n1.example'), endpoint('n1')]));
    state.setEndpointSlice(slice('plain', [endpoint('ghost')]));
    const found = state.mismatches();
    assert.deepEqual(
      found.map((m) => [m.service, m.nodeName, m.endpoints]),
      [['default/lb', 'n1.example', 1]],
    );
    assert.deepEqual(state.mismatches(), found, 'nothing changed: same answer');
    state.setNode(node('n1.example'));
    assert.deepEqual(state.mismatches(), [], 'the Node appeared');
    state.deleteNode('n1.example');
    assert.equal(state.mismatches().length, 1);
    state.deleteService('default', 'lb');
    assert.deepEqual(state.mismatches(), []);
  });
});
