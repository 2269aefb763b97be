/**
 * IP address text <-> bytes, written for speed: the bulk UPDATE packer turns
 * 100k prefix strings into NLRI without allocating per prefix. Parsers write
 * into a caller's buffer and return false for invalid text instead of
 * throwing, so callers choose their own error.
 */

function decimalDigit(code: number): number {
  return code >= 48 && code <= 57 ? code - 48 : -1;
}

/**
 * Parses a dotted quad in text[start, end) into out[offset..offset+4).
 * Strict: exactly four decimal octets, no leading zeros (which some parsers
 * read as octal), nothing else.
 */
export function parseIpv4Into(
  text: string,
  start: number,
  end: number,
  out: Uint8Array,
  offset: number,
): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  let firstDigitZero = false;
  for (let i = start; i <= end; i++) {
    const code = i === end ? 46 : text.charCodeAt(i);
    if (code === 46) {
      if (digits === 0 || part > 3 || (firstDigitZero && digits > 1)) return false;
      out[offset + part] = value;
      part++;
      value = 0;
      digits = 0;
      continue;
    }
    const digit = decimalDigit(code);
    if (digit < 0) return false;
    if (digits === 0) firstDigitZero = digit === 0;
    value = value * 10 + digit;
    digits++;
    if (value > 255) return false;
  }
  return part === 4;
}

/** The groups of the IPv6 address being parsed, before the "::" gap is placed. */
const groupScratch = new Uint16Array(8);

/**
 * Parses an IPv6 address (RFC 4291 §2.2 text forms, including "::" and a
 * trailing dotted quad) in text[start, end) into out[offset..offset+16).
 * Zones ("%eth0") are not addresses on the wire and are refused.
 */
export function parseIpv6Into(
  text: string,
  start: number,
  end: number,
  out: Uint8Array,
  offset: number,
): boolean {
  return parseIpv6Text(text, start, end, out, offset) !== IPV6_INVALID;
}

/** What parseIpv6Text found. */
export const IPV6_INVALID = -1;
export const IPV6_VALID = 0;
/** Valid and exactly the RFC 5952 text of the address. */
export const IPV6_CANONICAL = 1;

/**
 * parseIpv6Into that also says whether the text is already canonical
 * (RFC 5952: lowercase, no leading zeros, the longest zero run as "::"), so
 * a caller keeps the text it was given instead of building a new string for
 * each of 100k prefixes. One pass, groups collected in a fixed scratch array
 * and written out once: the packer calls this for every IPv6 prefix it sends.
 */
export function parseIpv6Text(
  text: string,
  start: number,
  end: number,
  out: Uint8Array,
  offset: number,
): typeof IPV6_INVALID | typeof IPV6_VALID | typeof IPV6_CANONICAL {
  const groups = groupScratch;
  // No uppercase, no leading zeros, no dotted quad so far.
  let plain = true;
  let count = 0;
  let gapAt = -1;
  let i = start;
  if (end - start >= 2 && text.charCodeAt(i) === 58) {
    if (text.charCodeAt(i + 1) !== 58) return IPV6_INVALID;
    gapAt = 0;
    i += 2;
  }
  while (i < end) {
    const groupStart = i;
    let value = 0;
    let code = 0;
    for (; i < end; i++) {
      code = text.charCodeAt(i);
      let digit = code - 48;
      if (digit < 0 || digit > 9) {
        // Folds A-F onto a-f; anything else ends the group.
        digit = (code | 32) - 87;
        if (digit < 10 || digit > 15) break;
        if (code < 97) plain = false;
      }
      value = value * 16 + digit;
    }
    const digits = i - groupStart;
    if (i < end && code === 46) {
      // A trailing dotted quad fills the last two groups.
      if (count > 6 || !parseIpv4Into(text, groupStart, end, out, offset + 12)) {
        return IPV6_INVALID;
      }
      plain = false;
      groups[count++] = ((out[offset + 12] ?? 0) << 8) | (out[offset + 13] ?? 0);
      groups[count++] = ((out[offset + 14] ?? 0) << 8) | (out[offset + 15] ?? 0);
      i = end;
      break;
    }
    if (digits === 0 || digits > 4 || count >= 8) return IPV6_INVALID;
    if (digits > 1 && text.charCodeAt(groupStart) === 48) plain = false;
    groups[count++] = value;
    if (i === end) break;
    if (code !== 58) return IPV6_INVALID;
    i++;
    if (i < end && text.charCodeAt(i) === 58) {
      if (gapAt >= 0) return IPV6_INVALID;
      gapAt = count;
      i++;
    } else if (i === end) {
      return IPV6_INVALID;
    }
  }
  if (gapAt < 0 ? count !== 8 : count > 7) return IPV6_INVALID;
  // Groups before the gap, zeros for the gap, the rest at the end.
  const tailStart = gapAt < 0 ? 8 : 8 - (count - gapAt);
  const head = gapAt < 0 ? 8 : gapAt;
  for (let g = 0; g < 8; g++) {
    const value =
      g < head ? (groups[g] ?? 0) : g >= tailStart ? (groups[g - tailStart + head] ?? 0) : 0;
    out[offset + g * 2] = value >> 8;
    out[offset + g * 2 + 1] = value & 0xff;
  }
  if (!plain) return IPV6_VALID;
  // RFC 5952 §4.2: "::" stands exactly for the longest (first) run of two or more zero groups.
  const run = zeroRunOf(out, offset);
  const canonical = run < 0 ? gapAt < 0 : gapAt === run >> 4 && 8 - count === (run & 15);
  return canonical ? IPV6_CANONICAL : IPV6_VALID;
}

/** Formats 4 bytes as a dotted quad. */
export function formatIpv4(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/**
 * Where RFC 5952 §4.2 puts "::" in 16 bytes: the longest run of zero groups,
 * the first one on a tie, never a single group. Returns start * 16 + length,
 * or -1 when nothing is elided (one number, so the hot path allocates nothing).
 */
function zeroRunOf(bytes: Uint8Array, offset: number): number {
  let bestStart = -1;
  let bestLength = 1;
  let runStart = -1;
  for (let g = 0; g <= 8; g++) {
    const isZero =
      g < 8 && (bytes[offset + g * 2] ?? 0) === 0 && (bytes[offset + g * 2 + 1] ?? 0) === 0;
    if (isZero) {
      if (runStart < 0) runStart = g;
    } else if (runStart >= 0) {
      if (g - runStart > bestLength) {
        bestStart = runStart;
        bestLength = g - runStart;
      }
      runStart = -1;
    }
  }
  return bestStart < 0 ? -1 : bestStart * 16 + bestLength;
}

/** Formats 16 bytes in the RFC 5952 canonical form (lowercase, longest zero run as "::"). */
export function formatIpv6(bytes: Uint8Array, offset = 0): string {
  const run = zeroRunOf(bytes, offset);
  const gapStart = run < 0 ? 8 : run >> 4;
  const gapEnd = run < 0 ? 8 : gapStart + (run & 15);
  let text = '';
  for (let g = 0; g < 8; g++) {
    if (g === gapStart) {
      text += '::';
      g = gapEnd - 1;
      continue;
    }
    // Concatenation measured faster here than building the text from character codes.
    if (g > 0 && g !== gapEnd) text += ':';
    text += (((bytes[offset + g * 2] ?? 0) << 8) | (bytes[offset + g * 2 + 1] ?? 0)).toString(16);
  }
  return text;
}

/** Parses an IPv4 address into a fresh 4-byte buffer, or undefined. */
export function ipv4Bytes(text: string): Buffer | undefined {
  const out = Buffer.alloc(4);
  return parseIpv4Into(text, 0, text.length, out, 0) ? out : undefined;
}

/** Parses an IPv6 address into a fresh 16-byte buffer, or undefined. */
export function ipv6Bytes(text: string): Buffer | undefined {
  const out = Buffer.alloc(16);
  return parseIpv6Into(text, 0, text.length, out, 0) ? out : undefined;
}
