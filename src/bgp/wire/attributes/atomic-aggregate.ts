import { AttributeFlag, AttributeType, UpdateMessageErrorSubcode } from '../constants.ts';
import { defineAttribute } from './attribute-codec.ts';

/** ATOMIC_AGGREGATE (RFC 4271 §4.3 type 6): well-known discretionary, no value; `true` when present. */
export const atomicAggregateAttribute = defineAttribute<true>({
  name: 'ATOMIC_AGGREGATE',
  typeCode: AttributeType.ATOMIC_AGGREGATE,
  flags: AttributeFlag.TRANSITIVE,
  // RFC 7606 §7.6: a malformed ATOMIC_AGGREGATE is handled by attribute discard.
  malformed: 'attribute-discard',
  valueLength: () => 0,
  writeValue: (_value, _buf, offset) => offset,
  decodeValue(value, _ctx, fail) {
    // RFC 7606 §7.6: malformed if its length is not 0.
    if (value.length !== 0) {
      return fail(
        UpdateMessageErrorSubcode.ATTRIBUTE_LENGTH_ERROR,
        `length ${value.length}, expected 0`,
      );
    }
    return true;
  },
});
