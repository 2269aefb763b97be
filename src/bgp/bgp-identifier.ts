/**
 * BGP Identifiers are 4-octet unsigned integers (RFC 6286 §2.1), usually
 * written as an IPv4 address. Inside ironlb they are plain numbers in
 * 0..2^32-1, so comparisons (RFC 4271 §6.8) are numeric.
 */

const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parses "192.0.2.1" into a 32-bit unsigned number; undefined when malformed. */
export function parseBgpIdentifier(text: string): number | undefined {
  const match = DOTTED_QUAD.exec(text.trim());
  if (match === null) return undefined;
  let value = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(match[i]);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export function formatBgpIdentifier(id: number): string {
  return [id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff].join('.');
}

export function isUint32(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 0xffffffff;
}

/** 224.0.0.0/4 read as an IPv4 address. */
export function isMulticastIdentifier(id: number): boolean {
  return id >>> 28 === 0xe;
}
