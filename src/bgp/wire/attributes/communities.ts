import { checkUint, u32, writeU32 } from '../codec.ts';
import { AttributeFlag, AttributeType, UpdateMessageErrorSubcode } from '../constants.ts';
import { encodeError } from '../errors.ts';
import { defineAttribute } from './attribute-codec.ts';

/**
 * COMMUNITIES (RFC 1997 type 8): optional transitive, a list of 32-bit
 * values, conventionally written "AS:value" (see formatCommunity).
 */
export const communitiesAttribute = defineAttribute<readonly number[]>({
  name: 'COMMUNITIES',
  typeCode: AttributeType.COMMUNITIES,
  flags: AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE,
  // RFC 7606 §7.8: a malformed COMMUNITIES is handled by treat-as-withdraw.
  malformed: 'treat-as-withdraw',
  valueLength: (values) => values.length * 4,
  writeValue(values, buf, offset) {
    let pos = offset;
    for (const value of values) {
      writeU32(buf, pos, checkUint(value, 32, 'community'));
      pos += 4;
    }
    return pos;
  },
  decodeValue(value, _ctx, fail) {
    // RFC 7606 §7.8: malformed if the length is not a non-zero multiple of 4.
    if (value.length === 0 || value.length % 4 !== 0) {
      return fail(
        UpdateMessageErrorSubcode.OPTIONAL_ATTRIBUTE_ERROR,
        `length ${value.length} is not a non-zero multiple of 4`,
      );
    }
    const values: number[] = new Array<number>(value.length / 4);
    for (let i = 0; i < values.length; i++) values[i] = u32(value, i * 4);
    return values;
  },
});

/** The community "high:low" as its 32-bit value. */
export function community(high: number, low: number): number {
  return (
    checkUint(high, 16, 'community AS part') * 0x10000 + checkUint(low, 16, 'community value part')
  );
}

/** "65000:100" for 0xfde80064. */
export function formatCommunity(value: number): string {
  return `${Math.floor(value / 0x10000)}:${value % 0x10000}`;
}

/** Parses "65000:100"; throws the encode error for anything else. */
export function parseCommunity(text: string): number {
  const match = /^(\d{1,5}):(\d{1,5})$/.exec(text.trim());
  if (match === null) throw encodeError(`"${text}" is not a community like 65000:100`);
  return community(Number(match[1]), Number(match[2]));
}
