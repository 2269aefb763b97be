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
 * AS_PATH (RFC 4271 §4.3 type 2): well-known mandatory. AS numbers are 4
 * octets when both sides negotiated it (RFC 6793 §4.1), else 2 octets, with
 * AS_TRANS standing in for larger ones (the AS4_PATH attribute then carries them).
 */
export const asPathAttribute = defineAttribute<AsPath>({
  name: 'AS_PATH',
  typeCode: AttributeType.AS_PATH,
  flags: AttributeFlag.TRANSITIVE,
  // RFC 7606 §7.2: a malformed AS_PATH is handled by treat-as-withdraw.
  malformed: 'treat-as-withdraw',
  valueLength: (path, ctx) => segmentsLength(path, ctx.fourOctetAs ? 4 : 2),
  writeValue: (path, buf, offset, ctx) => writeSegments(path, ctx.fourOctetAs ? 4 : 2, buf, offset),
  decodeValue(value, ctx, fail) {
    const path = readSegments(value, ctx.fourOctetAs ? 4 : 2);
    // RFC 7606 §7.2: unknown segment type, zero-length segment, overrun or underrun.
    if (typeof path === 'string') return fail(UpdateMessageErrorSubcode.MALFORMED_AS_PATH, path);
    // RFC 7606 §7.2: confederation segments from an external peer are malformed.
    if (ctx.external && path.some(isConfedSegment)) {
      return fail(
        UpdateMessageErrorSubcode.MALFORMED_AS_PATH,
        'confederation segment from an external peer',
      );
    }
    return path;
  },
});
