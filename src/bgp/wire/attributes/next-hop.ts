import { AttributeFlag, AttributeType, UpdateMessageErrorSubcode } from '../constants.ts';
import { encodeError } from '../errors.ts';
import { formatIpv4, parseIpv4Into } from '../ip-address.ts';
import { defineAttribute } from './attribute-codec.ts';

/** Writes a dotted quad at buf[offset]; throws the encode error for other text. */
export function writeIpv4(text: string, what: string, buf: Buffer, offset: number): number {
  if (!parseIpv4Into(text, 0, text.length, buf, offset)) {
    throw encodeError(`${what} must be an IPv4 address, got "${text}"`);
  }
  return offset + 4;
}

/** NEXT_HOP (RFC 4271 §4.3 type 3): well-known mandatory for IPv4 NLRI. */
export const nextHopAttribute = defineAttribute<string>({
  name: 'NEXT_HOP',
  typeCode: AttributeType.NEXT_HOP,
  flags: AttributeFlag.TRANSITIVE,
  // RFC 7606 §7.3: a malformed NEXT_HOP is handled by treat-as-withdraw.
  malformed: 'treat-as-withdraw',
  valueLength: () => 4,
  writeValue: (value, buf, offset) => writeIpv4(value, 'NEXT_HOP', buf, offset),
  decodeValue(value, _ctx, fail) {
    // RFC 7606 §7.3: malformed if its length is not 4.
    if (value.length !== 4) {
      return fail(
        UpdateMessageErrorSubcode.ATTRIBUTE_LENGTH_ERROR,
        `length ${value.length}, expected 4`,
      );
    }
    return formatIpv4(value);
  },
});
