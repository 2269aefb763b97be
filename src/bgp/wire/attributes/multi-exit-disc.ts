import { checkUint, u32, writeU32 } from '../codec.ts';
import { AttributeFlag, AttributeType, UpdateMessageErrorSubcode } from '../constants.ts';
import { defineAttribute } from './attribute-codec.ts';

/** MULTI_EXIT_DISC (RFC 4271 §4.3 type 4): optional non-transitive, 4 octets. */
export const multiExitDiscAttribute = defineAttribute<number>({
  name: 'MULTI_EXIT_DISC',
  typeCode: AttributeType.MULTI_EXIT_DISC,
  flags: AttributeFlag.OPTIONAL,
  // RFC 7606 §7.4: a malformed MULTI_EXIT_DISC is handled by treat-as-withdraw.
  malformed: 'treat-as-withdraw',
  valueLength: () => 4,
  writeValue(value, buf, offset) {
    writeU32(buf, offset, checkUint(value, 32, 'MULTI_EXIT_DISC'));
    return offset + 4;
  },
  decodeValue(value, _ctx, fail) {
    // RFC 7606 §7.4: malformed if its length is not 4.
    if (value.length !== 4) {
      return fail(
        UpdateMessageErrorSubcode.ATTRIBUTE_LENGTH_ERROR,
        `length ${value.length}, expected 4`,
      );
    }
    return u32(value, 0);
  },
});
