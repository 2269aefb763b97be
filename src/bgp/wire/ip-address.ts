/**
 * IP address text <-> bytes, written for speed: the bulk UPDATE packer turns
 * 100k prefix strings into NLRI without allocating per prefix. Parsers write
 * into a caller's buffer and return false for invalid text instead of
 * throwing, so callers choose their own error.
 */

function decimalDigit(code: number): number {
  return code >= 48 && code <= 57 ? code - 48 : -1;
}

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
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
  let groups = 0;
  let gapAt = -1;
  let i = start;
  if (end - start >= 2 && text.charCodeAt(i) === 58) {
    if (text.charCodeAt(i + 1) !== 58) return false;
    gapAt = 0;
    i += 2;
  }
  while (i < end) {
    let j = i;
    let value = 0;
    while (j < end && j - i < 5) {
      const digit = hexDigit(text.charCodeAt(j));
      if (digit < 0) break;
      value = value * 16 + digit;
      j++;
    }
    if (j < end && text.charCodeAt(j) === 46) {
      // A trailing dotted quad fills the last two groups.
      if (groups > 6 || !parseIpv4Into(text, i, end, out, offset + groups * 2)) return false;
      groups += 2;
      i = end;
      break;
    }
    const digits = j - i;
    if (digits === 0 || digits > 4 || groups >= 8) return false;
    out[offset + groups * 2] = value >> 8;
    out[offset + groups * 2 + 1] = value & 0xff;
    groups++;
    i = j;
    if (i === end) break;
    if (text.charCodeAt(i) !== 58) return false;
    i++;
    if (i < end && text.charCodeAt(i) === 58) {
      if (gapAt >= 0) return false;
      gapAt = groups;
      i++;
    } else if (i === end) {
      return false;
    }
  }
  if (gapAt < 0) return groups === 8;
  if (groups > 7) return false;
  const tail = groups - gapAt;
  for (let k = tail - 1; k >= 0; k--) {
    out[offset + (8 - tail + k) * 2] = out[offset + (gapAt + k) * 2] ?? 0;
    out[offset + (8 - tail + k) * 2 + 1] = out[offset + (gapAt + k) * 2 + 1] ?? 0;
  }
  for (let k = gapAt; k < 8 - tail; k++) {
    out[offset + k * 2] = 0;
    out[offset + k * 2 + 1] = 0;
  }
  return true;
}

/** Formats 4 bytes as a dotted quad. */
export function formatIpv4(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/** Formats 16 bytes in the RFC 5952 canonical form (lowercase, longest zero run as "::"). */
export function formatIpv6(bytes: Uint8Array, offset = 0): string {
  let bestStart = -1;
  let bestLength = 1;
  let runStart = -1;
  for (let g = 0; g <= 8; g++) {
    const isZero =
      g < 8 && (bytes[offset + g * 2] ?? 0) === 0 && (bytes[offset + g * 2 + 1] ?? 0) === 0;
    if (isZero) {
      if (runStart < 0) runStart = g;
    } else if (runStart >= 0) {
      // RFC 5952 §4.2.3: the longest run, the first one on a tie; never a single group.
      if (g - runStart > bestLength) {
        bestStart = runStart;
        bestLength = g - runStart;
      }
      runStart = -1;
    }
  }
  let text = '';
  for (let g = 0; g < 8; g++) {
    if (g === bestStart) {
      text += '::';
      g += bestLength - 1;
      continue;
    }
    const value = ((bytes[offset + g * 2] ?? 0) << 8) | (bytes[offset + g * 2 + 1] ?? 0);
    if (text.length > 0 && !text.endsWith(':')) text += ':';
    text += value.toString(16);
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
