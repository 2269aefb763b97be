import { checkUint, u32, writeU32 } from '../codec.ts';
import { AttributeFlag, AttributeType, UpdateMessageErrorSubcode } from '../constants.ts';
import { defineAttribute } from './attribute-codec.ts';

/**
 * LOCAL_PREF (RFC 4271 §4.3 type 5): well-known, 4 octets, only between
 * internal peers. From an external peer it is discarded before decoding
 * (RFC 7606 §7.5, done by the path attribute parser).
 */
export const localPrefAttribute = defineAttribute<number>({
  name: 'LOCAL_PREF',
  typeCode: AttributeType.LOCAL_PREF,
  flags: AttributeFlag.TRANSITIVE,
  // RFC 7606 §7.5: a malformed LOCAL_PREF from an internal peer is handled by treat-as-withdraw.
  malformed: 'treat-as-withdraw',
  valueLength: () => 4,
  writeValue(value, buf, offset) {
    writeU32(buf, offset, checkUint(value, 32, 'LOCAL_PREF'));
    return offset + 4;
  },
  decodeValue(value, _ctx, fail) {
    // RFC 7606 §7.5: malformed if its length is not 4.
    if (value.length !== 4) {
      return fail(
        UpdateMessageErrorSubcode.ATTRIBUTE_LENGTH_ERROR,
        `length ${value.length}, expected 4`,
      );
    }
    return u32(value, 0);
  },
});
