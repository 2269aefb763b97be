import { checkUint, u16, u8, writeU16 } from '../codec.ts';
import { AttributeFlag, AttributeType, UpdateMessageErrorSubcode } from '../constants.ts';
import { afiSafiOf, familyOf } from '../context.ts';
import type { AddressFamily } from '../context.ts';
import { prefixesWireLength, readPrefixes, writePrefixes } from '../prefix.ts';
import type { Prefix } from '../prefix.ts';
import { defineAttribute } from './attribute-codec.ts';

export interface MpUnreachNlriParsed {
  readonly family: AddressFamily;
  readonly withdrawn: readonly Prefix[];
}

export interface MpUnreachNlriRaw {
  readonly family: 'other';
  readonly afi: number;
  readonly safi: number;
  readonly withdrawn: Buffer;
}

export type MpUnreachNlri = MpUnreachNlriParsed | MpUnreachNlriRaw;

/** Writes AFI and SAFI; returns the offset where the withdrawn routes start. */
export function writeMpUnreachPrefix(value: MpUnreachNlri, buf: Buffer, offset: number): number {
  const { afi, safi } =
    value.family === 'other'
      ? { afi: checkUint(value.afi, 16, 'AFI'), safi: checkUint(value.safi, 8, 'SAFI') }
      : afiSafiOf(value.family);
  writeU16(buf, offset, afi);
  buf[offset + 2] = safi;
  return offset + 3;
}

/**
 * MP_UNREACH_NLRI (RFC 4760 §4 type 15): optional non-transitive. With no
 * withdrawn routes it is the End-of-RIB marker of its family (RFC 4724 §2).
 */
export const mpUnreachNlriAttribute = defineAttribute<MpUnreachNlri>({
  name: 'MP_UNREACH_NLRI',
  typeCode: AttributeType.MP_UNREACH_NLRI,
  flags: AttributeFlag.OPTIONAL,
  // RFC 7606 §7.12 and RFC 4760 §7: a malformed MP_UNREACH_NLRI resets the session.
  malformed: 'session-reset',
  alwaysExtendedLength: true,
  valueLength: (value) =>
    3 + (value.family === 'other' ? value.withdrawn.length : prefixesWireLength(value.withdrawn)),
  writeValue(value, buf, offset) {
    const pos = writeMpUnreachPrefix(value, buf, offset);
    if (value.family === 'other') {
      value.withdrawn.copy(buf, pos);
      return pos + value.withdrawn.length;
    }
    return writePrefixes(value.withdrawn, value.family === 'ipv4-unicast' ? 4 : 6, buf, pos);
  },
  decodeValue(value, _ctx, fail) {
    // RFC 7606 §7.12: too short to hold AFI and SAFI.
    if (value.length < 3) {
      return fail(
        UpdateMessageErrorSubcode.OPTIONAL_ATTRIBUTE_ERROR,
        `length ${value.length} is below the minimum 3`,
      );
    }
    const afi = u16(value, 0);
    const safi = u8(value, 2);
    const family = familyOf(afi, safi);
    if (family === undefined) {
      return { family: 'other', afi, safi, withdrawn: Buffer.from(value.subarray(3)) };
    }
    // RFC 7606 §5.3: withdrawn routes must parse, or the session is reset.
    const withdrawn = readPrefixes(
      value,
      3,
      value.length,
      family === 'ipv4-unicast' ? 4 : 6,
      (reason) =>
        fail(UpdateMessageErrorSubcode.OPTIONAL_ATTRIBUTE_ERROR, `withdrawn routes: ${reason}`),
    );
    return { family, withdrawn };
  },
});
