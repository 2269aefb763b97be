import ipaddr from 'ipaddr.js';
import { IronlbError } from '../common/errors.ts';
import type { AddressFamily } from './address-family.ts';
import { BgpSessionErrors } from './session-errors.ts';

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
 * Parses a CIDR ("192.0.2.1/32", "2001:db8::/64") or a bare address (a host
 * route). Host bits set are refused, not masked: they are almost always a
 * mistake upstream. Throws IRONLB_ERR_ROUTE_PREFIX.
 */
export function parsePrefix(text: string): CanonicalPrefix {
  const fail = (why: string): never => {
    throw new IronlbError(BgpSessionErrors.IRONLB_ERR_ROUTE_PREFIX, `prefix "${text}" ${why}`);
  };
  if (typeof text !== 'string') fail('is not a string');
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const address = parseAddressOrUndefined(addressText);
  if (address === undefined) {
    return fail('is not an IPv4 or IPv6 prefix (zones and IPv4-mapped IPv6 are not allowed)');
  }
  const bits = address.octets.length * 8;
  let length = bits;
  if (slash >= 0) {
    const lengthText = text.slice(slash + 1);
    if (!/^(0|[1-9]\d{0,2})$/.test(lengthText) || Number(lengthText) > bits) {
      return fail(`has a bad prefix length (must be 0-${bits})`);
    }
    length = Number(lengthText);
  }
  if (!hostBitsZero(address.octets, length)) {
    const network = maskedOctets(address.octets, length);
    return fail(
      `has host bits set; did you mean ${formatOctets(address.family, network)}/${length}?`,
    );
  }
  return {
    text: `${address.text}/${length}`,
    family: address.family,
    length,
    address: address.octets,
  };
}

/** Parses an IPv4 or IPv6 address (no zone, no IPv4-mapped IPv6); undefined when invalid. */
export function parseAddressOrUndefined(text: string): ParsedAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4 >= 0) {
    const octets = Uint8Array.of(v4 >>> 24, (v4 >>> 16) & 0xff, (v4 >>> 8) & 0xff, v4 & 0xff);
    return { family: 'ipv4-unicast', octets, text: formatIpv4(v4) };
  }
  if (text.includes('%') || !ipaddr.IPv6.isValid(text)) return undefined;
  const parsed = ipaddr.IPv6.parse(text);
  if (parsed.isIPv4MappedAddress()) return undefined;
  return {
    family: 'ipv6-unicast',
    octets: Uint8Array.from(parsed.toByteArray()),
    text: parsed.toString(),
  };
}

/**
 * Strict dotted quad without leading zeros (is "010" octal or decimal?),
 * hand-rolled because 100k routes pass through here. -1 when invalid.
 */
function parseIpv4(text: string): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
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

function formatOctets(family: AddressFamily, octets: Uint8Array): string {
  return family === 'ipv4-unicast'
    ? octets.join('.')
    : ipaddr.fromByteArray([...octets]).toString();
}

function hostBitsZero(octets: Uint8Array, length: number): boolean {
  for (let i = 0; i < octets.length; i++) {
    const keep = Math.min(8, Math.max(0, length - i * 8));
    const mask = (0xff << (8 - keep)) & 0xff;
    if (((octets[i] ?? 0) & ~mask & 0xff) !== 0) return false;
  }
  return true;
}

function maskedOctets(octets: Uint8Array, length: number): Uint8Array {
  return octets.map((octet, i) => {
    const keep = Math.min(8, Math.max(0, length - i * 8));
    return octet & ((0xff << (8 - keep)) & 0xff);
  });
}
