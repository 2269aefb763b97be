import { IronlbError } from '../common/errors.ts';
import type { AddressFamily } from './address-family.ts';
import { BgpSessionErrors } from './session-errors.ts';
import { formatIpv6, IPV6_CANONICAL, IPV6_INVALID, parseIpv6Text } from './wire/ip-address.ts';

/** A validated prefix in canonical form, with the octets the codec needs for NLRI. */
export interface CanonicalPrefix {
  /** Canonical text: "192.0.2.0/24", "2001:db8::/64" (RFC 5952). */
  readonly text: string;
  readonly family: AddressFamily;
  readonly length: number;
  /** The full address, 4 or 16 octets, host bits zero. */
  readonly address: Uint8Array;
}

/** A parsed IP address: family, octets, canonical text. */
export interface ParsedAddress {
  readonly family: AddressFamily;
  readonly octets: Uint8Array;
  readonly text: string;
}

/**
 * A parsed prefix. The octets are derived from the text on first use: the
 * Adj-RIB-Out parses 100k prefixes per full set and needs only their text
 * (the UPDATE packer writes NLRI straight from it).
 */
class Prefix implements CanonicalPrefix {
  readonly text: string;
  readonly family: AddressFamily;
  readonly length: number;
  #address: Uint8Array | undefined;

  constructor(text: string, family: AddressFamily, length: number) {
    this.text = text;
    this.family = family;
    this.length = length;
  }

  get address(): Uint8Array {
    if (this.#address === undefined) {
      const slash = this.text.indexOf('/');
      this.#address =
        parseAddressOrUndefined(this.text.slice(0, slash))?.octets ?? new Uint8Array();
    }
    return this.#address;
  }

  toJSON(): { text: string; family: AddressFamily; length: number } {
    return { text: this.text, family: this.family, length: this.length };
  }
}

const scratch = new Uint8Array(16);

/** What scanPrefix() found; one shared object, valid until the next call. */
export interface ScannedPrefix {
  readonly text: string;
  readonly family: AddressFamily;
  readonly length: number;
}

const scanned: { text: string; family: AddressFamily; length: number } = {
  text: '',
  family: 'ipv4-unicast',
  length: 0,
};

/**
 * Parses a CIDR ("192.0.2.1/32", "2001:db8::/64") or a bare address (a host
 * route). Host bits set are refused, not masked: they are almost always a
 * mistake upstream. Throws IRONLB_ERR_ROUTE_PREFIX.
 */
export function parsePrefix(text: string): CanonicalPrefix {
  const { text: canonical, family, length } = scanPrefix(text);
  return new Prefix(canonical, family, length);
}

/**
 * parsePrefix() without allocating a result: the Adj-RIB-Out parses 100k
 * prefixes per full set. IPv4 text that parses is already canonical (the
 * parser refuses leading zeros), so the input string itself is returned as
 * the key and no new string is built.
 */
export function scanPrefix(text: string): ScannedPrefix {
  if (typeof text !== 'string') return prefixError(text, 'is not a string');
  const slash = text.indexOf('/');
  const addressEnd = slash < 0 ? text.length : slash;
  const v4 = parseIpv4(text, addressEnd);
  const v6 = v4 < 0 ? parseIpv6Address(text, addressEnd) : IPV6_INVALID;
  if (v4 < 0 && v6 === IPV6_INVALID) {
    return prefixError(
      text,
      'is not an IPv4 or IPv6 prefix (zones and IPv4-mapped IPv6 are not allowed)',
    );
  }
  const bits = v4 >= 0 ? 32 : 128;
  const length = slash < 0 ? bits : prefixLength(text, slash + 1, bits);
  if (length < 0) return prefixError(text, `has a bad prefix length (must be 0-${bits})`);

  if (v4 >= 0) {
    // The shifts are 32-bit: /0 would keep every bit.
    const hostMask = length === 0 ? 0xffffffff : length === 32 ? 0 : 0xffffffff >>> length;
    if ((v4 & hostMask) >>> 0 !== 0) {
      const network = (v4 & ~hostMask) >>> 0;
      return prefixError(text, `has host bits set; did you mean ${formatIpv4(network)}/${length}?`);
    }
    scanned.text = slash < 0 ? `${text}/32` : text;
    scanned.family = 'ipv4-unicast';
    scanned.length = length;
    return scanned;
  }

  if (!hostBitsZero(scratch, length)) {
    const network = maskedOctets(scratch, length);
    return prefixError(text, `has host bits set; did you mean ${formatIpv6(network)}/${length}?`);
  }
  // The prefix length is canonical once parsed (no leading zeros): only the address may not be.
  scanned.text = slash >= 0 && v6 === IPV6_CANONICAL ? text : `${formatIpv6(scratch)}/${length}`;
  scanned.family = 'ipv6-unicast';
  scanned.length = length;
  return scanned;
}

function prefixError(text: unknown, why: string): never {
  throw new IronlbError(
    BgpSessionErrors.IRONLB_ERR_ROUTE_PREFIX,
    `prefix "${String(text)}" ${why}`,
  );
}

/**
 * Parses text[0, end) as IPv6 into scratch (parseIpv6Text's result); refuses
 * zones and IPv4-mapped addresses.
 */
function parseIpv6Address(text: string, end: number): number {
  const form = parseIpv6Text(text, 0, end, scratch, 0);
  return form !== IPV6_INVALID && isIpv4Mapped(scratch) ? IPV6_INVALID : form;
}

/** ::ffff:0:0/96 (RFC 4291 §2.5.5.2): an IPv4 address in disguise, refused to keep one form per route. */
function isIpv4Mapped(octets: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (octets[i] !== 0) return false;
  return octets[10] === 0xff && octets[11] === 0xff;
}

/** Decimal 0..max without leading zeros in text[start..]; -1 otherwise. */
function prefixLength(text: string, start: number, max: number): number {
  const digits = text.length - start;
  if (digits < 1 || digits > 3) return -1;
  if (digits > 1 && text.charCodeAt(start) === 48) return -1;
  let value = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    value = value * 10 + (c - 48);
  }
  return value <= max ? value : -1;
}

/** Parses an IPv4 or IPv6 address (no zone, no IPv4-mapped IPv6); undefined when invalid. */
export function parseAddressOrUndefined(text: string): ParsedAddress | undefined {
  const v4 = parseIpv4(text, text.length);
  if (v4 >= 0) {
    const octets = Uint8Array.of(v4 >>> 24, (v4 >>> 16) & 0xff, (v4 >>> 8) & 0xff, v4 & 0xff);
    return { family: 'ipv4-unicast', octets, text: formatIpv4(v4) };
  }
  if (parseIpv6Address(text, text.length) === IPV6_INVALID) return undefined;
  const octets = scratch.slice();
  return { family: 'ipv6-unicast', octets, text: formatIpv6(octets) };
}

/**
 * Strict dotted quad in text[0, end) without leading zeros (is "010" octal or
 * decimal?), hand-rolled because 100k routes pass through here. -1 when invalid.
 */
function parseIpv4(text: string, end: number): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return -1;
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
    } else {
      return -1;
    }
  }
  if (digits === 0 || dots !== 3) return -1;
  return value * 256 + octet;
}

function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}`;
}

function hostBitsZero(octets: Uint8Array, length: number): boolean {
  const whole = length >> 3;
  const bits = length & 7;
  if (bits !== 0 && ((octets[whole] ?? 0) & (0xff >> bits)) !== 0) return false;
  for (let i = bits === 0 ? whole : whole + 1; i < octets.length; i++) {
    if (octets[i] !== 0) return false;
  }
  return true;
}

function maskedOctets(octets: Uint8Array, length: number): Uint8Array {
  return octets.map((octet, i) => {
    const keep = Math.min(8, Math.max(0, length - i * 8));
    return octet & ((0xff << (8 - keep)) & 0xff);
  });
}
