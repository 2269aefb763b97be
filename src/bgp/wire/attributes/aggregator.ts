import { checkUint, u16, u32, writeU16, writeU32 } from '../codec.ts';
import { AS_TRANS, AttributeFlag, AttributeType, UpdateMessageErrorSubcode } from '../constants.ts';
import { formatIpv4 } from '../ip-address.ts';
import { defineAttribute } from './attribute-codec.ts';
import { writeIpv4 } from './next-hop.ts';

export interface Aggregator {
  readonly asn: number;
  /** The BGP identifier (an IPv4 address) of the speaker that aggregated. */
  readonly address: string;
}

/**
 * AGGREGATOR (RFC 4271 §4.3 type 7): optional transitive; a 2-octet AS and
 * an address, or a 4-octet AS when negotiated (RFC 6793 §4.1). To a 2-octet
 * peer an AS above 65535 becomes AS_TRANS (RFC 6793 §4.2.2).
 */
export const aggregatorAttribute = defineAttribute<Aggregator>({
  name: 'AGGREGATOR',
  typeCode: AttributeType.AGGREGATOR,
  flags: AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE,
  // RFC 7606 §7.7: a malformed AGGREGATOR is handled by attribute discard.
  malformed: 'attribute-discard',
  valueLength: (_value, ctx) => (ctx.fourOctetAs ? 8 : 6),
  writeValue(value, buf, offset, ctx) {
    const asn = checkUint(value.asn, 32, 'AGGREGATOR AS');
    if (ctx.fourOctetAs) {
      writeU32(buf, offset, asn);
      return writeIpv4(value.address, 'AGGREGATOR address', buf, offset + 4);
    }
    writeU16(buf, offset, asn > 0xffff ? AS_TRANS : asn);
    return writeIpv4(value.address, 'AGGREGATOR address', buf, offset + 2);
  },
  decodeValue(value, ctx, fail) {
    const expected = ctx.fourOctetAs ? 8 : 6;
    // RFC 7606 §7.7: malformed if the length is not 6 (2-octet AS) or 8 (4-octet AS).
    if (value.length !== expected) {
      return fail(
        UpdateMessageErrorSubcode.ATTRIBUTE_LENGTH_ERROR,
        `length ${value.length}, expected ${expected}`,
      );
    }
    return ctx.fourOctetAs
      ? { asn: u32(value, 0), address: formatIpv4(value, 4) }
      : { asn: u16(value, 0), address: formatIpv4(value, 2) };
  },
});
