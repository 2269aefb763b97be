import type { AddressFamily } from './address-family.ts';
import { formatBgpIdentifier } from './bgp-identifier.ts';
import type { CanonicalAttributes } from './route.ts';
import { parseAddressOrUndefined } from './route-prefix.ts';
import type { ExtendedCommunity } from './wire/attributes/extended-communities.ts';
import type { PathAttributes } from './wire/path-attributes.ts';

/**
 * What goes on the wire for a route: the path attributes of RFC 4271 §5.1
 * as ironlb originates them, from the route's canonical attributes and the
 * session (iBGP or eBGP, our AS, the next hop self of this connection).
 */

/** RFC 4271 §5.1.5: a common default; iBGP peers always get a LOCAL_PREF. */
export const DEFAULT_LOCAL_PREF = 100;

/** Next hop self per family, for routes that do not name a next hop. */
export interface NextHops {
  readonly ipv4: string;
  readonly ipv6: string;
}

export interface NextHopOptions {
  readonly nextHopIpv4?: string;
  readonly nextHopIpv6?: string;
}

/**
 * The next hop self of a connection whose local address is `localAddress`:
 * the configured one of the family when given, else the connection's own
 * address of that family. Across families: IPv6 routes on an IPv4 session
 * get the IPv4-mapped local address (::ffff:a.b.c.d, what GoBGP and FRR
 * send); IPv4 routes on an IPv6 session get the router ID.
 */
export function resolveNextHops(
  localAddress: string,
  routerId: number,
  options: NextHopOptions,
): NextHops {
  const local = parseAddressOrUndefined(localAddress);
  const localV4 = local?.family === 'ipv4-unicast' ? local.text : undefined;
  const localV6 = local?.family === 'ipv6-unicast' ? local.text : undefined;
  const ipv4 = options.nextHopIpv4 ?? localV4 ?? formatBgpIdentifier(routerId);
  const ipv6 =
    options.nextHopIpv6 ?? localV6 ?? `::ffff:${localV4 ?? formatBgpIdentifier(routerId)}`;
  return { ipv4, ipv6 };
}

export interface OutboundPolicy {
  /** iBGP: LOCAL_PREF, empty AS_PATH. eBGP: AS_PATH [localAs], no LOCAL_PREF (RFC 4271 §5.1.2, §5.1.5). */
  readonly internal: boolean;
  readonly localAs: number;
  readonly nextHops: NextHops;
}

/** The UPDATE attributes for routes of `family` with these attributes (prefixes added by the packer). */
export function pathAttributesFor(
  attributes: CanonicalAttributes,
  family: AddressFamily,
  policy: OutboundPolicy,
): PathAttributes {
  const nextHop =
    attributes.nextHop ?? (family === 'ipv4-unicast' ? policy.nextHops.ipv4 : policy.nextHops.ipv6);
  return {
    // RFC 4271 §5.1.1: we originate the routes.
    origin: 'igp',
    asPath: policy.internal ? [] : [{ type: 'sequence', asns: [policy.localAs] }],
    ...(family === 'ipv4-unicast'
      ? { nextHop }
      : { mpReach: { family: 'ipv6-unicast' as const, nextHop, nlri: [] } }),
    ...(attributes.med !== undefined && { multiExitDisc: attributes.med }),
    ...(policy.internal && { localPref: attributes.localPref ?? DEFAULT_LOCAL_PREF }),
    ...(attributes.communities.length > 0 && { communities: attributes.communities }),
    ...(attributes.largeCommunities.length > 0 && {
      largeCommunities: attributes.largeCommunities,
    }),
    ...(attributes.extendedCommunities.length > 0 && {
      extendedCommunities: attributes.extendedCommunities.map(extendedCommunityOf),
    }),
  };
}

/** The core keeps extended communities as 64-bit numbers; the codec writes raw ones as they are. */
function extendedCommunityOf(value: bigint): ExtendedCommunity {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(value, 0);
  return { kind: 'raw', bytes };
}
