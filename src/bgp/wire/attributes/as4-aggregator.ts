import { checkUint, u32, writeU32 } from '../codec.ts';
import { AttributeFlag, AttributeType, UpdateMessageErrorSubcode } from '../constants.ts';
import { formatIpv4 } from '../ip-address.ts';
import type { Aggregator } from './aggregator.ts';
import { defineAttribute } from './attribute-codec.ts';
import { writeIpv4 } from './next-hop.ts';

/** AS4_AGGREGATOR (RFC 6793 §3 type 18): optional transitive, a 4-octet AS and an address. */
export const as4AggregatorAttribute = defineAttribute<Aggregator>({
  name: 'AS4_AGGREGATOR',
  typeCode: AttributeType.AS4_AGGREGATOR,
  flags: AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE,
  // RFC 6793 §6: a malformed AS4_AGGREGATOR is handled by attribute discard.
  malformed: 'attribute-discard',
  valueLength: () => 8,
  writeValue(value, buf, offset) {
    writeU32(buf, offset, checkUint(value.asn, 32, 'AS4_AGGREGATOR AS'));
    return writeIpv4(value.address, 'AS4_AGGREGATOR address', buf, offset + 4);
  },
  decodeValue(value, _ctx, fail) {
    // RFC 6793 §6 (with RFC 7606 §7.7): malformed if the length is not 8.
    if (value.length !== 8) {
      return fail(
        UpdateMessageErrorSubcode.ATTRIBUTE_LENGTH_ERROR,
        `length ${value.length}, expected 8`,
      );
    }
    return { asn: u32(value, 0), address: formatIpv4(value, 4) };
  },
});
