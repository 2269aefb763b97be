import { AttributeFlag, AttributeType, UpdateMessageErrorSubcode } from '../constants.ts';
import { encodeError } from '../errors.ts';
import { defineAttribute } from './attribute-codec.ts';

/** RFC 4271 §5.1.1, in the order of the wire values 0, 1, 2. */
export type OriginName = 'igp' | 'egp' | 'incomplete';

const NAMES: readonly OriginName[] = ['igp', 'egp', 'incomplete'];

/** ORIGIN (RFC 4271 §4.3 type 1): well-known mandatory, one octet. */
export const originAttribute = defineAttribute<OriginName>({
  name: 'ORIGIN',
  typeCode: AttributeType.ORIGIN,
  flags: AttributeFlag.TRANSITIVE,
  // RFC 7606 §7.1: a malformed ORIGIN is handled by treat-as-withdraw.
  malformed: 'treat-as-withdraw',
  valueLength: () => 1,
  writeValue(value, buf, offset) {
    const code = NAMES.indexOf(value);
    if (code < 0)
      throw encodeError(`ORIGIN must be one of ${NAMES.join(', ')}, got ${String(value)}`);
    buf[offset] = code;
    return offset + 1;
  },
  decodeValue(value, _ctx, fail) {
    // RFC 7606 §7.1: malformed if its length is not 1.
    if (value.length !== 1) {
      return fail(
        UpdateMessageErrorSubcode.ATTRIBUTE_LENGTH_ERROR,
        `length ${value.length}, expected 1`,
      );
    }
    const name = NAMES[value[0] ?? 0xff];
    // RFC 7606 §7.1, RFC 4271 §6.3: an undefined ORIGIN value.
    if (name === undefined) {
      return fail(
        UpdateMessageErrorSubcode.INVALID_ORIGIN_ATTRIBUTE,
        `undefined value ${value[0]}`,
      );
    }
    return name;
  },
});
