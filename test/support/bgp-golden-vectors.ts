/**
 * Hand-built BGP byte sequences with the values they stand for. Every codec
 * has at least one; every message here is also fed to the stream reader cut
 * at every offset and serves as seed for the fuzzer. Hex is written field by
 * field, separated by spaces, so each vector can be checked against the RFC.
 */
import { readFileSync } from 'node:fs';
import type { WireCodec } from '../../src/bgp/wire/codec.ts';
import * as wire from '../../src/bgp/wire/index.ts';
import type { WireContext } from '../../src/bgp/wire/index.ts';

export interface GoldenVector<T = unknown> {
  readonly name: string;
  readonly codec: WireCodec<T>;
  readonly hex: string;
  readonly value: T;
  readonly ctx: WireContext;
}

/** Internal peer, 4-octet AS: nothing is discarded, so every attribute round-trips. */
export const IBGP4: WireContext = { fourOctetAs: true, external: false };
/** Internal peer without the 4-octet AS capability. */
export const IBGP2: WireContext = { fourOctetAs: false, external: false };

export function bytes(hex: string): Buffer {
  return Buffer.from(hex.replace(/[\s:]/g, ''), 'hex');
}

const M = 'ff'.repeat(16);

function vector<T>(
  name: string,
  codec: WireCodec<T>,
  hex: string,
  value: NoInfer<T>,
  ctx: WireContext = IBGP4,
): GoldenVector {
  return { name, codec, hex: hex.replace(/\s/g, ''), value, ctx } as GoldenVector;
}

// ---------------------------------------------------------------------------
// Capabilities (RFC 5492 §4: code, length, value)

export const capabilityVectors: readonly GoldenVector[] = [
  vector('multiprotocol ipv6 unicast', wire.multiprotocolCapability, '01 04 0002 00 01', {
    kind: 'multiprotocol',
    afi: 2,
    safi: 1,
  }),
  vector('route refresh', wire.routeRefreshCapability, '02 00', { kind: 'route-refresh' }),
  vector('route refresh (Cisco)', wire.ciscoRouteRefreshCapability, '80 00', {
    kind: 'route-refresh-cisco',
  }),
  vector('enhanced route refresh', wire.enhancedRouteRefreshCapability, '46 00', {
    kind: 'enhanced-route-refresh',
  }),
  vector('four-octet AS', wire.fourOctetAsCapability, '41 04 fa56ea01', {
    kind: 'four-octet-as',
    asn: 4200000001,
  }),
  vector(
    'graceful restart: N bit, 120 s, ipv4 with F bit, ipv6 without',
    wire.gracefulRestartCapability,
    '40 0a 4078 0001 01 80 0002 01 00',
    {
      kind: 'graceful-restart',
      restarting: false,
      notification: true,
      restartTime: 120,
      families: [
        { afi: 1, safi: 1, forwardingState: true },
        { afi: 2, safi: 1, forwardingState: false },
      ],
    },
  ),
  vector(
    'graceful restart: R bit, 4095 s, no families',
    wire.gracefulRestartCapability,
    '40 02 8fff',
    {
      kind: 'graceful-restart',
      restarting: true,
      notification: false,
      restartTime: 4095,
      families: [],
    },
  ),
  vector('unknown capability (FQDN)', wire.unknownCapability, '49 03 016100', {
    kind: 'unknown',
    code: 73,
    value: bytes('016100'),
  }),
  vector('any capability: dispatches on the code', wire.capabilityCodec, '41 04 0000fde8', {
    kind: 'four-octet-as',
    asn: 65000,
  }),
];

// ---------------------------------------------------------------------------
// Path attributes (RFC 4271 §4.3: flags, type, length, value)

export const attributeVectors: readonly GoldenVector[] = [
  vector('ORIGIN igp', wire.originAttribute, '40 01 01 00', 'igp'),
  vector('ORIGIN incomplete', wire.originAttribute, '40 01 01 02', 'incomplete'),
  vector(
    'AS_PATH 4-octet: sequence + set',
    wire.asPathAttribute,
    '40 02 18  02 03 0000fde9 0000fdea fa56ea00  01 02 0000fdeb 0000fdec',
    [
      { type: 'sequence', asns: [65001, 65002, 4200000000] },
      { type: 'set', asns: [65003, 65004] },
    ],
  ),
  vector(
    'AS_PATH 2-octet',
    wire.asPathAttribute,
    '40 02 06 02 02 fde9 5ba0',
    [{ type: 'sequence', asns: [65001, 23456] }],
    IBGP2,
  ),
  vector('AS_PATH empty (iBGP origination)', wire.asPathAttribute, '40 02 00', []),
  vector(
    'AS_PATH with a confederation sequence (internal peer)',
    wire.asPathAttribute,
    '40 02 0c 03 01 0000fde8 02 01 0000fde9',
    [
      { type: 'confed-sequence', asns: [65000] },
      { type: 'sequence', asns: [65001] },
    ],
  ),
  vector('NEXT_HOP', wire.nextHopAttribute, '40 03 04 c0000201', '192.0.2.1'),
  vector('MULTI_EXIT_DISC', wire.multiExitDiscAttribute, '80 04 04 00000064', 100),
  vector('LOCAL_PREF', wire.localPrefAttribute, '40 05 04 ffffffff', 0xffffffff),
  vector('ATOMIC_AGGREGATE', wire.atomicAggregateAttribute, '40 06 00', true),
  vector('AGGREGATOR 4-octet', wire.aggregatorAttribute, 'c0 07 08 0000fde9 c0000202', {
    asn: 65001,
    address: '192.0.2.2',
  }),
  vector(
    'AGGREGATOR 2-octet',
    wire.aggregatorAttribute,
    'c0 07 06 fde9 c0000202',
    { asn: 65001, address: '192.0.2.2' },
    IBGP2,
  ),
  vector(
    'COMMUNITIES',
    wire.communitiesAttribute,
    'c0 08 08 fde80064 ffffff01',
    [0xfde80064, 0xffffff01],
  ),
  vector(
    'EXTENDED_COMMUNITIES: every kind',
    wire.extendedCommunitiesAttribute,
    'c0 10 28  0002 fde8 00000064  0102 c0000201 0064  0202 fa56ea00 0064  4004 fde8 4b189680  030c 00000000 0008',
    [
      { kind: 'two-octet-as', transitive: true, subtype: 2, asn: 65000, localAdministrator: 100 },
      {
        kind: 'ipv4-address',
        transitive: true,
        subtype: 2,
        address: '192.0.2.1',
        localAdministrator: 100,
      },
      {
        kind: 'four-octet-as',
        transitive: true,
        subtype: 2,
        asn: 4200000000,
        localAdministrator: 100,
      },
      { kind: 'link-bandwidth', transitive: false, asn: 65000, bandwidth: 1e7 },
      { kind: 'raw', bytes: bytes('030c000000000008') },
    ],
  ),
  vector(
    'LARGE_COMMUNITIES',
    wire.largeCommunitiesAttribute,
    'c0 20 0c 0000fde8 00000001 00000002',
    [{ globalAdministrator: 65000, localData1: 1, localData2: 2 }],
  ),
  vector('AS4_PATH', wire.as4PathAttribute, 'c0 11 0a 02 02 0000fde9 fa56ea00', [
    { type: 'sequence', asns: [65001, 4200000000] },
  ]),
  vector('AS4_AGGREGATOR', wire.as4AggregatorAttribute, 'c0 12 08 fa56ea00 c0000202', {
    asn: 4200000000,
    address: '192.0.2.2',
  }),
  vector(
    'MP_REACH_NLRI ipv6, global next hop',
    wire.mpReachNlriAttribute,
    '90 0e 002d  0002 01 10 20010db8000000000000000000000001 00  30 20010db80001  80 20010db8000000000000000000000001',
    {
      family: 'ipv6-unicast',
      nextHop: '2001:db8::1',
      nlri: ['2001:db8:1::/48', '2001:db8::1/128'],
    },
  ),
  vector(
    'MP_REACH_NLRI ipv6, global + link-local next hop',
    wire.mpReachNlriAttribute,
    '90 0e 002c  0002 01 20 20010db8000000000000000000000001 fe800000000000000000000000000001 00  30 20010db80001',
    {
      family: 'ipv6-unicast',
      nextHop: '2001:db8::1',
      linkLocalNextHop: 'fe80::1',
      nlri: ['2001:db8:1::/48'],
    },
  ),
  vector(
    'MP_REACH_NLRI ipv4 unicast',
    wire.mpReachNlriAttribute,
    '90 0e 000d 0001 01 04 c0000201 00 18 c63364',
    {
      family: 'ipv4-unicast',
      nextHop: '192.0.2.1',
      nlri: ['198.51.100.0/24'],
    },
  ),
  vector(
    'MP_REACH_NLRI other family, kept raw',
    wire.mpReachNlriAttribute,
    '90 0e 0015 0001 80 0c 0000000000000000c0000201 00 deadbeef',
    {
      family: 'other',
      afi: 1,
      safi: 128,
      nextHop: bytes('0000000000000000c0000201'),
      nlri: bytes('deadbeef'),
    },
  ),
  vector(
    'MP_UNREACH_NLRI ipv6',
    wire.mpUnreachNlriAttribute,
    '90 0f 000a 0002 01 30 20010db80001',
    {
      family: 'ipv6-unicast',
      withdrawn: ['2001:db8:1::/48'],
    },
  ),
  vector('MP_UNREACH_NLRI ipv4', wire.mpUnreachNlriAttribute, '90 0f 0005 0001 01 08 0a', {
    family: 'ipv4-unicast',
    withdrawn: ['10.0.0.0/8'],
  }),
  vector(
    'MP_UNREACH_NLRI other family, kept raw',
    wire.mpUnreachNlriAttribute,
    '90 0f 0007 0001 80 deadbeef',
    {
      family: 'other',
      afi: 1,
      safi: 128,
      withdrawn: bytes('deadbeef'),
    },
  ),
  vector('unknown optional transitive, Partial set', wire.unknownAttribute, 'e0 63 02 abcd', {
    flags: 0xe0,
    typeCode: 99,
    value: bytes('abcd'),
  }),
  vector(
    'unknown attribute with extended length',
    wire.unknownAttribute,
    `d0 64 0100 ${'5a'.repeat(256)}`,
    {
      flags: 0xc0,
      typeCode: 100,
      value: Buffer.alloc(256, 0x5a),
    },
  ),
];

// ---------------------------------------------------------------------------
// Messages (RFC 4271 §4.1: marker, length, type, body)

const FULL_ATTRIBUTES =
  '40 01 01 00 ' +
  '40 02 18 02 03 0000fde9 0000fdea fa56ea00 01 02 0000fdeb 0000fdec ' +
  '40 03 04 c0000201 ' +
  '80 04 04 00000064 ' +
  '40 05 04 000000c8 ' +
  '40 06 00 ' +
  'c0 07 08 0000fde9 c0000202 ' +
  'c0 08 08 fde80064 ffffff01 ' +
  'c0 10 10 0002fde8 00000064 4004fde8 4b189680 ' +
  'c0 20 0c 0000fde8 00000001 00000002 ' +
  'e0 63 02 abcd';

export const fullAttributes: wire.PathAttributes = {
  origin: 'igp',
  asPath: [
    { type: 'sequence', asns: [65001, 65002, 4200000000] },
    { type: 'set', asns: [65003, 65004] },
  ],
  nextHop: '192.0.2.1',
  multiExitDisc: 100,
  localPref: 200,
  atomicAggregate: true,
  aggregator: { asn: 65001, address: '192.0.2.2' },
  communities: [0xfde80064, 0xffffff01],
  extendedCommunities: [
    { kind: 'two-octet-as', transitive: true, subtype: 2, asn: 65000, localAdministrator: 100 },
    { kind: 'link-bandwidth', transitive: false, asn: 65000, bandwidth: 1e7 },
  ],
  largeCommunities: [{ globalAdministrator: 65000, localData1: 1, localData2: 2 }],
  unknown: [{ flags: 0xe0, typeCode: 99, value: bytes('abcd') }],
};

export const messageVectors: readonly GoldenVector[] = [
  vector('KEEPALIVE', wire.keepaliveMessage, `${M} 0013 04`, { type: 'keepalive' }),
  vector(
    'OPEN without optional parameters',
    wire.openMessage,
    `${M} 001d 01  04 fde8 00b4 c0000201 00`,
    {
      type: 'open',
      version: 4,
      myAs: 65000,
      holdTime: 180,
      bgpIdentifier: '192.0.2.1',
      capabilities: [],
    },
  ),
  vector(
    'OPEN with every capability in one parameter, AS_TRANS for a 4-octet AS',
    wire.openMessage,
    `${M} 0044 01  04 5ba0 005a c0000201 27  02 25 ` +
      '01 04 0001 00 01  01 04 0002 00 01  02 00  80 00  46 00  40 06 c078 0001 01 80  41 04 fa56ea01  49 03 016100',
    {
      type: 'open',
      version: 4,
      myAs: 23456,
      holdTime: 90,
      bgpIdentifier: '192.0.2.1',
      capabilities: [
        { kind: 'multiprotocol', afi: 1, safi: 1 },
        { kind: 'multiprotocol', afi: 2, safi: 1 },
        { kind: 'route-refresh' },
        { kind: 'route-refresh-cisco' },
        { kind: 'enhanced-route-refresh' },
        {
          kind: 'graceful-restart',
          restarting: true,
          notification: true,
          restartTime: 120,
          families: [{ afi: 1, safi: 1, forwardingState: true }],
        },
        { kind: 'four-octet-as', asn: 4200000001 },
        { kind: 'unknown', code: 73, value: bytes('016100') },
      ],
    },
  ),
  vector(
    'OPEN with one parameter per capability (as FRR sends)',
    wire.openMessage,
    `${M} 0029 01  04 fde9 0009 0a000001 0c  02 06 01 04 0001 00 01  02 02 02 00`,
    {
      type: 'open',
      version: 4,
      myAs: 65001,
      holdTime: 9,
      bgpIdentifier: '10.0.0.1',
      capabilities: [{ kind: 'multiprotocol', afi: 1, safi: 1 }, { kind: 'route-refresh' }],
      parameterLayout: [1, 1],
    },
  ),
  vector(
    'OPEN with extended optional parameters (RFC 9072)',
    wire.openMessage,
    `${M} 0029 01  04 fde8 00b4 c0000201 ff  ff 0009  02 0006 41 04 0000fde8`,
    {
      type: 'open',
      version: 4,
      myAs: 65000,
      holdTime: 180,
      bgpIdentifier: '192.0.2.1',
      capabilities: [{ kind: 'four-octet-as', asn: 65000 }],
      extendedParameters: true,
    },
  ),
  vector(
    'UPDATE: ipv4 announcement with every attribute',
    wire.updateMessage,
    `${M} 0098 02  0000  0074 ${FULL_ATTRIBUTES}  18 c63364  20 c0000201  00  0c 0a10`,
    {
      type: 'update',
      withdrawn: [],
      attributes: fullAttributes,
      nlri: ['198.51.100.0/24', '192.0.2.1/32', '0.0.0.0/0', '10.16.0.0/12'],
    },
  ),
  vector(
    'UPDATE: ipv4 withdrawal',
    wire.updateMessage,
    `${M} 001d 02  0006 08 0a 18 c00002  0000`,
    {
      type: 'update',
      withdrawn: ['10.0.0.0/8', '192.0.2.0/24'],
      attributes: {},
      nlri: [],
    },
  ),
  vector(
    'UPDATE: ipv6 announcement in MP_REACH_NLRI',
    wire.updateMessage,
    `${M} 0055 02  0000  003e ` +
      '90 0e 002d 0002 01 10 20010db8000000000000000000000001 00 30 20010db80001 80 20010db8000000000000000000000001 ' +
      '40 01 01 00  40 02 06 02 01 0000fde9',
    {
      type: 'update',
      withdrawn: [],
      attributes: {
        mpReach: {
          family: 'ipv6-unicast',
          nextHop: '2001:db8::1',
          nlri: ['2001:db8:1::/48', '2001:db8::1/128'],
        },
        origin: 'igp',
        asPath: [{ type: 'sequence', asns: [65001] }],
      },
      nlri: [],
    },
  ),
  vector(
    'UPDATE: ipv6 announcement with a link-local next hop, empty AS_PATH',
    wire.updateMessage,
    `${M} 004e 02  0000  0037 ` +
      '90 0e 002c 0002 01 20 20010db8000000000000000000000001 fe800000000000000000000000000001 00 30 20010db80001 ' +
      '40 01 01 00  40 02 00',
    {
      type: 'update',
      withdrawn: [],
      attributes: {
        mpReach: {
          family: 'ipv6-unicast',
          nextHop: '2001:db8::1',
          linkLocalNextHop: 'fe80::1',
          nlri: ['2001:db8:1::/48'],
        },
        origin: 'igp',
        asPath: [],
      },
      nlri: [],
    },
  ),
  vector(
    'UPDATE: ipv6 withdrawal in MP_UNREACH_NLRI',
    wire.updateMessage,
    `${M} 0025 02  0000 000e  90 0f 000a 0002 01 30 20010db80001`,
    {
      type: 'update',
      withdrawn: [],
      attributes: { mpUnreach: { family: 'ipv6-unicast', withdrawn: ['2001:db8:1::/48'] } },
      nlri: [],
    },
  ),
  vector(
    'UPDATE: End-of-RIB ipv4',
    wire.updateMessage,
    `${M} 0017 02 0000 0000`,
    wire.createEndOfRib('ipv4-unicast'),
  ),
  vector(
    'UPDATE: End-of-RIB ipv6',
    wire.updateMessage,
    `${M} 001e 02 0000 0007 90 0f 0003 0002 01`,
    wire.createEndOfRib('ipv6-unicast'),
  ),
  vector(
    'UPDATE to a 2-octet peer: AS_TRANS with AS4_PATH and AS4_AGGREGATOR',
    wire.updateMessage,
    `${M} 0050 02  0000 0035  40 01 01 00  40 02 06 02 02 fde9 5ba0  40 03 04 c0000201  c0 07 06 5ba0 c0000202 ` +
      'c0 11 0a 02 02 0000fde9 fa56ea00  c0 12 08 fa56ea00 c0000202  18 c63364',
    {
      type: 'update',
      withdrawn: [],
      attributes: {
        origin: 'igp',
        asPath: [{ type: 'sequence', asns: [65001, 23456] }],
        nextHop: '192.0.2.1',
        aggregator: { asn: 23456, address: '192.0.2.2' },
        as4Path: [{ type: 'sequence', asns: [65001, 4200000000] }],
        as4Aggregator: { asn: 4200000000, address: '192.0.2.2' },
      },
      nlri: ['198.51.100.0/24'],
    },
    IBGP2,
  ),
  vector(
    'UPDATE: an extended-length unknown attribute only',
    wire.updateMessage,
    `${M} 011b 02 0000 0104 d0 64 0100 ${'5a'.repeat(256)}`,
    {
      type: 'update',
      withdrawn: [],
      attributes: { unknown: [{ flags: 0xc0, typeCode: 100, value: Buffer.alloc(256, 0x5a) }] },
      nlri: [],
    },
  ),
  vector(
    'NOTIFICATION: Cease / Peer De-configured',
    wire.notificationMessage,
    `${M} 0015 03 06 03`,
    {
      type: 'notification',
      code: 6,
      subcode: 3,
      data: Buffer.alloc(0),
    },
  ),
  vector(
    'NOTIFICATION: Cease / Administrative Shutdown with a shutdown communication',
    wire.notificationMessage,
    `${M} 0021 03 06 02 0b 6d61696e74656e616e6365`,
    wire.createCeaseNotification(2, 'maintenance'),
  ),
  vector(
    'NOTIFICATION: Message Header Error / Bad Message Length with data',
    wire.notificationMessage,
    `${M} 0017 03 01 02 0010`,
    {
      type: 'notification',
      code: 1,
      subcode: 2,
      data: bytes('0010'),
    },
  ),
  vector('ROUTE-REFRESH ipv4 unicast', wire.routeRefreshMessage, `${M} 0017 05 0001 00 01`, {
    type: 'route-refresh',
    afi: 1,
    safi: 1,
    subtype: 0,
  }),
  vector(
    'ROUTE-REFRESH BoRR ipv6 (RFC 7313)',
    wire.routeRefreshMessage,
    `${M} 0017 05 0002 01 01`,
    {
      type: 'route-refresh',
      afi: 2,
      safi: 1,
      subtype: 1,
    },
  ),
  vector(
    'ROUTE-REFRESH EoRR ipv6 (RFC 7313)',
    wire.routeRefreshMessage,
    `${M} 0017 05 0002 02 01`,
    {
      type: 'route-refresh',
      afi: 2,
      safi: 1,
      subtype: 2,
    },
  ),
];

export const allGoldenVectors: readonly GoldenVector[] = [
  ...capabilityVectors,
  ...attributeVectors,
  ...messageVectors,
];

/** Real OPEN messages captured from BIRD 2 and FRR (test/support/bgp-capture.ts records them). */
export function capturedOpens(): { name: string; hex: string }[] {
  return ['bird', 'frr'].map((name) => ({
    name,
    hex: readVector(`open-${name}.hex`),
  }));
}

export function readVector(file: string): string {
  return readFileSync(new URL(`../vectors/${file}`, import.meta.url), 'utf8').trim();
}
