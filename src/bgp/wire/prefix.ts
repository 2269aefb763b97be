import { encodeError } from './errors.ts';
import { formatIpv4, formatIpv6, parseIpv4Into, parseIpv6Into } from './ip-address.ts';

/**
 * Prefixes are canonical text everywhere in the codec: "192.0.2.0/24",
 * "2001:db8::/32" (RFC 5952 form, host bits zero). Text is what the session
 * keys its Adj-RIB-Out by and what operators read; the packer turns it into
 * NLRI bytes directly, without an intermediate object per prefix.
 */
export type Prefix = string;

export type IpVersion = 4 | 6;

export interface ParsedPrefix {
  readonly version: IpVersion;
  readonly length: number;
  /** The address, 4 or 16 bytes, host bits zero. */
  readonly address: Buffer;
}

/** 4 for text without a colon, 6 otherwise; cheap, for routing a prefix to its family. */
export function prefixVersion(text: string): IpVersion {
  return text.includes(':') ? 6 : 4;
}

/** Octets a prefix takes in NLRI: the length octet plus the significant address octets (RFC 4271 §4.3). */
export function nlriLength(prefixLength: number): number {
  return 1 + ((prefixLength + 7) >> 3);
}

/** Reads the "/len" suffix; -1 when absent or not a number in range. */
function suffixLength(text: string, slash: number, maxLength: number): number {
  const digits = text.length - slash - 1;
  if (slash < 0 || digits < 1 || digits > 3) return -1;
  let value = 0;
  for (let i = slash + 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return -1;
    value = value * 10 + code - 48;
  }
  if (digits > 1 && text.charCodeAt(slash + 1) === 48) return -1;
  return value <= maxLength ? value : -1;
}

const scratch = new Uint8Array(16);

/**
 * Writes the NLRI encoding of `text` (RFC 4271 §4.3: length octet, then the
 * significant octets) at buf[offset]. Returns the offset after it. Throws the
 * encode error for text that is not a prefix of `version` or has host bits set.
 */
export function writePrefix(
  text: string,
  version: IpVersion,
  buf: Uint8Array,
  offset: number,
): number {
  const slash = text.lastIndexOf('/');
  return writeWithLength(
    text,
    version,
    slash,
    suffixLength(text, slash, version === 4 ? 32 : 128),
    buf,
    offset,
  );
}

function writeWithLength(
  text: string,
  version: IpVersion,
  slash: number,
  length: number,
  buf: Uint8Array,
  offset: number,
): number {
  const parsed =
    length >= 0 &&
    (version === 4
      ? parseIpv4Into(text, 0, slash, scratch, 0)
      : parseIpv6Into(text, 0, slash, scratch, 0));
  if (!parsed) {
    throw encodeError(
      `"${text}" is not an IPv${version} prefix like ${version === 4 ? '192.0.2.0/24' : '2001:db8::/32'}`,
    );
  }
  const octets = (length + 7) >> 3;
  const addressOctets = version === 4 ? 4 : 16;
  // Host bits must be zero: a set bit means the caller meant another prefix.
  const lastBits = length & 7;
  if (lastBits !== 0 && ((scratch[octets - 1] ?? 0) & (0xff >> lastBits)) !== 0) {
    throw encodeError(`"${text}" has host bits set`);
  }
  for (let i = octets; i < addressOctets; i++) {
    if (scratch[i] !== 0) throw encodeError(`"${text}" has host bits set`);
  }
  buf[offset] = length;
  for (let i = 0; i < octets; i++) buf[offset + 1 + i] = scratch[i] ?? 0;
  return offset + 1 + octets;
}

/** NLRI octets of a prefix text, without validating the address part. */
export function prefixWireLength(text: string): number {
  const slash = text.lastIndexOf('/');
  const length = suffixLength(text, slash, 128);
  if (length < 0) throw encodeError(`"${text}" is not a prefix (missing or bad "/length")`);
  return nlriLength(length);
}

/** Parses prefix text into version, length and address bytes; throws the encode error. */
export function parsePrefix(text: string): ParsedPrefix {
  const version = prefixVersion(text);
  const out = Buffer.alloc(17);
  writePrefix(text, version, out, 0);
  const length = out[0] ?? 0;
  const address = Buffer.alloc(version === 4 ? 4 : 16);
  out.copy(address, 0, 1, 1 + ((length + 7) >> 3));
  return { version, length, address };
}

/** Canonical text of a prefix from its address bytes (host bits are masked off). */
export function formatPrefix(version: IpVersion, address: Uint8Array, length: number): Prefix {
  const bytes = new Uint8Array(version === 4 ? 4 : 16);
  const octets = (length + 7) >> 3;
  for (let i = 0; i < octets && i < bytes.length; i++) bytes[i] = address[i] ?? 0;
  if ((length & 7) !== 0 && octets > 0)
    bytes[octets - 1] = (bytes[octets - 1] ?? 0) & (0xff << (8 - (length & 7)));
  return `${version === 4 ? formatIpv4(bytes) : formatIpv6(bytes)}/${length}`;
}

/** Canonicalises prefix text (e.g. "2001:DB8:0::/32" -> "2001:db8::/32"); throws the encode error. */
export function normalizePrefix(text: string): Prefix {
  const parsed = parsePrefix(text);
  return formatPrefix(parsed.version, parsed.address, parsed.length);
}

/** Why a run of NLRI octets could not be read; the caller turns it into its wire error. */
export type NlriProblem = (reason: string) => never;

const readScratch = new Uint8Array(16);

/**
 * Reads consecutive NLRI prefixes from buf[start, end) (RFC 4271 §4.3),
 * masking trailing bits (which RFC 4271 §4.3 declares irrelevant). Calls
 * `fail` for a length beyond the address size or an overrun.
 */
export function readPrefixes(
  buf: Uint8Array,
  start: number,
  end: number,
  version: IpVersion,
  fail: NlriProblem,
): Prefix[] {
  const prefixes: Prefix[] = [];
  const maxLength = version === 4 ? 32 : 128;
  let pos = start;
  while (pos < end) {
    const length = buf[pos] ?? 0;
    if (length > maxLength) fail(`prefix length ${length} exceeds ${maxLength}`);
    const octets = (length + 7) >> 3;
    if (pos + 1 + octets > end)
      fail(`prefix /${length} overruns the field by ${pos + 1 + octets - end} octets`);
    if (version === 4) {
      let a = 0;
      let b = 0;
      let c = 0;
      let d = 0;
      if (octets > 0) a = buf[pos + 1] ?? 0;
      if (octets > 1) b = buf[pos + 2] ?? 0;
      if (octets > 2) c = buf[pos + 3] ?? 0;
      if (octets > 3) d = buf[pos + 4] ?? 0;
      const value = (((a << 24) | (b << 16) | (c << 8) | d) >>> 0) & maskOf(length);
      prefixes.push(
        `${value >>> 24}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}/${length}`,
      );
    } else {
      readScratch.fill(0);
      for (let i = 0; i < octets; i++) readScratch[i] = buf[pos + 1 + i] ?? 0;
      if ((length & 7) !== 0) {
        readScratch[octets - 1] = (readScratch[octets - 1] ?? 0) & (0xff << (8 - (length & 7)));
      }
      prefixes.push(`${formatIpv6(readScratch)}/${length}`);
    }
    pos += 1 + octets;
  }
  return prefixes;
}

function maskOf(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

/** Octets the NLRI encoding of these prefixes takes (validates only the length suffix). */
export function prefixesWireLength(prefixes: readonly string[]): number {
  let total = 0;
  for (const prefix of prefixes) total += prefixWireLength(prefix);
  return total;
}

/** Writes prefixes as NLRI; returns the offset after them. */
export function writePrefixes(
  prefixes: readonly string[],
  version: IpVersion,
  buf: Uint8Array,
  offset: number,
): number {
  let pos = offset;
  for (const prefix of prefixes) pos = writePrefix(prefix, version, buf, pos);
  return pos;
}

/**
 * Writes the NLRI of `text` at buf[offset] if it ends by `limit`; returns
 * the offset after it, or -1 (nothing written) when it would not fit. The
 * packer's inner loop: one pass over the text, no allocation.
 */
export function writePrefixWithin(
  text: string,
  version: IpVersion,
  buf: Uint8Array,
  offset: number,
  limit: number,
): number {
  const slash = text.lastIndexOf('/');
  const length = suffixLength(text, slash, version === 4 ? 32 : 128);
  if (length >= 0 && offset + 1 + ((length + 7) >> 3) > limit) return -1;
  return writeWithLength(text, version, slash, length, buf, offset);
}
