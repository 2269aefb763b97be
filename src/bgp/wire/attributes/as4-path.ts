import { AttributeFlag, AttributeType, UpdateMessageErrorSubcode } from '../constants.ts';
import { defineAttribute } from './attribute-codec.ts';
import {
  isConfedSegment,
  readSegments,
  segmentsLength,
  writeSegments,
} from './as-path-segments.ts';
import type { AsPath } from './as-path-segments.ts';

/**
 * AS4_PATH (RFC 6793 §3 type 17): optional transitive, the 4-octet AS path
 * sent next to a 2-octet AS_PATH to a peer without the 4-octet capability.
 */
export const as4PathAttribute = defineAttribute<AsPath>({
  name: 'AS4_PATH',
  typeCode: AttributeType.AS4_PATH,
  flags: AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE,
  // RFC 6793 §6: a malformed AS4_PATH is handled by attribute discard.
  malformed: 'attribute-discard',
  valueLength: (path) =>
    segmentsLength(
      path.filter((s) => !isConfedSegment(s)),
      4,
    ),
  // RFC 6793 §6: confederation segments MUST NOT be carried in AS4_PATH.
  writeValue: (path, buf, offset) =>
    writeSegments(
      path.filter((s) => !isConfedSegment(s)),
      4,
      buf,
      offset,
    ),
  decodeValue(value, _ctx, fail) {
    // RFC 6793 §6: malformed if the length is odd or too small to hold one AS number.
    if (value.length % 2 !== 0 || value.length < 6) {
      return fail(
        UpdateMessageErrorSubcode.ATTRIBUTE_LENGTH_ERROR,
        `length ${value.length} cannot hold a path`,
      );
    }
    const path = readSegments(value, 4);
    // RFC 6793 §6: zero or inconsistent segment length, or an unknown segment type.
    if (typeof path === 'string') return fail(UpdateMessageErrorSubcode.MALFORMED_AS_PATH, path);
    // RFC 6793 §6: confederation segments are dropped and the rest is kept;
    // with nothing left there is no AS4_PATH to use.
    const kept = path.filter((segment) => !isConfedSegment(segment));
    if (kept.length === 0) {
      return fail(UpdateMessageErrorSubcode.MALFORMED_AS_PATH, 'only confederation segments');
    }
    return kept;
  },
});
