import { checkUint, u16, u8, writeU16 } from '../codec.ts';
import { AttributeFlag, AttributeType, UpdateMessageErrorSubcode } from '../constants.ts';
import { afiSafiOf, familyOf } from '../context.ts';
import type { AddressFamily } from '../context.ts';
import { encodeError } from '../errors.ts';
import { formatIpv4, formatIpv6, parseIpv6Into } from '../ip-address.ts';
import { prefixesWireLength, readPrefixes, writePrefixes } from '../prefix.ts';
import type { Prefix } from '../prefix.ts';
import { defineAttribute } from './attribute-codec.ts';
import { writeIpv4 } from './next-hop.ts';

/** Reachable routes of a family this codec parses (RFC 4760 §3). */
export interface MpReachNlriParsed {
  readonly family: AddressFamily;
  /** IPv4 for ipv4-unicast; the global IPv6 address for ipv6-unicast. */
  readonly nextHop: string;
  /** RFC 2545 §3: the optional link-local address (a 32-octet next hop). */
  readonly linkLocalNextHop?: string;
  readonly nlri: readonly Prefix[];
}

/** Reachable routes of any other family, kept as raw octets. */
export interface MpReachNlriRaw {
  readonly family: 'other';
  readonly afi: number;
  readonly safi: number;
  readonly nextHop: Buffer;
  readonly nlri: Buffer;
}

export type MpReachNlri = MpReachNlriParsed | MpReachNlriRaw;

export function mpReachNextHopLength(value: MpReachNlri): number {
  if (value.family === 'other') return value.nextHop.length;
  if (value.family === 'ipv4-unicast') return 4;
  return value.linkLocalNextHop === undefined ? 16 : 32;
}

/** AFI + SAFI + next hop length + next hop + reserved: what precedes the NLRI (RFC 4760 §3). */
export function mpReachPrefixLength(value: MpReachNlri): number {
  return 5 + mpReachNextHopLength(value);
}

function writeIpv6(text: string, what: string, buf: Buffer, offset: number): number {
  if (!parseIpv6Into(text, 0, text.length, buf, offset)) {
    throw encodeError(`${what} must be an IPv6 address, got "${text}"`);
  }
  return offset + 16;
}

/** Writes everything before the NLRI; returns the offset where the NLRI starts. */
export function writeMpReachPrefix(value: MpReachNlri, buf: Buffer, offset: number): number {
  const { afi, safi } =
    value.family === 'other'
      ? { afi: checkUint(value.afi, 16, 'AFI'), safi: checkUint(value.safi, 8, 'SAFI') }
      : afiSafiOf(value.family);
  writeU16(buf, offset, afi);
  buf[offset + 2] = safi;
  const nextHopLength = mpReachNextHopLength(value);
  checkUint(nextHopLength, 8, 'next hop length');
  buf[offset + 3] = nextHopLength;
  let pos = offset + 4;
  if (value.family === 'other') {
    value.nextHop.copy(buf, pos);
    pos += value.nextHop.length;
  } else if (value.family === 'ipv4-unicast') {
    pos = writeIpv4(value.nextHop, 'MP_REACH_NLRI next hop', buf, pos);
  } else {
    pos = writeIpv6(value.nextHop, 'MP_REACH_NLRI next hop', buf, pos);
    if (value.linkLocalNextHop !== undefined) {
      pos = writeIpv6(value.linkLocalNextHop, 'MP_REACH_NLRI link-local next hop', buf, pos);
    }
  }
  // RFC 4760 §3: the reserved octet (formerly the SNPA count) is zero.
  buf[pos] = 0;
  return pos + 1;
}

/**
 * MP_REACH_NLRI (RFC 4760 §3 type 14): optional non-transitive; IPv4/IPv6
 * unicast parsed into prefixes, other families kept raw.
 */
export const mpReachNlriAttribute = defineAttribute<MpReachNlri>({
  name: 'MP_REACH_NLRI',
  typeCode: AttributeType.MP_REACH_NLRI,
  flags: AttributeFlag.OPTIONAL,
  // RFC 7606 §7.11 and RFC 4760 §7: a malformed MP_REACH_NLRI resets the session
  // (we do not implement the "AFI/SAFI disable" alternative).
  malformed: 'session-reset',
  alwaysExtendedLength: true,
  valueLength(value) {
    const nlri = value.family === 'other' ? value.nlri.length : prefixesWireLength(value.nlri);
    return mpReachPrefixLength(value) + nlri;
  },
  writeValue(value, buf, offset) {
    const pos = writeMpReachPrefix(value, buf, offset);
    if (value.family === 'other') {
      value.nlri.copy(buf, pos);
      return pos + value.nlri.length;
    }
    return writePrefixes(value.nlri, value.family === 'ipv4-unicast' ? 4 : 6, buf, pos);
  },
  decodeValue(value, _ctx, fail) {
    // RFC 7606 §7.11: too short to hold AFI, SAFI, next hop length and reserved octet.
    if (value.length < 5) {
      return fail(
        UpdateMessageErrorSubcode.OPTIONAL_ATTRIBUTE_ERROR,
        `length ${value.length} is below the minimum 5`,
      );
    }
    const afi = u16(value, 0);
    const safi = u8(value, 2);
    const nextHopLength = u8(value, 3);
    const nlriStart = 4 + nextHopLength + 1;
    // RFC 7606 §7.11: the next hop overruns the attribute.
    if (nlriStart > value.length) {
      return fail(
        UpdateMessageErrorSubcode.OPTIONAL_ATTRIBUTE_ERROR,
        `next hop length ${nextHopLength} overruns the attribute`,
      );
    }
    const family = familyOf(afi, safi);
    if (family === undefined) {
      return {
        family: 'other',
        afi,
        safi,
        nextHop: Buffer.from(value.subarray(4, 4 + nextHopLength)),
        nlri: Buffer.from(value.subarray(nlriStart)),
      };
    }
    const nlriProblem = (reason: string): never =>
      fail(UpdateMessageErrorSubcode.OPTIONAL_ATTRIBUTE_ERROR, `NLRI: ${reason}`);
    if (family === 'ipv4-unicast') {
      // RFC 7606 §7.11: a next hop length inconsistent with the family (4 for IPv4).
      if (nextHopLength !== 4) {
        return fail(
          UpdateMessageErrorSubcode.OPTIONAL_ATTRIBUTE_ERROR,
          `IPv4 next hop length ${nextHopLength}, expected 4`,
        );
      }
      return {
        family,
        nextHop: formatIpv4(value, 4),
        // RFC 7606 §5.3: NLRI must parse, or the session is reset.
        nlri: readPrefixes(value, nlriStart, value.length, 4, nlriProblem),
      };
    }
    // RFC 7606 §7.11 with RFC 2545 §3: an IPv6 next hop is 16 octets, or 32 with a link-local address.
    if (nextHopLength !== 16 && nextHopLength !== 32) {
      return fail(
        UpdateMessageErrorSubcode.OPTIONAL_ATTRIBUTE_ERROR,
        `IPv6 next hop length ${nextHopLength}, expected 16 or 32`,
      );
    }
    const nlri = readPrefixes(value, nlriStart, value.length, 6, nlriProblem);
    const nextHop = formatIpv6(value, 4);
    return nextHopLength === 32
      ? { family, nextHop, linkLocalNextHop: formatIpv6(value, 20), nlri }
      : { family, nextHop, nlri };
  },
});
