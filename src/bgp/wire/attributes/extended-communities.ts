import { checkUint, u16, u32, u8, writeU16, writeU32 } from '../codec.ts';
import {
  AttributeFlag,
  AttributeType,
  ExtendedCommunitySubtype,
  ExtendedCommunityType,
  UpdateMessageErrorSubcode,
} from '../constants.ts';
import { encodeError } from '../errors.ts';
import { formatIpv4 } from '../ip-address.ts';
import { defineAttribute } from './attribute-codec.ts';
import { writeIpv4 } from './next-hop.ts';

/**
 * Extended communities (RFC 4360 §3, RFC 5668 §2) by their type octet.
 * `transitive` is the inverse of the type's 0x40 bit. Link bandwidth
 * (draft-ietf-idr-link-bandwidth: two-octet-AS type, subtype 4, IEEE float
 * bytes per second) gets its own kind; anything else stays raw.
 */
export type ExtendedCommunity =
  | {
      readonly kind: 'two-octet-as';
      readonly transitive: boolean;
      readonly subtype: number;
      readonly asn: number;
      readonly localAdministrator: number;
    }
  | {
      readonly kind: 'ipv4-address';
      readonly transitive: boolean;
      readonly subtype: number;
      readonly address: string;
      readonly localAdministrator: number;
    }
  | {
      readonly kind: 'four-octet-as';
      readonly transitive: boolean;
      readonly subtype: number;
      readonly asn: number;
      readonly localAdministrator: number;
    }
  | {
      readonly kind: 'link-bandwidth';
      readonly transitive: boolean;
      readonly asn: number;
      /** Bytes per second, as an IEEE 754 single (so values round to float32). */
      readonly bandwidth: number;
    }
  | { readonly kind: 'raw'; readonly bytes: Buffer };

function typeOctet(base: number, transitive: boolean): number {
  return base | (transitive ? 0 : ExtendedCommunityType.NON_TRANSITIVE_BIT);
}

/** Writes one extended community (8 octets). */
export function writeExtendedCommunity(
  value: ExtendedCommunity,
  buf: Buffer,
  offset: number,
): number {
  switch (value.kind) {
    case 'two-octet-as':
      buf[offset] = typeOctet(ExtendedCommunityType.TWO_OCTET_AS_SPECIFIC, value.transitive);
      buf[offset + 1] = checkUint(value.subtype, 8, 'extended community subtype');
      writeU16(buf, offset + 2, checkUint(value.asn, 16, 'extended community AS'));
      writeU32(
        buf,
        offset + 4,
        checkUint(value.localAdministrator, 32, 'extended community local administrator'),
      );
      break;
    case 'ipv4-address':
      buf[offset] = typeOctet(ExtendedCommunityType.IPV4_ADDRESS_SPECIFIC, value.transitive);
      buf[offset + 1] = checkUint(value.subtype, 8, 'extended community subtype');
      writeIpv4(value.address, 'extended community address', buf, offset + 2);
      writeU16(
        buf,
        offset + 6,
        checkUint(value.localAdministrator, 16, 'extended community local administrator'),
      );
      break;
    case 'four-octet-as':
      buf[offset] = typeOctet(ExtendedCommunityType.FOUR_OCTET_AS_SPECIFIC, value.transitive);
      buf[offset + 1] = checkUint(value.subtype, 8, 'extended community subtype');
      writeU32(buf, offset + 2, checkUint(value.asn, 32, 'extended community AS'));
      writeU16(
        buf,
        offset + 6,
        checkUint(value.localAdministrator, 16, 'extended community local administrator'),
      );
      break;
    case 'link-bandwidth':
      buf[offset] = typeOctet(ExtendedCommunityType.TWO_OCTET_AS_SPECIFIC, value.transitive);
      buf[offset + 1] = ExtendedCommunitySubtype.LINK_BANDWIDTH;
      writeU16(buf, offset + 2, checkUint(value.asn, 16, 'link bandwidth AS'));
      if (typeof value.bandwidth !== 'number') throw encodeError('link bandwidth must be a number');
      buf.writeFloatBE(value.bandwidth, offset + 4);
      break;
    case 'raw':
      if (value.bytes.length !== 8)
        throw encodeError(`a raw extended community is 8 octets, got ${value.bytes.length}`);
      value.bytes.copy(buf, offset);
      break;
  }
  return offset + 8;
}

/** Reads one extended community from 8 octets at value[offset]. */
export function readExtendedCommunity(value: Buffer, offset: number): ExtendedCommunity {
  const type = u8(value, offset);
  const subtype = u8(value, offset + 1);
  const transitive = (type & ExtendedCommunityType.NON_TRANSITIVE_BIT) === 0;
  switch (type & ~ExtendedCommunityType.NON_TRANSITIVE_BIT) {
    case ExtendedCommunityType.TWO_OCTET_AS_SPECIFIC:
      if (subtype === ExtendedCommunitySubtype.LINK_BANDWIDTH) {
        return {
          kind: 'link-bandwidth',
          transitive,
          asn: u16(value, offset + 2),
          bandwidth: value.readFloatBE(offset + 4),
        };
      }
      return {
        kind: 'two-octet-as',
        transitive,
        subtype,
        asn: u16(value, offset + 2),
        localAdministrator: u32(value, offset + 4),
      };
    case ExtendedCommunityType.IPV4_ADDRESS_SPECIFIC:
      return {
        kind: 'ipv4-address',
        transitive,
        subtype,
        address: formatIpv4(value, offset + 2),
        localAdministrator: u16(value, offset + 6),
      };
    case ExtendedCommunityType.FOUR_OCTET_AS_SPECIFIC:
      return {
        kind: 'four-octet-as',
        transitive,
        subtype,
        asn: u32(value, offset + 2),
        localAdministrator: u16(value, offset + 6),
      };
    default:
      return { kind: 'raw', bytes: Buffer.from(value.subarray(offset, offset + 8)) };
  }
}

/** EXTENDED_COMMUNITIES (RFC 4360 §2 type 16): optional transitive, 8 octets each. */
export const extendedCommunitiesAttribute = defineAttribute<readonly ExtendedCommunity[]>({
  name: 'EXTENDED_COMMUNITIES',
  typeCode: AttributeType.EXTENDED_COMMUNITIES,
  flags: AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE,
  // RFC 7606 §7.14: a malformed EXTENDED_COMMUNITIES is handled by treat-as-withdraw.
  malformed: 'treat-as-withdraw',
  valueLength: (values) => values.length * 8,
  writeValue(values, buf, offset) {
    let pos = offset;
    for (const value of values) pos = writeExtendedCommunity(value, buf, pos);
    return pos;
  },
  decodeValue(value, _ctx, fail) {
    // RFC 7606 §7.14: malformed if the length is not a non-zero multiple of 8.
    if (value.length === 0 || value.length % 8 !== 0) {
      return fail(
        UpdateMessageErrorSubcode.OPTIONAL_ATTRIBUTE_ERROR,
        `length ${value.length} is not a non-zero multiple of 8`,
      );
    }
    const values: ExtendedCommunity[] = [];
    for (let pos = 0; pos < value.length; pos += 8) values.push(readExtendedCommunity(value, pos));
    return values;
  },
});
