import type { AttributeSpec } from './attributes/attribute-codec.ts';
import {
  attributeError,
  attributeHeaderLength,
  decodeAttributeValue,
  readAttributeHeader,
  writeAttributeHeader,
} from './attributes/attribute-codec.ts';
import { aggregatorAttribute } from './attributes/aggregator.ts';
import type { Aggregator } from './attributes/aggregator.ts';
import { as4AggregatorAttribute } from './attributes/as4-aggregator.ts';
import { as4PathAttribute } from './attributes/as4-path.ts';
import { asPathAttribute } from './attributes/as-path.ts';
import { hasFourOctetAsn } from './attributes/as-path-segments.ts';
import type { AsPath } from './attributes/as-path-segments.ts';
import { atomicAggregateAttribute } from './attributes/atomic-aggregate.ts';
import { communitiesAttribute } from './attributes/communities.ts';
import { extendedCommunitiesAttribute } from './attributes/extended-communities.ts';
import type { ExtendedCommunity } from './attributes/extended-communities.ts';
import { largeCommunitiesAttribute } from './attributes/large-communities.ts';
import type { LargeCommunity } from './attributes/large-communities.ts';
import { localPrefAttribute } from './attributes/local-pref.ts';
import { mpReachNlriAttribute } from './attributes/mp-reach-nlri.ts';
import type { MpReachNlri } from './attributes/mp-reach-nlri.ts';
import { mpUnreachNlriAttribute } from './attributes/mp-unreach-nlri.ts';
import type { MpUnreachNlri } from './attributes/mp-unreach-nlri.ts';
import { multiExitDiscAttribute } from './attributes/multi-exit-disc.ts';
import { nextHopAttribute } from './attributes/next-hop.ts';
import { originAttribute } from './attributes/origin.ts';
import type { OriginName } from './attributes/origin.ts';
import { unknownAttribute } from './attributes/unknown-attribute.ts';
import type { UnknownAttribute } from './attributes/unknown-attribute.ts';
import { AttributeFlag, AttributeType, UpdateMessageErrorSubcode } from './constants.ts';
import type { WireContext } from './context.ts';
import { BgpWireError, encodeError } from './errors.ts';

/**
 * The path attributes of an UPDATE, one field per attribute this codec
 * understands; everything else is in `unknown`, intact. Empty lists are
 * never sent (RFC 7606 makes empty community attributes malformed).
 */
export interface PathAttributes {
  readonly origin?: OriginName;
  readonly asPath?: AsPath;
  readonly nextHop?: string;
  readonly multiExitDisc?: number;
  readonly localPref?: number;
  readonly atomicAggregate?: true;
  readonly aggregator?: Aggregator;
  readonly communities?: readonly number[];
  readonly mpReach?: MpReachNlri;
  readonly mpUnreach?: MpUnreachNlri;
  readonly extendedCommunities?: readonly ExtendedCommunity[];
  readonly as4Path?: AsPath;
  readonly as4Aggregator?: Aggregator;
  readonly largeCommunities?: readonly LargeCommunity[];
  readonly unknown?: readonly UnknownAttribute[];
}

type KnownKey = Exclude<keyof PathAttributes, 'unknown'>;

interface KnownAttribute {
  readonly key: KnownKey;
  readonly spec: AttributeSpec<unknown>;
}

function known<K extends KnownKey>(
  key: K,
  spec: AttributeSpec<NonNullable<PathAttributes[K]>>,
): KnownAttribute {
  return { key, spec: spec };
}

/** Every attribute we understand, in ascending type code (RFC 4271 §5 sending order). */
const KNOWN_ATTRIBUTES: readonly KnownAttribute[] = [
  known('origin', originAttribute),
  known('asPath', asPathAttribute),
  known('nextHop', nextHopAttribute),
  known('multiExitDisc', multiExitDiscAttribute),
  known('localPref', localPrefAttribute),
  known('atomicAggregate', atomicAggregateAttribute),
  known('aggregator', aggregatorAttribute),
  known('communities', communitiesAttribute),
  known('mpReach', mpReachNlriAttribute),
  known('mpUnreach', mpUnreachNlriAttribute),
  known('extendedCommunities', extendedCommunitiesAttribute),
  known('as4Path', as4PathAttribute),
  known('as4Aggregator', as4AggregatorAttribute),
  known('largeCommunities', largeCommunitiesAttribute),
];

const KNOWN_BY_TYPE = new Map<number, KnownAttribute>(
  KNOWN_ATTRIBUTES.map((k) => [k.spec.typeCode, k]),
);

// ---------------------------------------------------------------------------
// Encoding

interface Entry {
  readonly spec: AttributeSpec<unknown> | undefined;
  readonly value: unknown;
  readonly typeCode: number;
}

/**
 * Lists that may not be empty on the wire (RFC 7606 §7.8, §7.14, RFC 8092 §5,
 * RFC 6793 §6): an empty one means the attribute is absent.
 */
const LIST_KEYS: ReadonlySet<KnownKey> = new Set([
  'communities',
  'extendedCommunities',
  'largeCommunities',
  'as4Path',
]);

function isEmptyList(key: KnownKey, value: unknown): boolean {
  return LIST_KEYS.has(key) && Array.isArray(value) && value.length === 0;
}

/**
 * The attributes as they go on the wire: MP_REACH_NLRI and MP_UNREACH_NLRI
 * first (RFC 7606 §5.1), then ascending type code (RFC 4271 §5). Towards a
 * 2-octet peer, AS4_PATH/AS4_AGGREGATOR are added when an AS number does not
 * fit (RFC 6793 §4.2.2); towards a 4-octet peer they are never sent (RFC 6793 §6).
 */
function wireEntries(attributes: PathAttributes, ctx: WireContext): Entry[] {
  const values: Partial<Record<KnownKey, unknown>> = { ...attributes };
  delete (values as { unknown?: unknown }).unknown;
  if (ctx.fourOctetAs) {
    delete values.as4Path;
    delete values.as4Aggregator;
  } else {
    if (
      values.as4Path === undefined &&
      attributes.asPath !== undefined &&
      hasFourOctetAsn(attributes.asPath)
    ) {
      values.as4Path = attributes.asPath;
    }
    if (
      values.as4Aggregator === undefined &&
      attributes.aggregator !== undefined &&
      attributes.aggregator.asn > 0xffff
    ) {
      values.as4Aggregator = attributes.aggregator;
    }
  }
  const first: Entry[] = [];
  const rest: Entry[] = [];
  for (const attribute of KNOWN_ATTRIBUTES) {
    const value = values[attribute.key];
    if (value === undefined || isEmptyList(attribute.key, value)) continue;
    const entry = { spec: attribute.spec, value, typeCode: attribute.spec.typeCode };
    if (attribute.key === 'mpReach' || attribute.key === 'mpUnreach') first.push(entry);
    else rest.push(entry);
  }
  const unknown = attributes.unknown ?? [];
  if (unknown.length > 0) {
    for (const attr of unknown) {
      if (KNOWN_BY_TYPE.has(attr.typeCode)) {
        throw encodeError(
          `attribute type ${attr.typeCode} has its own field; do not pass it as unknown`,
        );
      }
      // We never originate an attribute a receiver may not recognise as well-known (RFC 4271 §6.3).
      if ((attr.flags & AttributeFlag.OPTIONAL) === 0) {
        throw encodeError(`unknown attribute type ${attr.typeCode} must carry the Optional flag`);
      }
      rest.push({ spec: undefined, value: attr, typeCode: attr.typeCode });
    }
    rest.sort((a, b) => a.typeCode - b.typeCode);
  }
  return first.concat(rest);
}

function entryLength(entry: Entry, ctx: WireContext): number {
  if (entry.spec === undefined)
    return unknownAttribute.encodingLength(entry.value as UnknownAttribute, ctx);
  const length = entry.spec.valueLength(entry.value, ctx);
  return attributeHeaderLength(length, entry.spec.alwaysExtendedLength === true) + length;
}

function writeEntry(entry: Entry, buf: Buffer, offset: number, ctx: WireContext): number {
  if (entry.spec === undefined)
    return unknownAttribute.write(entry.value as UnknownAttribute, buf, offset, ctx);
  const spec = entry.spec;
  const length = spec.valueLength(entry.value, ctx);
  const start = writeAttributeHeader(
    spec.flags,
    spec.typeCode,
    length,
    buf,
    offset,
    spec.alwaysExtendedLength === true,
  );
  return spec.writeValue(entry.value, buf, start, ctx);
}

/** Octets of the path attributes field. */
export function pathAttributesLength(attributes: PathAttributes, ctx: WireContext): number {
  let total = 0;
  for (const entry of wireEntries(attributes, ctx)) total += entryLength(entry, ctx);
  return total;
}

/** Writes the path attributes field; returns the offset after it. */
export function writePathAttributes(
  attributes: PathAttributes,
  buf: Buffer,
  offset: number,
  ctx: WireContext,
): number {
  let pos = offset;
  for (const entry of wireEntries(attributes, ctx)) pos = writeEntry(entry, buf, pos, ctx);
  return pos;
}

/** The path attributes field as a fresh buffer (the packer encodes it once per batch). */
export function encodePathAttributes(attributes: PathAttributes, ctx: WireContext): Buffer {
  const entries = wireEntries(attributes, ctx);
  let total = 0;
  for (const entry of entries) total += entryLength(entry, ctx);
  const buf = Buffer.alloc(total);
  let pos = 0;
  for (const entry of entries) pos = writeEntry(entry, buf, pos, ctx);
  return buf;
}

// ---------------------------------------------------------------------------
// Decoding

export interface DecodedPathAttributes {
  readonly attributes: PathAttributes;
  /** Errors handled by treat-as-withdraw or attribute discard (RFC 7606), in order found. */
  readonly errors: readonly BgpWireError[];
  /** Type codes present, including ones discarded as malformed (for the missing-attribute check). */
  readonly seen: ReadonlySet<number>;
}

function discarded(
  name: string,
  typeCode: number,
  reason: string,
  attribute: Buffer,
): BgpWireError {
  return attributeError(
    name,
    typeCode,
    'attribute-discard',
    UpdateMessageErrorSubcode.OPTIONAL_ATTRIBUTE_ERROR,
    reason,
    attribute,
  );
}

/**
 * Decodes the path attributes field buf[start, end) with the error handling
 * of RFC 7606. Throws `BgpWireError` only for session-reset cases.
 */
export function decodePathAttributes(
  buf: Buffer,
  start: number,
  end: number,
  ctx: WireContext,
): DecodedPathAttributes {
  const values: Partial<Record<KnownKey, unknown>> = {};
  const unknown: UnknownAttribute[] = [];
  const errors: BgpWireError[] = [];
  const seen = new Set<number>();
  let pos = start;
  while (pos < end) {
    const header = readAttributeHeader(buf, pos, end);
    if (header === undefined) {
      const typeCode = pos + 1 < end ? (buf[pos + 1] ?? 0) : 0;
      const rest = buf.subarray(pos, end);
      // RFC 7606 §3: treat-as-withdraw needs MP_REACH/MP_UNREACH parsed; a truncated one resets the session.
      const action =
        typeCode === AttributeType.MP_REACH_NLRI || typeCode === AttributeType.MP_UNREACH_NLRI
          ? 'session-reset'
          : 'treat-as-withdraw';
      // RFC 7606 §4: the last attribute overruns the Total Attribute Length, or
      // too few octets remain for an attribute header. The Total Attribute
      // Length still locates the NLRI.
      const error = attributeError(
        'path attributes',
        typeCode,
        action,
        UpdateMessageErrorSubcode.ATTRIBUTE_LENGTH_ERROR,
        `${end - pos} octets left cannot hold the attribute that starts there`,
        rest,
      );
      if (action === 'session-reset') throw error;
      seen.add(typeCode);
      errors.push(error);
      break;
    }
    const attributeEnd = pos + header.headerLength + header.valueLength;
    const attribute = buf.subarray(pos, attributeEnd);
    const value = buf.subarray(pos + header.headerLength, attributeEnd);
    const typeCode = header.typeCode;
    pos = attributeEnd;

    if (seen.has(typeCode)) {
      // RFC 7606 §3: MP_REACH_NLRI or MP_UNREACH_NLRI twice is a Malformed Attribute List.
      if (typeCode === AttributeType.MP_REACH_NLRI || typeCode === AttributeType.MP_UNREACH_NLRI) {
        throw attributeError(
          'path attributes',
          typeCode,
          'session-reset',
          UpdateMessageErrorSubcode.MALFORMED_ATTRIBUTE_LIST,
          `attribute ${typeCode} appears more than once`,
          Buffer.alloc(0),
        );
      }
      // RFC 7606 §3: any other repeated attribute: all but the first are discarded.
      errors.push(
        discarded(`attribute ${typeCode}`, typeCode, 'repeated; only the first is used', attribute),
      );
      continue;
    }
    seen.add(typeCode);

    const knownAttribute = KNOWN_BY_TYPE.get(typeCode);
    if (knownAttribute === undefined) {
      // RFC 4271 §6.3: an unrecognized well-known attribute resets the session.
      if ((header.flags & AttributeFlag.OPTIONAL) === 0) {
        throw attributeError(
          `attribute ${typeCode}`,
          typeCode,
          'session-reset',
          UpdateMessageErrorSubcode.UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE,
          'unrecognized well-known attribute',
          attribute,
        );
      }
      // RFC 4271 §5: unrecognized optional attributes are kept (transitive ones are passed on).
      unknown.push({
        flags:
          header.flags &
          (AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE | AttributeFlag.PARTIAL),
        typeCode,
        value: Buffer.from(value),
      });
      continue;
    }
    const spec = knownAttribute.spec;
    // RFC 7606 §7.5: LOCAL_PREF from an external peer is discarded.
    if (typeCode === AttributeType.LOCAL_PREF && ctx.external) {
      errors.push(discarded(spec.name, typeCode, 'received from an external peer', attribute));
      continue;
    }
    // RFC 6793 §6: AS4_PATH/AS4_AGGREGATOR between two 4-octet speakers are discarded.
    if (
      (typeCode === AttributeType.AS4_PATH || typeCode === AttributeType.AS4_AGGREGATOR) &&
      ctx.fourOctetAs
    ) {
      errors.push(discarded(spec.name, typeCode, 'received from a 4-octet AS speaker', attribute));
      continue;
    }
    let decoded: unknown;
    try {
      decoded = decodeAttributeValue(spec, header.flags, attribute, value, ctx);
    } catch (err) {
      if (err instanceof BgpWireError && err.action !== 'session-reset') {
        errors.push(err);
        continue;
      }
      throw err;
    }
    if (
      (typeCode === AttributeType.MP_REACH_NLRI || typeCode === AttributeType.MP_UNREACH_NLRI) &&
      ctx.families !== undefined
    ) {
      const family = (decoded as MpReachNlri | MpUnreachNlri).family;
      // RFC 4760 §6: only negotiated families are exchanged; others are ignored.
      if (family === 'other' || !ctx.families.includes(family)) {
        errors.push(
          discarded(spec.name, typeCode, 'its address family was not negotiated', attribute),
        );
        continue;
      }
    }
    values[knownAttribute.key] = decoded;
  }
  // Sorted like the encoder sends them, so a decoded UPDATE re-encodes to an equal value.
  unknown.sort((a, b) => a.typeCode - b.typeCode);
  const attributes = (unknown.length > 0 ? { ...values, unknown } : values) as PathAttributes;
  return { attributes, errors, seen };
}

/**
 * The attributes as they may be passed on to another peer (RFC 4271 §5):
 * unrecognized optional transitive attributes are kept with the Partial bit
 * set; unrecognized optional non-transitive ones are dropped.
 */
export function forwardableAttributes(attributes: PathAttributes): PathAttributes {
  if (attributes.unknown === undefined) return attributes;
  const { unknown, ...rest } = attributes;
  const kept = unknown
    .filter((attr) => (attr.flags & AttributeFlag.TRANSITIVE) !== 0)
    .map((attr) => ({ ...attr, flags: attr.flags | AttributeFlag.PARTIAL }));
  return kept.length > 0 ? { ...rest, unknown: kept } : rest;
}
