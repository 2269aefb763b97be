import { checkUint, u16, u32, u8, writeU16, writeU32 } from '../codec.ts';
import { AS_TRANS, AsPathSegmentType } from '../constants.ts';
import { encodeError } from '../errors.ts';

/** RFC 4271 §4.3 segment types and RFC 5065 §3 confederation segments. */
export type AsPathSegmentKind = 'set' | 'sequence' | 'confed-sequence' | 'confed-set';

export interface AsPathSegment {
  readonly type: AsPathSegmentKind;
  readonly asns: readonly number[];
}

export type AsPath = readonly AsPathSegment[];

const KIND_BY_CODE: Readonly<Record<number, AsPathSegmentKind>> = {
  [AsPathSegmentType.AS_SET]: 'set',
  [AsPathSegmentType.AS_SEQUENCE]: 'sequence',
  [AsPathSegmentType.AS_CONFED_SEQUENCE]: 'confed-sequence',
  [AsPathSegmentType.AS_CONFED_SET]: 'confed-set',
};

const CODE_BY_KIND: Readonly<Record<AsPathSegmentKind, number>> = {
  set: AsPathSegmentType.AS_SET,
  sequence: AsPathSegmentType.AS_SEQUENCE,
  'confed-sequence': AsPathSegmentType.AS_CONFED_SEQUENCE,
  'confed-set': AsPathSegmentType.AS_CONFED_SET,
};

export function isConfedSegment(segment: AsPathSegment): boolean {
  return segment.type === 'confed-sequence' || segment.type === 'confed-set';
}

/** Octets of the segments with AS numbers of `width` octets. */
export function segmentsLength(path: AsPath, width: 2 | 4): number {
  let length = 0;
  for (const segment of path) length += 2 + segment.asns.length * width;
  return length;
}

/**
 * Writes segments with AS numbers of `width` octets. With width 2, numbers
 * above 65535 become AS_TRANS (RFC 6793 §4.2.2).
 */
export function writeSegments(path: AsPath, width: 2 | 4, buf: Buffer, offset: number): number {
  let pos = offset;
  for (const segment of path) {
    const code = CODE_BY_KIND[segment.type] as number | undefined;
    if (code === undefined)
      throw encodeError(`unknown AS_PATH segment type ${String(segment.type)}`);
    // RFC 7606 §7.2 makes empty segments malformed; RFC 4271 §4.3 caps a segment at 255 ASes.
    if (segment.asns.length === 0 || segment.asns.length > 255) {
      throw encodeError(`an AS_PATH segment holds 1-255 AS numbers, got ${segment.asns.length}`);
    }
    buf[pos] = code;
    buf[pos + 1] = segment.asns.length;
    pos += 2;
    for (const asn of segment.asns) {
      checkUint(asn, 32, 'AS number');
      if (width === 4) {
        writeU32(buf, pos, asn);
        pos += 4;
      } else {
        writeU16(buf, pos, asn > 0xffff ? AS_TRANS : asn);
        pos += 2;
      }
    }
  }
  return pos;
}

/**
 * Reads segments (RFC 4271 §4.3); returns the reason when malformed per
 * RFC 7606 §7.2: unknown segment type, zero segment length, overrun, or a
 * single trailing octet.
 */
export function readSegments(value: Buffer, width: 2 | 4): AsPath | string {
  const segments: AsPathSegment[] = [];
  let pos = 0;
  while (pos < value.length) {
    if (pos + 2 > value.length) return 'a single octet is left where a segment header belongs';
    const type = KIND_BY_CODE[u8(value, pos)];
    const count = u8(value, pos + 1);
    if (type === undefined) return `unknown segment type ${u8(value, pos)}`;
    if (count === 0) return 'a segment has length zero';
    const end = pos + 2 + count * width;
    if (end > value.length) return `a segment of ${count} AS numbers overruns the attribute`;
    const asns: number[] = new Array<number>(count);
    for (let i = 0; i < count; i++) {
      asns[i] = width === 4 ? u32(value, pos + 2 + i * 4) : u16(value, pos + 2 + i * 2);
    }
    segments.push({ type, asns });
    pos = end;
  }
  return segments;
}

/** Path length for best-path selection and RFC 6793 §4.2.3: a set counts 1, confederation segments 0. */
export function pathAsCount(path: AsPath): number {
  let count = 0;
  for (const segment of path) {
    if (segment.type === 'sequence') count += segment.asns.length;
    else if (segment.type === 'set') count += 1;
  }
  return count;
}

export function hasFourOctetAsn(path: AsPath): boolean {
  return path.some((segment) => segment.asns.some((asn) => asn > 0xffff));
}
