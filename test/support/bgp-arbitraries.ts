/**
 * fast-check arbitraries for BGP values, shaped like what decoding returns
 * (canonical prefixes, no empty community lists), so decode(encode(x)) = x.
 */
import fc from 'fast-check';
import * as wire from '../../src/bgp/wire/index.ts';
import type {
  AsPathSegment,
  BgpMessage,
  Capability,
  ExtendedCommunity,
  MpReachNlri,
  MpUnreachNlri,
  PathAttributes,
  UnknownAttribute,
  WireContext,
} from '../../src/bgp/wire/index.ts';

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const bytesOf = (maxLength: number) => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));

export const ipv4 = fc.tuple(u8, u8, u8, u8).map((b) => b.join('.'));
export const ipv6 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => wire.formatIpv6(b));

export const ipv4Prefix = fc
  .tuple(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 32 }))
  .map(([address, length]) => wire.formatPrefix(4, address, length));
export const ipv6Prefix = fc
  .tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 128 }))
  .map(([address, length]) => wire.formatPrefix(6, address, length));

const KNOWN_ATTRIBUTE_TYPES = new Set(Object.values(wire.AttributeType) as number[]);
const KNOWN_CAPABILITY_CODES = new Set([1, 2, 64, 65, 70, 128]);

function segment(
  asn: fc.Arbitrary<number>,
  kinds: readonly AsPathSegment['type'][],
): fc.Arbitrary<AsPathSegment> {
  return fc.record({
    type: fc.constantFrom(...kinds),
    asns: fc.array(asn, { minLength: 1, maxLength: 8 }),
  });
}

const ALL_KINDS = ['sequence', 'set', 'confed-sequence', 'confed-set'] as const;

const extendedCommunity: fc.Arbitrary<ExtendedCommunity> = fc.oneof(
  fc.record({
    kind: fc.constant('two-octet-as' as const),
    transitive: fc.boolean(),
    subtype: u8.filter((s) => s !== 4),
    asn: u16,
    localAdministrator: u32,
  }),
  fc.record({
    kind: fc.constant('ipv4-address' as const),
    transitive: fc.boolean(),
    subtype: u8,
    address: ipv4,
    localAdministrator: u16,
  }),
  fc.record({
    kind: fc.constant('four-octet-as' as const),
    transitive: fc.boolean(),
    subtype: u8,
    asn: u32,
    localAdministrator: u16,
  }),
  fc.record({
    kind: fc.constant('link-bandwidth' as const),
    transitive: fc.boolean(),
    asn: u16,
    bandwidth: fc.float({ noNaN: true }),
  }),
  fc
    .uint8Array({ minLength: 8, maxLength: 8 })
    .filter((b) => ![0x00, 0x01, 0x02].includes((b[0] ?? 0) & ~0x40))
    .map((b) => ({ kind: 'raw' as const, bytes: Buffer.from(b) })),
);

const otherFamily = fc
  .tuple(u16, u8)
  .filter(([afi, safi]) => wire.familyOf(afi, safi) === undefined);

const mpReach: fc.Arbitrary<MpReachNlri> = fc.oneof(
  fc.record(
    {
      family: fc.constant('ipv6-unicast' as const),
      nextHop: ipv6,
      linkLocalNextHop: ipv6,
      nlri: fc.array(ipv6Prefix, { maxLength: 10 }),
    },
    { requiredKeys: ['family', 'nextHop', 'nlri'] },
  ),
  fc.record({
    family: fc.constant('ipv4-unicast' as const),
    nextHop: ipv4,
    nlri: fc.array(ipv4Prefix, { maxLength: 10 }),
  }),
  fc.tuple(otherFamily, bytesOf(40), bytesOf(60)).map(([[afi, safi], nextHop, nlri]) => ({
    family: 'other' as const,
    afi,
    safi,
    nextHop,
    nlri,
  })),
);

const mpUnreach: fc.Arbitrary<MpUnreachNlri> = fc.oneof(
  fc.record({
    family: fc.constant('ipv6-unicast' as const),
    withdrawn: fc.array(ipv6Prefix, { maxLength: 10 }),
  }),
  fc.record({
    family: fc.constant('ipv4-unicast' as const),
    withdrawn: fc.array(ipv4Prefix, { maxLength: 10 }),
  }),
  fc
    .tuple(otherFamily, bytesOf(60))
    .map(([[afi, safi], withdrawn]) => ({ family: 'other' as const, afi, safi, withdrawn })),
);

const unknownAttributes: fc.Arbitrary<UnknownAttribute[]> = fc
  .uniqueArray(
    fc.record({
      flags: fc.constantFrom(0x80, 0xa0, 0xc0, 0xe0),
      typeCode: u8.filter((t) => !KNOWN_ATTRIBUTE_TYPES.has(t)),
      value: bytesOf(300),
    }),
    { selector: (a) => a.typeCode, maxLength: 3 },
  )
  .map((list) => [...list].sort((a, b) => a.typeCode - b.typeCode));

/** Path attributes valid for `ctx` (which must be internal, so nothing is discarded). */
export function pathAttributes(ctx: WireContext): fc.Arbitrary<PathAttributes> {
  const asn = ctx.fourOctetAs
    ? fc.integer({ min: 1, max: 0xffffffff })
    : fc.integer({ min: 1, max: 0xffff });
  const aggregator = fc.record({ asn, address: ipv4 });
  const as4Asn = fc.integer({ min: 0x10000, max: 0xffffffff });
  return fc.record(
    {
      origin: fc.constantFrom('igp' as const, 'egp' as const, 'incomplete' as const),
      asPath: fc.array(segment(asn, ALL_KINDS), { maxLength: 4 }),
      nextHop: ipv4,
      multiExitDisc: u32,
      localPref: u32,
      atomicAggregate: fc.constant(true as const),
      aggregator,
      communities: fc.array(u32, { minLength: 1, maxLength: 8 }),
      mpReach,
      mpUnreach,
      extendedCommunities: fc.array(extendedCommunity, { minLength: 1, maxLength: 6 }),
      largeCommunities: fc.array(
        fc.record({ globalAdministrator: u32, localData1: u32, localData2: u32 }),
        { minLength: 1, maxLength: 4 },
      ),
      ...(ctx.fourOctetAs
        ? {}
        : {
            as4Path: fc.array(segment(as4Asn, ['sequence', 'set']), { minLength: 1, maxLength: 3 }),
            as4Aggregator: fc.record({ asn: as4Asn, address: ipv4 }),
          }),
      unknown: unknownAttributes.filter((list) => list.length > 0),
    },
    { requiredKeys: [] },
  );
}

export const context: fc.Arbitrary<WireContext> = fc
  .boolean()
  .map((fourOctetAs) => ({ fourOctetAs, external: false }));

const capability: fc.Arbitrary<Capability> = fc.oneof(
  fc.record({ kind: fc.constant('multiprotocol' as const), afi: u16, safi: u8 }),
  fc.constant({ kind: 'route-refresh' as const }),
  fc.constant({ kind: 'route-refresh-cisco' as const }),
  fc.constant({ kind: 'enhanced-route-refresh' as const }),
  fc.record({
    kind: fc.constant('four-octet-as' as const),
    asn: fc.integer({ min: 1, max: 0xffffffff }),
  }),
  fc.record({
    kind: fc.constant('graceful-restart' as const),
    restarting: fc.boolean(),
    notification: fc.boolean(),
    restartTime: fc.integer({ min: 0, max: 4095 }),
    families: fc.array(fc.record({ afi: u16, safi: u8, forwardingState: fc.boolean() }), {
      maxLength: 4,
    }),
  }),
  fc.record({
    kind: fc.constant('unknown' as const),
    code: u8.filter((c) => !KNOWN_CAPABILITY_CODES.has(c)),
    value: bytesOf(20),
  }),
);

/** Splits n items into groups, as an OPEN's optional parameters may. */
function layout(n: number): fc.Arbitrary<number[] | undefined> {
  if (n === 0) return fc.constantFrom(undefined, [0], [0, 0]);
  return fc.option(
    fc.array(fc.integer({ min: 0, max: n }), { minLength: 1, maxLength: 3 }).map((cuts) => {
      const sorted = [...cuts, 0, n].sort((a, b) => a - b);
      return sorted.slice(1).map((cut, i) => cut - sorted[i]!);
    }),
    { nil: undefined },
  );
}

const open = fc
  .record({
    myAs: fc.integer({ min: 1, max: 0xffff }),
    holdTime: fc.oneof(fc.constant(0), fc.integer({ min: 3, max: 0xffff })),
    bgpIdentifier: ipv4.filter((a) => a !== '0.0.0.0'),
    capabilities: fc.array(capability, { maxLength: 8 }),
    extended: fc.boolean(),
  })
  .chain((o) => layout(o.capabilities.length).map((parameterLayout) => ({ ...o, parameterLayout })))
  .map(({ extended, parameterLayout, ...o }) => {
    const isDefault =
      parameterLayout === undefined ||
      (o.capabilities.length > 0 ? parameterLayout.length === 1 : parameterLayout.length === 0);
    return {
      type: 'open' as const,
      version: 4,
      ...o,
      ...(isDefault ? {} : { parameterLayout }),
      ...(extended ? { extendedParameters: true as const } : {}),
    };
  });

/** Announcements carry ORIGIN, AS_PATH and (for the NLRI field) NEXT_HOP, or decoding reports them missing. */
function withMandatoryAttributes<U extends { attributes: PathAttributes; nlri: readonly string[] }>(
  update: U,
): U {
  const a = update.attributes;
  if (update.nlri.length === 0 && a.mpReach === undefined) return update;
  return {
    ...update,
    attributes: {
      ...a,
      origin: a.origin ?? 'igp',
      asPath: a.asPath ?? [],
      ...(update.nlri.length > 0 ? { nextHop: a.nextHop ?? '192.0.2.1' } : {}),
    },
  };
}

/** A message and a context it round-trips in. */
export const messageInContext: fc.Arbitrary<{ message: BgpMessage; ctx: WireContext }> =
  context.chain((ctx) =>
    fc
      .oneof(
        open,
        fc
          .record({
            type: fc.constant('update' as const),
            withdrawn: fc.array(ipv4Prefix, { maxLength: 20 }),
            attributes: pathAttributes(ctx),
            nlri: fc.array(ipv4Prefix, { maxLength: 20 }),
          })
          .map(withMandatoryAttributes),
        fc.record({
          type: fc.constant('notification' as const),
          code: u8,
          subcode: u8,
          data: bytesOf(100),
        }),
        fc.constant({ type: 'keepalive' as const }),
        fc.record({ type: fc.constant('route-refresh' as const), afi: u16, safi: u8, subtype: u8 }),
      )
      .filter((message) => wire.bgpMessage.encodingLength(message, ctx) <= 4096)
      .map((message) => ({ message, ctx })),
  );
