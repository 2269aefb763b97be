import { IronlbError } from '../common/errors.ts';
import { parseBgpIdentifier, formatBgpIdentifier } from './bgp-identifier.ts';
import { BgpSessionErrors } from './session-errors.ts';

/**
 * Text forms of the three community kinds, parsed to the numbers the codec
 * writes and formatted back canonically (format(parse(x)) parses to the same
 * value, and parse(format(v)) === v).
 *
 * - Communities (RFC 1997): "65000:100", or a well-known name ("no-export").
 * - Large communities (RFC 8092): "64512:1:2", "large:" prefix accepted (MetalLB's form).
 * - Extended communities (RFC 4360), 8 octets, as a bigint:
 *     rt:ASN:N / soo:ASN:N   route target / site of origin; 2-octet AS specific
 *                            when ASN ≤ 65535 (N ≤ 4294967295), 4-octet AS
 *                            specific (RFC 5668) when larger (N ≤ 65535)
 *     rt:A.B.C.D:N           IPv4-address specific (N ≤ 65535)
 *     lb:ASN:BYTES_PER_SEC   link bandwidth (draft-ietf-idr-link-bandwidth):
 *                            non-transitive, 2-octet ASN, IEEE float32 bytes/s
 *     raw:0123456789abcdef   any 8 octets in hex
 */

export interface LargeCommunity {
  readonly globalAdministrator: number;
  readonly localData1: number;
  readonly localData2: number;
}

/** RFC 1997, RFC 3765, RFC 7611, RFC 7999, RFC 8326. */
const WELL_KNOWN_COMMUNITIES: ReadonlyMap<string, number> = new Map([
  ['graceful-shutdown', 0xffff0000],
  ['accept-own', 0xffff0001],
  ['blackhole', 0xffff029a],
  ['no-export', 0xffffff01],
  ['no-advertise', 0xffffff02],
  ['no-export-subconfed', 0xffffff03],
  ['no-peer', 0xffffff04],
]);
const WELL_KNOWN_NAMES: ReadonlyMap<number, string> = new Map(
  [...WELL_KNOWN_COMMUNITIES].map(([name, value]) => [value, name]),
);

const UINT16 = 0xffff;
const UINT32 = 0xffffffff;

/** A decimal without sign or leading zeros, ≤ max; -1 otherwise. */
function decimal(text: string, max: number): number {
  if (!/^(0|[1-9]\d{0,9})$/.test(text)) return -1;
  const value = Number(text);
  return value <= max ? value : -1;
}

export function parseCommunity(text: string): number {
  const named = WELL_KNOWN_COMMUNITIES.get(String(text).trim().toLowerCase());
  if (named !== undefined) return named;
  const parts = String(text).split(':');
  const high = parts.length === 2 ? decimal(parts[0] ?? '', UINT16) : -1;
  const low = parts.length === 2 ? decimal(parts[1] ?? '', UINT16) : -1;
  if (high < 0 || low < 0) {
    throw new IronlbError(
      BgpSessionErrors.IRONLB_ERR_ROUTE_COMMUNITY,
      `community "${text}" is neither "a:b" with a and b in 0-65535 nor one of ${[...WELL_KNOWN_COMMUNITIES.keys()].join(', ')}`,
    );
  }
  return high * 0x10000 + low;
}

export function formatCommunity(value: number): string {
  return WELL_KNOWN_NAMES.get(value) ?? `${Math.floor(value / 0x10000)}:${value & UINT16}`;
}

export function parseLargeCommunity(text: string): LargeCommunity {
  const body = String(text).startsWith('large:') ? String(text).slice(6) : String(text);
  const parts = body.split(':').map((part) => decimal(part, UINT32));
  const [globalAdministrator = -1, localData1 = -1, localData2 = -1] = parts;
  if (parts.length !== 3 || globalAdministrator < 0 || localData1 < 0 || localData2 < 0) {
    throw new IronlbError(
      BgpSessionErrors.IRONLB_ERR_ROUTE_LARGE_COMMUNITY,
      `large community "${text}" is not "global:local1:local2" with each part in 0-4294967295`,
    );
  }
  return { globalAdministrator, localData1, localData2 };
}

export function formatLargeCommunity(c: LargeCommunity): string {
  return `${c.globalAdministrator}:${c.localData1}:${c.localData2}`;
}

export function compareLargeCommunities(a: LargeCommunity, b: LargeCommunity): number {
  return (
    a.globalAdministrator - b.globalAdministrator ||
    a.localData1 - b.localData1 ||
    a.localData2 - b.localData2
  );
}

// RFC 4360 §3-4, RFC 5668 §2: type (high octet) and sub-type.
const TYPE_TWO_OCTET_AS = 0x00;
const TYPE_IPV4_ADDRESS = 0x01;
const TYPE_FOUR_OCTET_AS = 0x02;
const TYPE_TWO_OCTET_AS_NON_TRANSITIVE = 0x40;
const SUBTYPE_ROUTE_TARGET = 0x02;
const SUBTYPE_ROUTE_ORIGIN = 0x03;
const SUBTYPE_LINK_BANDWIDTH = 0x04;

const SUBTYPE_BY_KEYWORD: Readonly<Record<string, number>> = {
  rt: SUBTYPE_ROUTE_TARGET,
  soo: SUBTYPE_ROUTE_ORIGIN,
};

/** Builds the 8-octet value: type, sub-type, then 6 octets (two fields of the given widths). */
function extended(
  type: number,
  subtype: number,
  first: number,
  firstOctets: number,
  second: number,
): bigint {
  const secondOctets = 6 - firstOctets;
  return (
    (BigInt(type) << 56n) |
    (BigInt(subtype) << 48n) |
    (BigInt(first) << BigInt(secondOctets * 8)) |
    BigInt(second)
  );
}

export function parseExtendedCommunity(text: string): bigint {
  const fail = (why: string): never => {
    throw new IronlbError(
      BgpSessionErrors.IRONLB_ERR_ROUTE_EXTENDED_COMMUNITY,
      `extended community "${text}" ${why}`,
    );
  };
  const input = String(text).trim();
  const [keyword = '', ...rest] = input.split(':');
  if (keyword === 'raw') {
    if (rest.length !== 1 || !/^[0-9a-fA-F]{16}$/.test(rest[0] ?? '')) {
      return fail('must be raw: followed by 16 hex digits');
    }
    return BigInt(`0x${rest[0]}`);
  }
  if (rest.length !== 2) {
    return fail('must be rt:ADMIN:N, soo:ADMIN:N, lb:ASN:BYTES_PER_SECOND or raw:HEX16');
  }
  const [admin = '', local = ''] = rest;
  const subtype = SUBTYPE_BY_KEYWORD[keyword];
  if (subtype !== undefined) {
    const ipv4 = admin.includes('.') ? parseBgpIdentifier(admin) : undefined;
    if (ipv4 !== undefined) {
      const n = decimal(local, UINT16);
      if (n < 0) return fail('needs a local part 0-65535 after an IPv4 address');
      return extended(TYPE_IPV4_ADDRESS, subtype, ipv4, 4, n);
    }
    const asn = decimal(admin, UINT32);
    if (asn < 0) return fail('needs an ASN or IPv4 address as administrator');
    if (asn <= UINT16) {
      const n = decimal(local, UINT32);
      if (n < 0) return fail('needs a local part 0-4294967295 after a 2-octet ASN');
      return extended(TYPE_TWO_OCTET_AS, subtype, asn, 2, n);
    }
    const n = decimal(local, UINT16);
    if (n < 0) return fail('needs a local part 0-65535 after a 4-octet ASN');
    return extended(TYPE_FOUR_OCTET_AS, subtype, asn, 4, n);
  }
  if (keyword === 'lb') {
    const asn = decimal(admin, UINT16);
    if (asn < 0) return fail('needs a 2-octet ASN (0-65535; use 23456 for larger ones)');
    if (!/^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(local)) {
      return fail('needs a bandwidth in bytes per second');
    }
    const bandwidth = Math.fround(Number(local));
    if (!Number.isFinite(bandwidth)) return fail('has a bandwidth beyond a 32-bit float');
    const view = new DataView(new ArrayBuffer(4));
    view.setFloat32(0, bandwidth);
    return extended(
      TYPE_TWO_OCTET_AS_NON_TRANSITIVE,
      SUBTYPE_LINK_BANDWIDTH,
      asn,
      2,
      view.getUint32(0),
    );
  }
  return fail(`has an unknown kind "${keyword}" (rt, soo, lb or raw)`);
}

export function formatExtendedCommunity(value: bigint): string {
  const type = Number((value >> 56n) & 0xffn);
  const subtype = Number((value >> 48n) & 0xffn);
  const field = (shift: bigint, mask: bigint): number => Number((value >> shift) & mask);
  const keyword = Object.entries(SUBTYPE_BY_KEYWORD).find(([, s]) => s === subtype)?.[0];
  if (keyword !== undefined) {
    if (type === TYPE_TWO_OCTET_AS) {
      return `${keyword}:${field(32n, 0xffffn)}:${field(0n, 0xffffffffn)}`;
    }
    if (type === TYPE_IPV4_ADDRESS) {
      return `${keyword}:${formatBgpIdentifier(field(16n, 0xffffffffn))}:${field(0n, 0xffffn)}`;
    }
    // Only a 4-octet ASN that does not fit in 2 octets reads back as the same type.
    if (type === TYPE_FOUR_OCTET_AS && field(16n, 0xffffffffn) > UINT16) {
      return `${keyword}:${field(16n, 0xffffffffn)}:${field(0n, 0xffffn)}`;
    }
  }
  if (type === TYPE_TWO_OCTET_AS_NON_TRANSITIVE && subtype === SUBTYPE_LINK_BANDWIDTH) {
    const view = new DataView(new ArrayBuffer(4));
    view.setUint32(0, field(0n, 0xffffffffn));
    const bandwidth = view.getFloat32(0);
    // NaN, infinities and negatives have no text form that parses back.
    if (Number.isFinite(bandwidth) && bandwidth >= 0 && !Object.is(bandwidth, -0)) {
      return `lb:${field(32n, 0xffffn)}:${String(bandwidth)}`;
    }
  }
  return `raw:${value.toString(16).padStart(16, '0')}`;
}
