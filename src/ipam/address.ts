import ipaddr from 'ipaddr.js';

/**
 * Addresses as integers: IPv4 and IPv6 alike are bigints (an IPv6 /64 holds
 * 2^64 addresses, beyond Number). Everything in src/ipam works on these.
 */
export type IpFamily = 4 | 6;

/** One address: its family and its value as an integer. */
export interface Address {
  readonly family: IpFamily;
  readonly value: bigint;
}

export interface AddressRange {
  readonly family: IpFamily;
  /** First and last address, inclusive. */
  readonly first: bigint;
  readonly last: bigint;
}

export type ParseResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export function familyBits(family: IpFamily): number {
  return family === 4 ? 32 : 128;
}

/** Parses one address (IPv4 dotted quad or IPv6, no zone) into family + integer. */
export function parseAddress(text: string): ParseResult<Address> {
  const trimmed = text.trim();
  // ipaddr.js accepts shorthand IPv4 like "10.1"; Kubernetes and operators mean four octets.
  if (!ipaddr.IPv4.isValidFourPartDecimal(trimmed) && !ipaddr.IPv6.isValid(trimmed)) {
    return { ok: false, reason: `"${text}" is not an IPv4 or IPv6 address` };
  }
  if (trimmed.includes('%'))
    return { ok: false, reason: `"${text}" has a zone, which pools do not allow` };
  const parsed = ipaddr.parse(trimmed);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    return {
      ok: false,
      reason: `"${text}" is an IPv4-mapped IPv6 address; write the IPv4 address`,
    };
  }
  let value = 0n;
  for (const byte of parsed.toByteArray()) value = (value << 8n) | BigInt(byte);
  return { ok: true, value: { family: parsed.kind() === 'ipv4' ? 4 : 6, value } };
}

/** Formats an integer address in its family's canonical text form (RFC 5952 for IPv6). */
export function formatAddress(family: IpFamily, value: bigint): string {
  const bytes: number[] = [];
  const count = family === 4 ? 4 : 16;
  for (let i = count - 1; i >= 0; i--) bytes.push(Number((value >> BigInt(i * 8)) & 0xffn));
  return ipaddr.fromByteArray(bytes).toString();
}

/**
 * Parses a pool entry: a CIDR ("192.0.2.0/28", "2001:db8::/64") or an
 * inclusive range "a-b" of one family. A CIDR with host bits set is refused,
 * because the operator almost certainly mistyped it.
 */
export function parseAddressRange(text: string): ParseResult<AddressRange> {
  const trimmed = text.trim();
  if (trimmed.includes('/')) {
    const [addressText = '', lengthText = ''] = trimmed.split('/');
    const address = parseAddress(addressText);
    if (!address.ok) return { ok: false, reason: `"${text}": ${address.reason}` };
    const bits = familyBits(address.value.family);
    if (!/^\d{1,3}$/.test(lengthText) || Number(lengthText) > bits) {
      return { ok: false, reason: `"${text}": prefix length must be 0-${bits}` };
    }
    const length = Number(lengthText);
    const hostMask = (1n << BigInt(bits - length)) - 1n;
    if ((address.value.value & hostMask) !== 0n) {
      const network = formatAddress(address.value.family, address.value.value & ~hostMask);
      return {
        ok: false,
        reason: `"${text}" has host bits set; did you mean ${network}/${length}?`,
      };
    }
    return {
      ok: true,
      value: {
        family: address.value.family,
        first: address.value.value,
        last: address.value.value | hostMask,
      },
    };
  }
  const dash = trimmed.indexOf('-');
  if (dash < 0) {
    const single = parseAddress(trimmed);
    if (!single.ok) return { ok: false, reason: `"${text}" is neither a CIDR nor a range "a-b"` };
    return {
      ok: true,
      value: { family: single.value.family, first: single.value.value, last: single.value.value },
    };
  }
  const first = parseAddress(trimmed.slice(0, dash));
  const last = parseAddress(trimmed.slice(dash + 1));
  if (!first.ok) return { ok: false, reason: `"${text}": ${first.reason}` };
  if (!last.ok) return { ok: false, reason: `"${text}": ${last.reason}` };
  if (first.value.family !== last.value.family) {
    return { ok: false, reason: `"${text}" mixes IPv4 and IPv6` };
  }
  if (first.value.value > last.value.value) {
    return { ok: false, reason: `"${text}": the first address is after the last` };
  }
  return {
    ok: true,
    value: { family: first.value.family, first: first.value.value, last: last.value.value },
  };
}

export function rangeSize(range: AddressRange): bigint {
  return range.last - range.first + 1n;
}

export function rangesOverlap(a: AddressRange, b: AddressRange): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}

export function rangeContains(range: AddressRange, family: IpFamily, value: bigint): boolean {
  return range.family === family && range.first <= value && value <= range.last;
}

/** The text form of a range, as a CIDR when it is exactly one. */
export function formatAddressRange(range: AddressRange): string {
  const size = rangeSize(range);
  const isPowerOfTwo = (size & (size - 1n)) === 0n;
  if (isPowerOfTwo && (range.first & (size - 1n)) === 0n) {
    const hostBits = size.toString(2).length - 1;
    return `${formatAddress(range.family, range.first)}/${familyBits(range.family) - hostBits}`;
  }
  return `${formatAddress(range.family, range.first)}-${formatAddress(range.family, range.last)}`;
}
