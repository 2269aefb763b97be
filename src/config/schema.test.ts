import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Compile } from 'typebox/compile';
import { allKinds } from './kinds.ts';
import { BGPAdvertisementSpecSchema } from './schema/bgp-advertisement.ts';
import { BGPPeerSpecSchema } from './schema/bgp-peer.ts';
import { CommunitySpecSchema } from './schema/community.ts';
import { IPAddressPoolSpecSchema } from './schema/ip-address-pool.ts';
import { advertisement, birdPeer, community, peer, pool } from './test-fixtures.ts';
import { objectValidator } from './validate-object.ts';

const validators = {
  IPAddressPool: objectValidator('IPAddressPool', IPAddressPoolSpecSchema),
  BGPPeer: objectValidator('BGPPeer', BGPPeerSpecSchema),
  BGPAdvertisement: objectValidator('BGPAdvertisement', BGPAdvertisementSpecSchema),
  Community: objectValidator('Community', CommunitySpecSchema),
};

type Kind = keyof typeof validators;

function fieldErrors(kind: Kind, object: unknown): [string, string][] {
  const result = validators[kind].validate(object);
  return result.ok ? [] : result.errors.map((e) => [e.field, e.reason]);
}

const valid: [Kind, unknown][] = [
  [
    'IPAddressPool',
    pool('p', { addresses: ['10.0.0.0/24', '2001:db8::/64', '10.0.1.1-10.0.1.9'] }),
  ],
  [
    'IPAddressPool',
    pool('p', {
      addresses: ['10.0.0.0/24'],
      autoAssign: false,
      avoidBuggyIPs: true,
      serviceAllocation: {
        priority: -5,
        namespaces: ['a'],
        namespaceSelectors: [{ matchLabels: { team: 'x' } }],
        serviceSelectors: [{ matchExpressions: [{ key: 'app', operator: 'Exists' }] }],
      },
    }),
  ],
  ['BGPPeer', peer('p', birdPeer)],
  [
    'BGPPeer',
    peer('p', {
      ...birdPeer,
      peerPort: 1179,
      holdTime: '1m30s',
      keepaliveTime: '30s',
      connectTime: '2.5s',
      routerID: '10.0.0.1',
      sourceAddress: '127.0.0.1',
      passwordSecret: { name: 's', namespace: 'n' },
      ebgpMultiHop: true,
      nodeSelectors: [{ matchLabels: { 'kubernetes.io/hostname': 'node-1' } }],
      enableGracefulRestart: true,
      gracefulRestartTime: '2m',
      ttlSecurity: false,
    }),
  ],
  [
    'BGPAdvertisement',
    advertisement('a', {
      aggregationLength: 24,
      aggregationLengthV6: 64,
      localPref: 4294967295,
      communities: ['65000:1', 'large:1:2:3', 'alias'],
      ipAddressPools: ['p'],
      ipAddressPoolSelectors: [{}],
      nodeSelectors: [],
      peers: ['bird'],
      serviceSelectors: [{ matchLabels: {} }],
    }),
  ],
  ['BGPAdvertisement', advertisement('a', {})],
  ['Community', community('c', [{ name: 'transit', value: 'large:4294967295:0:1' }])],
  ['Community', community('c', [])],
];

const invalid: [Kind, unknown, [string, string][]][] = [
  [
    'IPAddressPool',
    pool('p', { addresses: '10.0.0.0/24' }),
    [['spec.addresses', 'must be a list, not a string']],
  ],
  ['IPAddressPool', pool('p', { addresses: [''] }), [['spec.addresses[0]', 'must not be empty']]],
  [
    'IPAddressPool',
    pool('p', {
      addresses: ['10.0.0.0/24'],
      serviceAllocation: { priority: 1.5, namespaces: [3] },
    }),
    [
      ['spec.serviceAllocation.namespaces[0]', 'must be a string, not an integer'],
      ['spec.serviceAllocation.priority', 'must be an integer, not a number'],
    ],
  ],
  [
    'IPAddressPool',
    { ...pool('p', { addresses: ['10.0.0.0/24'] }), metadata: { name: 'p', labels: { a: 1 } } },
    [['metadata.labels.a', 'must be a string, not an integer']],
  ],
  [
    'BGPPeer',
    peer('p', { ...birdPeer, peerPort: 0, holdTime: '-1s', passwordSecret: {} }),
    [
      ['spec.holdTime', 'must be a duration such as "90s", "1m30s" or "500ms" (got "-1s")'],
      ['spec.passwordSecret.name', 'is required'],
      ['spec.peerPort', 'must be between 1 and 65535 (got 0)'],
    ],
  ],
  [
    'BGPPeer',
    peer('p', { ...birdPeer, nodeSelectors: [{ matchLabels: { a: 'b' }, matchFields: [] }] }),
    [['spec.nodeSelectors[0].matchFields', 'unknown field']],
  ],
  [
    'BGPAdvertisement',
    advertisement('a', { localPref: -1, communities: [''], peers: 'bird' }),
    [
      ['spec.communities[0]', 'must not be empty'],
      ['spec.localPref', 'must be between 0 and 4294967295 (got -1)'],
      ['spec.peers', 'must be a list, not a string'],
    ],
  ],
  [
    'BGPAdvertisement',
    advertisement('a', {
      aggregationLengthV6: 129,
      serviceSelectors: [{ matchExpressions: [{ operator: 'In' }] }],
    }),
    [
      ['spec.aggregationLengthV6', 'must be between 1 and 128 (got 129)'],
      ['spec.serviceSelectors[0].matchExpressions[0].key', 'is required'],
    ],
  ],
  [
    'Community',
    community('c', [{ name: 'x', value: '1:2', extra: true } as never]),
    [['spec.communities[0].extra', 'unknown field']],
  ],
  ['Community', { metadata: { name: 'c' }, spec: {} }, [['spec.communities', 'is required']]],
  [
    'Community',
    { ...community('c', []), kind: 'Communities' },
    [['kind', 'must be Community (got "Communities")']],
  ],
];

describe('schemas: one validator per kind', () => {
  it('accepts valid examples of every configuration kind', () => {
    for (const [kind, object] of valid) {
      assert.deepEqual(fieldErrors(kind, object), [], `${kind}: ${JSON.stringify(object)}`);
    }
  });

  it('reports invalid examples at the right field with a readable reason', () => {
    for (const [kind, object, expected] of invalid) {
      const actual = fieldErrors(kind, object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      assert.deepEqual(actual, expected, `${kind}: ${JSON.stringify(object)}`);
    }
  });

  it('identifies objects, also broken ones', () => {
    assert.deepEqual(validators.BGPPeer.identify({ metadata: { name: 'n', namespace: 'ns' } }), {
      kind: 'BGPPeer',
      namespace: 'ns',
      name: 'n',
    });
    assert.deepEqual(validators.BGPPeer.identify(42), { kind: 'BGPPeer', namespace: '', name: '' });
  });

  it('the status kinds validate what the daemons will write', () => {
    const byKind = new Map(allKinds.map((k) => [k.kind, Compile(k.schema)]));
    const state = byKind.get('ConfigurationState')!;
    assert.ok(
      state.Check({
        metadata: { name: 'controller' },
        status: {
          result: 'Invalid',
          stale: true,
          errorCount: 1,
          errorSummary: 'x',
          conditions: [
            { type: 'Valid', status: 'False', lastTransitionTime: '2025-01-01T00:00:00Z' },
          ],
        },
      }),
    );
    assert.ok(!state.Check({ metadata: { name: 'c' }, status: { result: 'Fine' } }));
    const bgpStatus = byKind.get('ServiceBGPStatus')!;
    assert.ok(
      bgpStatus.Check({
        metadata: { name: 'web-node-1' },
        status: {
          node: 'node-1',
          serviceName: 'web',
          serviceNamespace: 'default',
          peers: ['bird'],
        },
      }),
    );
    const poolKind = byKind.get('IPAddressPool')!;
    assert.ok(
      poolKind.Check({
        ...pool('p', { addresses: ['2001:db8::/64'] }),
        status: { assignedIPv6: '1', availableIPv6: '18446744073709551615' },
      }),
    );
    assert.ok(
      !poolKind.Check({
        ...pool('p', { addresses: ['10.0.0.0/8'] }),
        status: { availableIPv4: 16 },
      }),
    );
    const peerKind = byKind.get('BGPPeer')!;
    assert.ok(
      peerKind.Check({
        ...peer('p', birdPeer),
        status: { sessions: [{ node: 'node-1', state: 'Established' }] },
      }),
    );
  });
});
