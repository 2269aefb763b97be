import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isIronlbError } from '../common/errors.ts';
import type { ConfigError } from './config-error.ts';
import { ConfigErrors } from './errors.ts';
import { parseConfig, parseConfigOrThrow, type ConfigObjects } from './parse-config.ts';
import {
  advertisement,
  basicAuthSecret,
  birdPeer,
  community,
  NS,
  peer,
  pool,
} from './test-fixtures.ts';

type Code = keyof typeof ConfigErrors;
type Expected = [kind: string, name: string, field: string, code: Code, reason: string];

interface Case {
  readonly rule: string;
  readonly objects: ConfigObjects;
  readonly errors: readonly Expected[];
}

const defaultPool = pool('default', { addresses: ['10.0.0.0/24'] });

function errorText(result: ReturnType<typeof parseConfig>): string {
  return result.ok ? '' : result.errors.map((e) => `${e.name} ${e.field}: ${e.reason}`).join('\n');
}

function errorsOf(objects: ConfigObjects): readonly ConfigError[] {
  const result = parseConfig(objects);
  return result.ok ? [] : result.errors;
}

function expectErrors(objects: ConfigObjects, expected: readonly Expected[]): void {
  const actual = errorsOf(objects).map((e) => [e.kind, e.name, e.field, e.code, e.reason]);
  assert.deepEqual(actual, expected);
  for (const error of errorsOf(objects)) assert.equal(error.namespace, NS);
}

const poolCases: Case[] = [
  {
    rule: 'a pool entry that is no address',
    objects: {
      ipAddressPools: [pool('p', { addresses: ['10.0.0.0/24', 'ten.0.0.1', 'ten-eleven'] })],
    },
    errors: [
      [
        'IPAddressPool',
        'p',
        'spec.addresses[1]',
        'IRONLB_ERR_CONFIG_BAD_ADDRESS',
        '"ten.0.0.1" is neither a CIDR nor a range "a-b"',
      ],
      [
        'IPAddressPool',
        'p',
        'spec.addresses[2]',
        'IRONLB_ERR_CONFIG_BAD_ADDRESS',
        '"ten-eleven": "ten" is not an IPv4 or IPv6 address',
      ],
    ],
  },
  {
    rule: 'a CIDR with host bits set',
    objects: { ipAddressPools: [pool('p', { addresses: ['10.0.0.1/24'] })] },
    errors: [
      [
        'IPAddressPool',
        'p',
        'spec.addresses[0]',
        'IRONLB_ERR_CONFIG_BAD_ADDRESS',
        '"10.0.0.1/24" has host bits set; did you mean 10.0.0.0/24?',
      ],
    ],
  },
  {
    rule: 'a range backwards and a range mixing families',
    objects: { ipAddressPools: [pool('p', { addresses: ['10.0.0.9-10.0.0.1', '10.0.0.1-::1'] })] },
    errors: [
      [
        'IPAddressPool',
        'p',
        'spec.addresses[0]',
        'IRONLB_ERR_CONFIG_BAD_ADDRESS',
        '"10.0.0.9-10.0.0.1": the first address is after the last',
      ],
      [
        'IPAddressPool',
        'p',
        'spec.addresses[1]',
        'IRONLB_ERR_CONFIG_BAD_ADDRESS',
        '"10.0.0.1-::1" mixes IPv4 and IPv6',
      ],
    ],
  },
  {
    rule: 'overlapping entries within one pool',
    objects: { ipAddressPools: [pool('p', { addresses: ['10.0.0.128/25', '10.0.0.0/24'] })] },
    errors: [
      [
        'IPAddressPool',
        'p',
        'spec.addresses[0]',
        'IRONLB_ERR_CONFIG_POOL_OVERLAP',
        '"10.0.0.128/25" overlaps spec.addresses[1] "10.0.0.0/24" of the same pool',
      ],
    ],
  },
  {
    rule: 'the same entry twice in one pool',
    objects: { ipAddressPools: [pool('p', { addresses: ['2001:db8::/64', '2001:db8::/64'] })] },
    errors: [
      [
        'IPAddressPool',
        'p',
        'spec.addresses[1]',
        'IRONLB_ERR_CONFIG_POOL_OVERLAP',
        '"2001:db8::/64" overlaps spec.addresses[0] "2001:db8::/64" of the same pool',
      ],
    ],
  },
  {
    rule: 'overlapping pools (CIDR and range)',
    objects: {
      ipAddressPools: [
        pool('b', { addresses: ['10.0.0.200-10.0.0.210'] }),
        pool('a', { addresses: ['192.0.2.0/28', '10.0.0.0/24'] }),
      ],
    },
    errors: [
      [
        'IPAddressPool',
        'b',
        'spec.addresses[0]',
        'IRONLB_ERR_CONFIG_POOL_OVERLAP',
        `"10.0.0.200-10.0.0.210" overlaps spec.addresses[1] "10.0.0.0/24" of IPAddressPool ${NS}/a`,
      ],
    ],
  },
  {
    rule: 'overlapping IPv6 pools',
    objects: {
      ipAddressPools: [
        pool('a', { addresses: ['2001:db8::/48'] }),
        pool('b', { addresses: ['2001:db8:0:ffff::-2001:db8:1::5'] }),
      ],
    },
    errors: [
      [
        'IPAddressPool',
        'b',
        'spec.addresses[0]',
        'IRONLB_ERR_CONFIG_POOL_OVERLAP',
        `"2001:db8:0:ffff::-2001:db8:1::5" overlaps spec.addresses[0] "2001:db8::/48" of IPAddressPool ${NS}/a`,
      ],
    ],
  },
  {
    rule: 'a pool without addresses, and one without spec',
    objects: {
      ipAddressPools: [
        pool('empty', { addresses: [] }),
        { metadata: { name: 'nospec', namespace: NS } },
      ],
    },
    errors: [
      [
        'IPAddressPool',
        'empty',
        'spec.addresses',
        'IRONLB_ERR_CONFIG_SCHEMA',
        'must have at least 1 entry',
      ],
      ['IPAddressPool', 'nospec', 'spec', 'IRONLB_ERR_CONFIG_SCHEMA', 'is required'],
    ],
  },
  {
    rule: 'a misspelt field, a wrong type, a wrong apiVersion',
    objects: {
      ipAddressPools: [
        pool('typo', { addresses: ['10.0.0.0/24'], autoassign: false }),
        pool('type', { addresses: ['10.0.1.0/24'], autoAssign: 'yes' }),
        { ...pool('version', { addresses: ['10.0.2.0/24'] }), apiVersion: 'metallb.io/v1beta1' },
      ],
    },
    errors: [
      [
        'IPAddressPool',
        'type',
        'spec.autoAssign',
        'IRONLB_ERR_CONFIG_SCHEMA',
        'must be a boolean, not a string',
      ],
      ['IPAddressPool', 'typo', 'spec.autoassign', 'IRONLB_ERR_CONFIG_SCHEMA', 'unknown field'],
      [
        'IPAddressPool',
        'version',
        'apiVersion',
        'IRONLB_ERR_CONFIG_SCHEMA',
        'must be ironlb.dev/v1beta1 (got "metallb.io/v1beta1")',
      ],
    ],
  },
  {
    rule: 'two objects with the same namespace and name',
    objects: {
      ipAddressPools: [
        pool('p', { addresses: ['10.0.0.0/24'] }),
        pool('p', { addresses: ['10.0.1.0/24'] }),
      ],
    },
    // Both copies are refused; their identical errors are reported once.
    errors: [
      [
        'IPAddressPool',
        'p',
        'metadata.name',
        'IRONLB_ERR_CONFIG_DUPLICATE_OBJECT',
        'another IPAddressPool has the same namespace and name',
      ],
    ],
  },
  {
    rule: 'malformed service allocation selectors',
    objects: {
      ipAddressPools: [
        pool('p', {
          addresses: ['10.0.0.0/24'],
          serviceAllocation: {
            namespaceSelectors: [{ matchLabels: { '-bad': 'x' } }],
            serviceSelectors: [
              {
                matchExpressions: [
                  { key: 'app', operator: 'In' },
                  { key: 'tier', operator: 'Exists', values: ['a'] },
                ],
              },
            ],
          },
        }),
      ],
    },
    errors: [
      [
        'IPAddressPool',
        'p',
        'spec.serviceAllocation.namespaceSelectors[0].matchLabels["-bad"]',
        'IRONLB_ERR_CONFIG_LABEL_SELECTOR',
        'label key "-bad": the name must be 1-63 characters, alphanumeric at both ends, with -, _ or . between',
      ],
      [
        'IPAddressPool',
        'p',
        'spec.serviceAllocation.serviceSelectors[0].matchExpressions[0].values',
        'IRONLB_ERR_CONFIG_LABEL_SELECTOR',
        'operator In needs at least one value',
      ],
      [
        'IPAddressPool',
        'p',
        'spec.serviceAllocation.serviceSelectors[0].matchExpressions[1].values',
        'IRONLB_ERR_CONFIG_LABEL_SELECTOR',
        'operator Exists takes no values',
      ],
    ],
  },
  {
    rule: 'an operator that does not exist',
    objects: {
      ipAddressPools: [
        pool('p', {
          addresses: ['10.0.0.0/24'],
          serviceAllocation: {
            serviceSelectors: [{ matchExpressions: [{ key: 'a', operator: 'Equals' }] }],
          },
        }),
      ],
    },
    errors: [
      [
        'IPAddressPool',
        'p',
        'spec.serviceAllocation.serviceSelectors[0].matchExpressions[0].operator',
        'IRONLB_ERR_CONFIG_SCHEMA',
        'must be one of In, NotIn, Exists, DoesNotExist (got "Equals")',
      ],
    ],
  },
];

const secretLookup = (secrets: Record<string, unknown>) => (namespace: string, name: string) =>
  secrets[`${namespace}/${name}`];

const peerCases: Case[] = [
  {
    rule: 'ASN 0 and ASN beyond 32 bits',
    objects: { bgpPeers: [peer('p', { ...birdPeer, myASN: 0, peerASN: 4294967296 })] },
    errors: [
      [
        'BGPPeer',
        'p',
        'spec.myASN',
        'IRONLB_ERR_CONFIG_SCHEMA',
        'must be between 1 and 4294967295 (got 0)',
      ],
      [
        'BGPPeer',
        'p',
        'spec.peerASN',
        'IRONLB_ERR_CONFIG_SCHEMA',
        'must be between 1 and 4294967295 (got 4294967296)',
      ],
    ],
  },
  {
    rule: 'AS_TRANS',
    objects: { bgpPeers: [peer('p', { ...birdPeer, peerASN: 23456 })] },
    errors: [
      [
        'BGPPeer',
        'p',
        'spec.peerASN',
        'IRONLB_ERR_CONFIG_BAD_ASN',
        '23456 is AS_TRANS (RFC 6793), not a usable AS number',
      ],
    ],
  },
  {
    rule: 'hold time of 1 s and of 2 s',
    objects: {
      bgpPeers: [
        peer('one', { ...birdPeer, holdTime: '1s' }),
        peer('two', { ...birdPeer, peerPort: 1179, holdTime: '2s' }),
      ],
    },
    errors: [
      [
        'BGPPeer',
        'one',
        'spec.holdTime',
        'IRONLB_ERR_CONFIG_TIMER',
        'must be 0 or at least 3s (RFC 4271), got 1s',
      ],
      [
        'BGPPeer',
        'two',
        'spec.holdTime',
        'IRONLB_ERR_CONFIG_TIMER',
        'must be 0 or at least 3s (RFC 4271), got 2s',
      ],
    ],
  },
  {
    rule: 'hold time not in whole seconds, too long, not a duration',
    objects: {
      bgpPeers: [
        peer('frac', { ...birdPeer, holdTime: '3500ms' }),
        peer('long', { ...birdPeer, peerPort: 2, holdTime: '65536s' }),
        peer('text', { ...birdPeer, peerPort: 3, holdTime: '90' }),
      ],
    },
    errors: [
      [
        'BGPPeer',
        'frac',
        'spec.holdTime',
        'IRONLB_ERR_CONFIG_TIMER',
        '3500ms is not a whole number of seconds (BGP carries seconds)',
      ],
      [
        'BGPPeer',
        'long',
        'spec.holdTime',
        'IRONLB_ERR_CONFIG_TIMER',
        'must be at most 65535s, got 65536s',
      ],
      [
        'BGPPeer',
        'text',
        'spec.holdTime',
        'IRONLB_ERR_CONFIG_SCHEMA',
        'must be a duration such as "90s", "1m30s" or "500ms" (got "90")',
      ],
    ],
  },
  {
    rule: 'keepalive longer than hold time, and keepalive 0 with a hold time',
    objects: {
      bgpPeers: [
        peer('long', { ...birdPeer, holdTime: '9s', keepaliveTime: '10s' }),
        peer('zero', { ...birdPeer, peerPort: 2, keepaliveTime: '0' }),
        peer('nohold', { ...birdPeer, peerPort: 3, holdTime: '0s', keepaliveTime: '1s' }),
      ],
    },
    errors: [
      [
        'BGPPeer',
        'long',
        'spec.keepaliveTime',
        'IRONLB_ERR_CONFIG_TIMER',
        '10s is longer than the hold time 9s',
      ],
      [
        'BGPPeer',
        'nohold',
        'spec.keepaliveTime',
        'IRONLB_ERR_CONFIG_TIMER',
        '1s is longer than the hold time 0s',
      ],
      [
        'BGPPeer',
        'zero',
        'spec.keepaliveTime',
        'IRONLB_ERR_CONFIG_TIMER',
        'must be more than 0 when the hold time is not 0 (the peer would time out)',
      ],
    ],
  },
  {
    rule: 'connect time out of range',
    objects: { bgpPeers: [peer('p', { ...birdPeer, connectTime: '500ms' })] },
    errors: [
      [
        'BGPPeer',
        'p',
        'spec.connectTime',
        'IRONLB_ERR_CONFIG_TIMER',
        'must be between 1s and 65535s, got 500ms',
      ],
    ],
  },
  {
    rule: 'graceful restart time without graceful restart, and beyond 12 bits',
    objects: {
      bgpPeers: [
        peer('off', { ...birdPeer, gracefulRestartTime: '60s' }),
        peer('long', {
          ...birdPeer,
          peerPort: 2,
          enableGracefulRestart: true,
          gracefulRestartTime: '4096s',
        }),
      ],
    },
    errors: [
      [
        'BGPPeer',
        'long',
        'spec.gracefulRestartTime',
        'IRONLB_ERR_CONFIG_TIMER',
        'must be whole seconds between 1s and 4095s (RFC 4724), got 4096s',
      ],
      [
        'BGPPeer',
        'off',
        'spec.gracefulRestartTime',
        'IRONLB_ERR_CONFIG_PEER_CONFLICT',
        'is set but enableGracefulRestart is not true',
      ],
    ],
  },
  {
    rule: 'password and passwordSecret together',
    objects: {
      bgpPeers: [peer('p', { ...birdPeer, password: 'x', passwordSecret: { name: 's' } })],
    },
    errors: [
      [
        'BGPPeer',
        'p',
        'spec.passwordSecret',
        'IRONLB_ERR_CONFIG_PASSWORD',
        'password and passwordSecret are both set; use one',
      ],
    ],
  },
  {
    rule: 'a password longer than TCP-MD5 allows',
    objects: { bgpPeers: [peer('p', { ...birdPeer, password: 'x'.repeat(81) })] },
    errors: [
      [
        'BGPPeer',
        'p',
        'spec.password',
        'IRONLB_ERR_CONFIG_PASSWORD',
        'is 81 bytes; TCP-MD5 keys are at most 80',
      ],
    ],
  },
  {
    rule: 'a Secret that is missing, of the wrong type, without password, not base64',
    objects: {
      bgpPeers: [
        peer('missing', { ...birdPeer, passwordSecret: { name: 'none' } }),
        peer('opaque', { ...birdPeer, peerPort: 2, passwordSecret: { name: 'opaque' } }),
        peer('nokey', {
          ...birdPeer,
          peerPort: 3,
          passwordSecret: { name: 'nokey', namespace: 'other' },
        }),
        peer('garbled', { ...birdPeer, peerPort: 4, passwordSecret: { name: 'garbled' } }),
        peer('toolong', { ...birdPeer, peerPort: 5, passwordSecret: { name: 'toolong' } }),
      ],
      lookupSecret: secretLookup({
        [`${NS}/opaque`]: { type: 'Opaque', data: { password: 'eA==' } },
        'other/nokey': { type: 'kubernetes.io/basic-auth', data: { username: 'eA==' } },
        [`${NS}/garbled`]: { type: 'kubernetes.io/basic-auth', data: { password: 'not base64!' } },
        [`${NS}/toolong`]: basicAuthSecret('y'.repeat(100)),
      }),
    },
    errors: [
      [
        'BGPPeer',
        'garbled',
        'spec.passwordSecret',
        'IRONLB_ERR_CONFIG_SECRET',
        `Secret ${NS}/garbled: data.password is not valid base64`,
      ],
      [
        'BGPPeer',
        'missing',
        'spec.passwordSecret',
        'IRONLB_ERR_CONFIG_SECRET',
        `Secret ${NS}/none does not exist`,
      ],
      [
        'BGPPeer',
        'nokey',
        'spec.passwordSecret',
        'IRONLB_ERR_CONFIG_SECRET',
        'Secret other/nokey has no "password" key',
      ],
      [
        'BGPPeer',
        'opaque',
        'spec.passwordSecret',
        'IRONLB_ERR_CONFIG_SECRET',
        `Secret ${NS}/opaque has type "Opaque", expected kubernetes.io/basic-auth`,
      ],
      [
        'BGPPeer',
        'toolong',
        'spec.passwordSecret',
        'IRONLB_ERR_CONFIG_PASSWORD',
        'is 100 bytes; TCP-MD5 keys are at most 80',
      ],
    ],
  },
  {
    rule: 'a Secret lookup that throws, and none given',
    objects: {
      bgpPeers: [peer('p', { ...birdPeer, passwordSecret: { name: 's' } })],
      lookupSecret: () => {
        throw new Error('cache not synced');
      },
    },
    errors: [
      [
        'BGPPeer',
        'p',
        'spec.passwordSecret',
        'IRONLB_ERR_CONFIG_SECRET',
        `Secret ${NS}/s could not be read: cache not synced`,
      ],
    ],
  },
  {
    rule: 'a Secret reference without a lookup',
    objects: { bgpPeers: [peer('p', { ...birdPeer, passwordSecret: { name: 's' } })] },
    errors: [
      [
        'BGPPeer',
        'p',
        'spec.passwordSecret',
        'IRONLB_ERR_CONFIG_SECRET',
        `Secret ${NS}/s cannot be read (no Secret lookup given)`,
      ],
    ],
  },
  {
    rule: 'duplicate peers (same address, port and node selectors, written differently)',
    objects: {
      bgpPeers: [
        peer('b', {
          ...birdPeer,
          peerAddress: '2001:DB8::1',
          nodeSelectors: [{ matchLabels: { rack: '1' } }],
        }),
        peer('a', {
          ...birdPeer,
          peerAddress: '2001:db8:0::1',
          nodeSelectors: [{ matchExpressions: [{ key: 'rack', operator: 'In', values: ['1'] }] }],
        }),
        peer('c', { ...birdPeer, peerAddress: '2001:db8::1', peerPort: 1179 }),
      ],
    },
    errors: [
      [
        'BGPPeer',
        'b',
        'spec.peerAddress',
        'IRONLB_ERR_CONFIG_DUPLICATE_PEER',
        `BGPPeer ${NS}/a already has address 2001:db8::1, port 179 and the same node selectors`,
      ],
    ],
  },
  {
    rule: 'bad addresses: peer, source of the other family, router ID',
    objects: {
      bgpPeers: [
        peer('addr', { ...birdPeer, peerAddress: '10.0.0.0/8' }),
        peer('source', { ...birdPeer, peerPort: 2, sourceAddress: '::1' }),
        peer('id6', { ...birdPeer, peerPort: 3, routerID: '::1' }),
        peer('id0', { ...birdPeer, peerPort: 4, routerID: '0.0.0.0' }),
      ],
    },
    errors: [
      [
        'BGPPeer',
        'addr',
        'spec.peerAddress',
        'IRONLB_ERR_CONFIG_BAD_ADDRESS',
        '"10.0.0.0/8" is not an IPv4 or IPv6 address',
      ],
      ['BGPPeer', 'id0', 'spec.routerID', 'IRONLB_ERR_CONFIG_BAD_ADDRESS', 'must not be 0.0.0.0'],
      [
        'BGPPeer',
        'id6',
        'spec.routerID',
        'IRONLB_ERR_CONFIG_BAD_ADDRESS',
        '"::1" is not an IPv4 address (the BGP identifier is 32 bits)',
      ],
      [
        'BGPPeer',
        'source',
        'spec.sourceAddress',
        'IRONLB_ERR_CONFIG_BAD_ADDRESS',
        'is IPv6 but peerAddress is IPv4',
      ],
    ],
  },
  {
    rule: 'multihop on iBGP; GTSM with multihop',
    objects: {
      bgpPeers: [
        peer('ibgp', {
          myASN: 65000,
          peerASN: 65000,
          peerAddress: '192.0.2.1',
          ebgpMultiHop: true,
        }),
        peer('gtsm', { ...birdPeer, ebgpMultiHop: true, ttlSecurity: true }),
      ],
    },
    errors: [
      [
        'BGPPeer',
        'gtsm',
        'spec.ttlSecurity',
        'IRONLB_ERR_CONFIG_PEER_CONFLICT',
        'cannot be combined with ebgpMultiHop (GTSM accepts only TTL 255)',
      ],
      [
        'BGPPeer',
        'ibgp',
        'spec.ebgpMultiHop',
        'IRONLB_ERR_CONFIG_PEER_CONFLICT',
        'applies to eBGP only, but myASN equals peerASN (iBGP)',
      ],
    ],
  },
  {
    rule: 'a misspelt required field',
    objects: { bgpPeers: [peer('p', { myASN: 64698, peerASN: 64699, peerAdress: '127.0.0.1' })] },
    errors: [
      ['BGPPeer', 'p', 'spec.peerAddress', 'IRONLB_ERR_CONFIG_SCHEMA', 'is required'],
      ['BGPPeer', 'p', 'spec.peerAdress', 'IRONLB_ERR_CONFIG_SCHEMA', 'unknown field'],
    ],
  },
];

const advertisementCases: Case[] = [
  {
    rule: 'a pool and a peer that do not exist',
    objects: {
      ipAddressPools: [defaultPool],
      bgpPeers: [peer('bird', birdPeer)],
      bgpAdvertisements: [
        advertisement('a', { ipAddressPools: ['default', 'gone'], peers: ['bird', 'tor'] }),
      ],
    },
    errors: [
      [
        'BGPAdvertisement',
        'a',
        'spec.ipAddressPools[1]',
        'IRONLB_ERR_CONFIG_UNKNOWN_POOL',
        `IPAddressPool "gone" does not exist in namespace "${NS}"`,
      ],
      [
        'BGPAdvertisement',
        'a',
        'spec.peers[1]',
        'IRONLB_ERR_CONFIG_UNKNOWN_PEER',
        `BGPPeer "tor" does not exist in namespace "${NS}"`,
      ],
    ],
  },
  {
    rule: 'a pool that exists in another namespace only',
    objects: {
      ipAddressPools: [{ ...defaultPool, metadata: { name: 'default', namespace: 'elsewhere' } }],
      bgpAdvertisements: [advertisement('a', { ipAddressPools: ['default'] })],
    },
    errors: [
      [
        'BGPAdvertisement',
        'a',
        'spec.ipAddressPools[0]',
        'IRONLB_ERR_CONFIG_UNKNOWN_POOL',
        `IPAddressPool "default" does not exist in namespace "${NS}"`,
      ],
    ],
  },
  {
    rule: 'an invalid pool named by an advertisement is not also "unknown"',
    objects: {
      ipAddressPools: [pool('broken', { addresses: ['nonsense'] })],
      bgpAdvertisements: [advertisement('a', { ipAddressPools: ['broken'] })],
    },
    errors: [
      [
        'IPAddressPool',
        'broken',
        'spec.addresses[0]',
        'IRONLB_ERR_CONFIG_BAD_ADDRESS',
        '"nonsense" is neither a CIDR nor a range "a-b"',
      ],
    ],
  },
  {
    rule: 'aggregation length shorter than a pool CIDR (IPv4 and IPv6)',
    objects: {
      ipAddressPools: [pool('default', { addresses: ['10.0.0.0/24', '2001:db8::/64'] })],
      bgpAdvertisements: [advertisement('a', { aggregationLength: 16, aggregationLengthV6: 48 })],
    },
    errors: [
      [
        'BGPAdvertisement',
        'a',
        'spec.aggregationLength',
        'IRONLB_ERR_CONFIG_AGGREGATION_LENGTH',
        `16 is shorter than the prefix 10.0.0.0/24 of IPAddressPool ${NS}/default (spec.addresses[0] "10.0.0.0/24"): the aggregate would cover addresses outside the pool`,
      ],
      [
        'BGPAdvertisement',
        'a',
        'spec.aggregationLengthV6',
        'IRONLB_ERR_CONFIG_AGGREGATION_LENGTH',
        `48 is shorter than the prefix 2001:db8::/64 of IPAddressPool ${NS}/default (spec.addresses[1] "2001:db8::/64"): the aggregate would cover addresses outside the pool`,
      ],
    ],
  },
  {
    rule: 'aggregation length and a range whose cover has a longer prefix (pool chosen by selector)',
    objects: {
      ipAddressPools: [pool('edge', { addresses: ['10.0.0.0-10.0.0.5'] }, { tier: 'edge' })],
      bgpAdvertisements: [
        advertisement('a', {
          aggregationLength: 30,
          ipAddressPoolSelectors: [{ matchLabels: { tier: 'edge' } }],
        }),
      ],
    },
    errors: [
      [
        'BGPAdvertisement',
        'a',
        'spec.aggregationLength',
        'IRONLB_ERR_CONFIG_AGGREGATION_LENGTH',
        `30 is shorter than the prefix 10.0.0.4/31 of IPAddressPool ${NS}/edge (spec.addresses[0] "10.0.0.0-10.0.0.5"): the aggregate would cover addresses outside the pool`,
      ],
    ],
  },
  {
    rule: 'aggregation length outside 1-32',
    objects: {
      bgpAdvertisements: [
        advertisement('a', { aggregationLength: 0 }),
        advertisement('b', { aggregationLength: 33 }),
      ],
    },
    errors: [
      [
        'BGPAdvertisement',
        'a',
        'spec.aggregationLength',
        'IRONLB_ERR_CONFIG_SCHEMA',
        'must be between 1 and 32 (got 0)',
      ],
      [
        'BGPAdvertisement',
        'b',
        'spec.aggregationLength',
        'IRONLB_ERR_CONFIG_SCHEMA',
        'must be between 1 and 32 (got 33)',
      ],
    ],
  },
  {
    rule: 'communities out of range, and an unknown alias',
    objects: {
      bgpAdvertisements: [
        advertisement('a', { communities: ['65536:1', 'large:1:2:4294967296', 'no-such-alias'] }),
      ],
    },
    errors: [
      [
        'BGPAdvertisement',
        'a',
        'spec.communities[0]',
        'IRONLB_ERR_CONFIG_COMMUNITY_FORMAT',
        '"65536:1": each half of a community must be 0-65535 (use "large:a:b:c" for 32-bit ASNs)',
      ],
      [
        'BGPAdvertisement',
        'a',
        'spec.communities[1]',
        'IRONLB_ERR_CONFIG_COMMUNITY_FORMAT',
        '"large:1:2:4294967296": each part of a large community must be 0-4294967295',
      ],
      [
        'BGPAdvertisement',
        'a',
        'spec.communities[2]',
        'IRONLB_ERR_CONFIG_UNKNOWN_COMMUNITY',
        `"no-such-alias" is neither a community ("65000:100", "large:65000:1:2") nor an alias defined by a Community in namespace "${NS}"`,
      ],
    ],
  },
  {
    rule: 'a literal-looking community that is not one',
    objects: { bgpAdvertisements: [advertisement('a', { communities: ['1:2:3'] })] },
    errors: [
      [
        'BGPAdvertisement',
        'a',
        'spec.communities[0]',
        'IRONLB_ERR_CONFIG_COMMUNITY_FORMAT',
        '"1:2:3" is not a community: write "65000:100" or "large:65000:1:2"',
      ],
    ],
  },
  {
    rule: 'an alias named like a value, and an alias whose value is no community',
    objects: {
      communities: [
        community('a', [
          { name: '65000:7', value: '65000:7' },
          { name: 'large:1:2', value: '1:1' },
        ]),
        community('b', [{ name: 'words', value: 'no-export' }]),
      ],
    },
    errors: [
      [
        'Community',
        'a',
        'spec.communities[0].name',
        'IRONLB_ERR_CONFIG_COMMUNITY_FORMAT',
        '"65000:7" looks like a community value; an alias needs a name such as "no-export-to-transit"',
      ],
      [
        'Community',
        'a',
        'spec.communities[1].name',
        'IRONLB_ERR_CONFIG_COMMUNITY_FORMAT',
        '"large:1:2" looks like a community value; an alias needs a name such as "no-export-to-transit"',
      ],
      [
        'Community',
        'b',
        'spec.communities[0].value',
        'IRONLB_ERR_CONFIG_SCHEMA',
        'must be a community such as "65000:100" or "large:65000:1:2" (got "no-export")',
      ],
    ],
  },
  {
    rule: 'an alias defined twice, an alias value out of range',
    objects: {
      communities: [
        community('b', [{ name: 'transit', value: '65000:2' }]),
        community('a', [
          { name: 'transit', value: '65000:1' },
          { name: 'big', value: '1:70000' },
        ]),
      ],
    },
    errors: [
      [
        'Community',
        'a',
        'spec.communities[1].value',
        'IRONLB_ERR_CONFIG_COMMUNITY_FORMAT',
        '"1:70000": each half of a community must be 0-65535 (use "large:a:b:c" for 32-bit ASNs)',
      ],
      [
        'Community',
        'b',
        'spec.communities[0].name',
        'IRONLB_ERR_CONFIG_DUPLICATE_COMMUNITY',
        `alias "transit" is already defined by Community ${NS}/a spec.communities[0].name`,
      ],
    ],
  },
  {
    rule: 'conflicting localPref on advertisements that certainly overlap',
    objects: {
      ipAddressPools: [defaultPool],
      bgpPeers: [peer('bird', birdPeer)],
      bgpAdvertisements: [
        advertisement('low', { localPref: 100 }),
        advertisement('high', {
          localPref: 200,
          ipAddressPools: ['default'],
          nodeSelectors: [{ matchLabels: { rack: '1' } }],
        }),
      ],
    },
    errors: [
      [
        'BGPAdvertisement',
        'low',
        'spec.localPref',
        'IRONLB_ERR_CONFIG_LOCAL_PREF_CONFLICT',
        `100 conflicts with localPref 200 of BGPAdvertisement ${NS}/high: both apply to IPAddressPool "default" and BGPPeer "bird" on the same nodes`,
      ],
    ],
  },
  {
    rule: 'conflicting localPref where one node selector implies the other',
    objects: {
      ipAddressPools: [defaultPool],
      bgpPeers: [peer('bird', birdPeer)],
      bgpAdvertisements: [
        advertisement('a', { localPref: 100, nodeSelectors: [{ matchLabels: { rack: '1' } }] }),
        advertisement('b', {
          localPref: 200,
          nodeSelectors: [{ matchLabels: { rack: '1', role: 'edge' } }],
          serviceSelectors: [{ matchLabels: { app: 'web' } }],
        }),
      ],
    },
    errors: [
      [
        'BGPAdvertisement',
        'b',
        'spec.localPref',
        'IRONLB_ERR_CONFIG_LOCAL_PREF_CONFLICT',
        `200 conflicts with localPref 100 of BGPAdvertisement ${NS}/a: both apply to IPAddressPool "default" and BGPPeer "bird" on the same nodes`,
      ],
    ],
  },
];

describe('parseConfig: every rule, with the exact error', () => {
  for (const [group, cases] of [
    ['IPAddressPool', poolCases],
    ['BGPPeer', peerCases],
    ['BGPAdvertisement and Community', advertisementCases],
  ] as const) {
    describe(group, () => {
      for (const testCase of cases) {
        it(testCase.rule, () => expectErrors(testCase.objects, testCase.errors));
      }
    });
  }
});

describe('parseConfig: normalised output', () => {
  /** The reference data center: a default /20, bastion and internet /28s, the BIRD on loopback. */
  const reference: ConfigObjects = {
    ipAddressPools: [
      pool(
        'internet',
        { addresses: ['203.0.113.16/28'], autoAssign: false },
        { exposure: 'public' },
      ),
      pool('default', { addresses: ['10.72.32.0/20', '2001:db8:1::/64'] }),
      pool('bastion', {
        addresses: ['10.72.48.0/28'],
        autoAssign: false,
        avoidBuggyIPs: true,
        serviceAllocation: {
          priority: 10,
          namespaces: ['ops', 'bastion', 'ops'],
          serviceSelectors: [{ matchLabels: { role: 'bastion' } }],
        },
      }),
    ],
    bgpPeers: [
      peer('bird', {
        ...birdPeer,
        ebgpMultiHop: true,
        holdTime: '9s',
        enableGracefulRestart: true,
        passwordSecret: { name: 'bird-md5' },
      }),
    ],
    bgpAdvertisements: [
      advertisement('public', {
        ipAddressPoolSelectors: [{ matchLabels: { exposure: 'public' } }],
        communities: ['transit', 'large:64698:1:2', '65000:100', '65000:100'],
        localPref: 150,
      }),
      advertisement('all', { communities: ['64698:64699'] }),
    ],
    communities: [community('aliases', [{ name: 'transit', value: '65000:666' }])],
    lookupSecret: (namespace, name) =>
      namespace === NS && name === 'bird-md5' ? basicAuthSecret('s3cret') : undefined,
  };

  it('resolves the reference data center configuration', () => {
    const result = parseConfig(reference);
    assert.ok(result.ok, errorText(result));
    const { pools, peers, advertisements } = result.config;

    assert.deepEqual(
      pools.map((p) => p.name),
      ['bastion', 'default', 'internet'],
    );
    const [bastion, defaultPool, internet] = pools;
    assert.equal(defaultPool!.autoAssign, true);
    assert.equal(defaultPool!.avoidBuggyIPs, false);
    assert.deepEqual(defaultPool!.addressCount, { ipv4: 4096n, ipv6: 2n ** 64n });
    assert.deepEqual(defaultPool!.ranges[1], {
      family: 6,
      first: 0x20010db8000100000000000000000000n,
      last: 0x20010db800010000ffffffffffffffffn,
      text: '2001:db8:1::/64',
      index: 1,
      cidrs: [{ family: 6, address: 0x20010db8000100000000000000000000n, prefixLength: 64 }],
    });
    // avoidBuggyIPs: 10.72.48.0 is not counted (the /28 has no .255).
    assert.deepEqual(bastion!.addressCount, { ipv4: 15n, ipv6: 0n });
    assert.deepEqual(bastion!.serviceAllocation, {
      priority: 10,
      namespaces: ['bastion', 'ops'],
      namespaceSelectors: [],
      serviceSelectors: [{ requirements: [{ key: 'role', operator: 'In', values: ['bastion'] }] }],
    });
    assert.equal(internet!.serviceAllocation, undefined);
    assert.deepEqual(internet!.labels, { exposure: 'public' });

    assert.equal(peers.length, 1);
    const bird = peers[0]!;
    assert.equal(bird.password?.revealText(), 's3cret');
    assert.deepEqual(
      { ...bird, password: undefined },
      {
        namespace: NS,
        name: 'bird',
        myASN: 64698,
        peerASN: 64699,
        ibgp: false,
        peerAddress: '127.0.0.1',
        peerAddressFamily: 4,
        peerPort: 179,
        holdTimeMs: 9000,
        keepaliveTimeMs: undefined,
        connectTimeMs: 5000,
        routerID: undefined,
        sourceAddress: undefined,
        password: undefined,
        ebgpMultiHop: true,
        ttlSecurity: false,
        enableGracefulRestart: true,
        gracefulRestartTimeMs: 120_000,
        nodeSelectors: [],
      },
    );

    assert.deepEqual(advertisements, [
      {
        namespace: NS,
        name: 'all',
        aggregationLength: 32,
        aggregationLengthV6: 128,
        localPref: undefined,
        communities: [{ kind: 'standard', asn: 64698, value: 64699 }],
        pools: ['bastion', 'default', 'internet'],
        peers: ['bird'],
        nodeSelectors: [],
        serviceSelectors: [],
      },
      {
        namespace: NS,
        name: 'public',
        aggregationLength: 32,
        aggregationLengthV6: 128,
        localPref: 150,
        communities: [
          { kind: 'standard', asn: 65000, value: 100 },
          { kind: 'standard', asn: 65000, value: 666 },
          { kind: 'large', globalAdministrator: 64698, localData1: 1, localData2: 2 },
        ],
        pools: ['internet'],
        peers: ['bird'],
        nodeSelectors: [],
        serviceSelectors: [],
      },
    ]);
  });

  it('never shows the password when the config is printed or serialised', () => {
    const result = parseConfig(reference);
    assert.ok(result.ok);
    const text = JSON.stringify(result.config.peers, (_k, v: unknown) =>
      typeof v === 'bigint' ? v.toString() : v,
    );
    assert.ok(!text.includes('s3cret'));
    assert.match(text, /\[redacted\]/);
  });

  it('accepts the same pool addresses in different families and adjacent ranges', () => {
    const result = parseConfig({
      ipAddressPools: [
        pool('v4', { addresses: ['0.0.0.1/32', '10.0.0.0-10.0.0.9'] }),
        pool('v6', { addresses: ['::1/128'] }),
        pool('next', { addresses: ['10.0.0.10-10.0.0.20'] }),
      ],
    });
    assert.ok(result.ok, errorText(result));
  });

  it('does not report localPref conflicts it cannot prove', () => {
    const base = {
      ipAddressPools: [defaultPool, pool('other', { addresses: ['10.0.1.0/24'] })],
      bgpPeers: [peer('bird', birdPeer), peer('tor', { ...birdPeer, peerAddress: '127.0.0.2' })],
    };
    const agreeing = parseConfig({
      ...base,
      bgpAdvertisements: [
        advertisement('a', { localPref: 100 }),
        advertisement('b', { localPref: 100 }),
      ],
    });
    assert.ok(agreeing.ok, 'equal values agree');
    const disjointPools = parseConfig({
      ...base,
      bgpAdvertisements: [
        advertisement('a', { localPref: 100, ipAddressPools: ['default'] }),
        advertisement('b', { localPref: 200, ipAddressPools: ['other'] }),
      ],
    });
    assert.ok(disjointPools.ok, 'different pools');
    const disjointPeers = parseConfig({
      ...base,
      bgpAdvertisements: [
        advertisement('a', { localPref: 100, peers: ['bird'] }),
        advertisement('b', { localPref: 200, peers: ['tor'] }),
      ],
    });
    assert.ok(disjointPeers.ok, 'different peers');
    const differentRacks = parseConfig({
      ...base,
      bgpAdvertisements: [
        advertisement('a', { localPref: 100, nodeSelectors: [{ matchLabels: { rack: '1' } }] }),
        advertisement('b', { localPref: 200, nodeSelectors: [{ matchLabels: { rack: '2' } }] }),
      ],
    });
    assert.ok(differentRacks.ok, 'selectors that do not provably overlap');
    const differentServices = parseConfig({
      ...base,
      bgpAdvertisements: [
        advertisement('a', { localPref: 100, serviceSelectors: [{ matchLabels: { app: 'a' } }] }),
        advertisement('b', { localPref: 200, serviceSelectors: [{ matchLabels: { app: 'b' } }] }),
      ],
    });
    assert.ok(differentServices.ok, 'Service selectors that do not provably overlap');
  });

  it('accepts the boundary timers: hold 0, hold 3 s, keepalive equal to hold', () => {
    const result = parseConfig({
      bgpPeers: [
        peer('zero', { ...birdPeer, holdTime: '0s' }),
        peer('three', { ...birdPeer, peerPort: 2, holdTime: '3s', keepaliveTime: '3s' }),
        peer('mixed', { ...birdPeer, peerPort: 3, holdTime: '1m30s', keepaliveTime: '500ms' }),
      ],
    });
    assert.ok(result.ok, errorText(result));
    assert.deepEqual(
      result.config.peers.map((p) => [p.name, p.holdTimeMs, p.keepaliveTimeMs]),
      [
        ['mixed', 90_000, 500],
        ['three', 3000, 3000],
        ['zero', 0, undefined],
      ],
    );
  });

  it('reads a Secret from stringData (objects from files) and normalises addresses', () => {
    const result = parseConfig({
      bgpPeers: [
        peer('p', {
          ...birdPeer,
          peerAddress: '2001:DB8:0::0:1',
          sourceAddress: '2001:db8::2',
          routerID: '192.0.2.1',
          passwordSecret: { name: 's', namespace: 'other' },
        }),
      ],
      lookupSecret: (namespace, name) =>
        namespace === 'other' && name === 's'
          ? { type: 'kubernetes.io/basic-auth', stringData: { password: 'plain' } }
          : undefined,
    });
    assert.ok(result.ok, errorText(result));
    const [p] = result.config.peers;
    assert.equal(p!.peerAddress, '2001:db8::1');
    assert.equal(p!.peerAddressFamily, 6);
    assert.equal(p!.sourceAddress, '2001:db8::2');
    assert.equal(p!.routerID, '192.0.2.1');
    assert.equal(p!.password?.revealText(), 'plain');
  });

  it('sorts errors by kind, namespace, name and field, whatever the input order', () => {
    const errors = errorsOf({
      ipAddressPools: [pool('z', { addresses: ['x'] }), pool('a', { addresses: ['y'] })],
      bgpPeers: [peer('m', { ...birdPeer, holdTime: '1s', keepaliveTime: '2s' })],
    });
    assert.deepEqual(
      errors.map((e) => `${e.kind}/${e.name}/${e.field}`),
      [
        'BGPPeer/m/spec.holdTime',
        'BGPPeer/m/spec.keepaliveTime',
        'IPAddressPool/a/spec.addresses[0]',
        'IPAddressPool/z/spec.addresses[0]',
      ],
    );
  });

  it('reads what it can of objects that are not even objects', () => {
    const errors = errorsOf({ ipAddressPools: [null, 'pool', { metadata: { name: 7 } }] });
    assert.deepEqual(
      errors.map((e) => [e.name, e.field, e.reason]),
      [
        ['', '', 'must be an object, not a string'],
        ['', '', 'must be an object, not null'],
        ['', 'metadata.name', 'must be a string, not an integer'],
        ['', 'spec', 'is required'],
      ],
    );
  });

  it('parseConfigOrThrow throws an IronlbError listing the errors', () => {
    assert.throws(
      () => parseConfigOrThrow({ ipAddressPools: [pool('p', { addresses: ['nope'] })] }),
      (err: unknown) =>
        isIronlbError(err, ConfigErrors.IRONLB_ERR_CONFIG_INVALID) &&
        err.message ===
          `invalid configuration (1 error):\n  IPAddressPool ${NS}/p spec.addresses[0]: "nope" is neither a CIDR nor a range "a-b"`,
    );
    assert.deepEqual(parseConfigOrThrow({}), { pools: [], peers: [], advertisements: [] });
  });
});
