import { type ErrorSpec, IronlbError } from '../common/errors.ts';
import type { AddressFamily } from './address-family.ts';
import { isUint32 } from './bgp-identifier.ts';
import {
  compareLargeCommunities,
  formatCommunity,
  formatExtendedCommunity,
  formatLargeCommunity,
  type LargeCommunity,
  parseCommunity,
  parseExtendedCommunity,
  parseLargeCommunity,
} from './communities.ts';
import { type CanonicalPrefix, parseAddressOrUndefined, parsePrefix } from './route-prefix.ts';
import { BgpSessionErrors } from './session-errors.ts';

/**
 * The public route model: what the speaker asks a session to announce. Text
 * forms are documented in communities.ts. Treat values as immutable once passed.
 */
export interface RouteAttributes {
  /** Defaults to the session's own address (next hop self) when absent; same family as the prefix. */
  readonly nextHop?: string;
  /** "a:b" or a well-known name ("no-export", "blackhole", …). */
  readonly communities?: readonly string[];
  /** "global:local1:local2" ("large:" prefix accepted). */
  readonly largeCommunities?: readonly string[];
  /** "rt:…", "soo:…", "lb:ASN:BYTES_PER_SECOND", "raw:HEX16". */
  readonly extendedCommunities?: readonly string[];
  /** LOCAL_PREF, sent to iBGP peers only (RFC 4271 §5.1.5). */
  readonly localPref?: number;
  /** MULTI_EXIT_DISC. */
  readonly med?: number;
}

export interface Route {
  /** "192.0.2.1/32", "2001:db8::1/128"; a bare address means a host route. */
  readonly prefix: string;
  readonly attributes: RouteAttributes;
}

/** Attributes validated, sorted and deduplicated, with the numbers the codec writes. */
export interface CanonicalAttributes {
  /** Equal keys ⇔ equal attributes: the grouping key for UPDATE packing. */
  readonly key: string;
  readonly nextHop: string | undefined;
  /** Ascending, unique. */
  readonly communities: readonly number[];
  readonly largeCommunities: readonly LargeCommunity[];
  readonly extendedCommunities: readonly bigint[];
  readonly localPref: number | undefined;
  readonly med: number | undefined;
}

export interface CanonicalRoute {
  readonly prefix: CanonicalPrefix;
  readonly attributes: CanonicalAttributes;
}

export function canonicalRoute(route: Route): CanonicalRoute {
  const prefix = parsePrefix(route.prefix);
  return { prefix, attributes: canonicalAttributes(route.attributes, prefix.family, prefix.text) };
}

/**
 * Validates and canonicalises attributes for a prefix of `family`. `context`
 * (the prefix) goes into error messages. Throws IronlbError.
 */
export function canonicalAttributes(
  attributes: RouteAttributes,
  family: AddressFamily,
  context = '',
): CanonicalAttributes {
  const where = context === '' ? '' : `route ${context}: `;
  const rethrow = (err: unknown): never => {
    // Same code, with the route in front of the message.
    const spec = err instanceof IronlbError ? catalogueSpec(err.code) : undefined;
    if (err instanceof IronlbError && spec !== undefined) {
      throw new IronlbError(spec, `${where}${err.message}`);
    }
    throw err;
  };

  let nextHop: string | undefined;
  if (attributes.nextHop !== undefined) {
    const parsed = parseAddressOrUndefined(String(attributes.nextHop));
    if (parsed === undefined || parsed.family !== family) {
      throw new IronlbError(
        BgpSessionErrors.IRONLB_ERR_ROUTE_NEXT_HOP,
        `${where}next hop "${attributes.nextHop}" is not an ${family === 'ipv4-unicast' ? 'IPv4' : 'IPv6'} address`,
      );
    }
    nextHop = parsed.text;
  }

  let communities: number[];
  let largeCommunities: LargeCommunity[];
  let extendedCommunities: bigint[];
  try {
    communities = uniqueSorted((attributes.communities ?? []).map(parseCommunity), (a, b) => a - b);
    largeCommunities = uniqueSorted(
      (attributes.largeCommunities ?? []).map(parseLargeCommunity),
      compareLargeCommunities,
    );
    extendedCommunities = uniqueSorted(
      (attributes.extendedCommunities ?? []).map(parseExtendedCommunity),
      (a, b) => (a < b ? -1 : a > b ? 1 : 0),
    );
  } catch (err) {
    return rethrow(err);
  }

  for (const [name, value] of [
    ['localPref', attributes.localPref],
    ['med', attributes.med],
  ] as const) {
    if (value !== undefined && !isUint32(value)) {
      throw new IronlbError(
        BgpSessionErrors.IRONLB_ERR_ROUTE_ATTRIBUTE,
        `${where}${name} ${String(value)} is not an integer from 0 to 4294967295`,
      );
    }
  }

  const key = [
    nextHop ?? '',
    communities.join(','),
    largeCommunities.map(formatLargeCommunity).join(','),
    extendedCommunities.map((v) => v.toString(16)).join(','),
    attributes.localPref ?? '',
    attributes.med ?? '',
  ].join('|');
  return {
    key,
    nextHop,
    communities,
    largeCommunities,
    extendedCommunities,
    localPref: attributes.localPref,
    med: attributes.med,
  };
}

/** The canonical text form of attributes (what status pages and logs show). */
export function formatAttributes(attributes: CanonicalAttributes): RouteAttributes {
  return {
    ...(attributes.nextHop !== undefined && { nextHop: attributes.nextHop }),
    ...(attributes.communities.length > 0 && {
      communities: attributes.communities.map(formatCommunity),
    }),
    ...(attributes.largeCommunities.length > 0 && {
      largeCommunities: attributes.largeCommunities.map(formatLargeCommunity),
    }),
    ...(attributes.extendedCommunities.length > 0 && {
      extendedCommunities: attributes.extendedCommunities.map(formatExtendedCommunity),
    }),
    ...(attributes.localPref !== undefined && { localPref: attributes.localPref }),
    ...(attributes.med !== undefined && { med: attributes.med }),
  };
}

function catalogueSpec(code: string): ErrorSpec | undefined {
  return Object.values(BgpSessionErrors).find((spec) => spec.code === code);
}

function uniqueSorted<T>(values: T[], compare: (a: T, b: T) => number): T[] {
  values.sort(compare);
  return values.filter((value, i) => i === 0 || compare(values[i - 1] as T, value) !== 0);
}
