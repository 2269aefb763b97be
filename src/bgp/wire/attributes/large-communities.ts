import { checkUint, u32, writeU32 } from '../codec.ts';
import { AttributeFlag, AttributeType, UpdateMessageErrorSubcode } from '../constants.ts';
import { encodeError } from '../errors.ts';
import { defineAttribute } from './attribute-codec.ts';

/** RFC 8092 §2: three 32-bit fields, written "global:local1:local2". */
export interface LargeCommunity {
  readonly globalAdministrator: number;
  readonly localData1: number;
  readonly localData2: number;
}

/** LARGE_COMMUNITIES (RFC 8092 type 32): optional transitive, 12 octets each. */
export const largeCommunitiesAttribute = defineAttribute<readonly LargeCommunity[]>({
  name: 'LARGE_COMMUNITIES',
  typeCode: AttributeType.LARGE_COMMUNITIES,
  flags: AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE,
  // RFC 8092 §5: a malformed LARGE_COMMUNITIES is handled by treat-as-withdraw.
  malformed: 'treat-as-withdraw',
  valueLength: (values) => values.length * 12,
  writeValue(values, buf, offset) {
    let pos = offset;
    for (const value of values) {
      writeU32(
        buf,
        pos,
        checkUint(value.globalAdministrator, 32, 'large community global administrator'),
      );
      writeU32(buf, pos + 4, checkUint(value.localData1, 32, 'large community local data 1'));
      writeU32(buf, pos + 8, checkUint(value.localData2, 32, 'large community local data 2'));
      pos += 12;
    }
    return pos;
  },
  decodeValue(value, _ctx, fail) {
    // RFC 8092 §5: malformed if the length is not a non-zero multiple of 12.
    if (value.length === 0 || value.length % 12 !== 0) {
      return fail(
        UpdateMessageErrorSubcode.OPTIONAL_ATTRIBUTE_ERROR,
        `length ${value.length} is not a non-zero multiple of 12`,
      );
    }
    const values: LargeCommunity[] = [];
    for (let pos = 0; pos < value.length; pos += 12) {
      values.push({
        globalAdministrator: u32(value, pos),
        localData1: u32(value, pos + 4),
        localData2: u32(value, pos + 8),
      });
    }
    return values;
  },
});

/** "64512:1:2" (RFC 8092 §4 canonical form). */
export function formatLargeCommunity(value: LargeCommunity): string {
  return `${value.globalAdministrator}:${value.localData1}:${value.localData2}`;
}

/** Parses "64512:1:2"; throws the encode error for anything else. */
export function parseLargeCommunity(text: string): LargeCommunity {
  const match = /^(\d{1,10}):(\d{1,10}):(\d{1,10})$/.exec(text.trim());
  if (match === null) throw encodeError(`"${text}" is not a large community like 64512:1:2`);
  return {
    globalAdministrator: checkUint(Number(match[1]), 32, 'large community global administrator'),
    localData1: checkUint(Number(match[2]), 32, 'large community local data 1'),
    localData2: checkUint(Number(match[3]), 32, 'large community local data 2'),
  };
}
