import type { Route } from '../bgp/route.ts';

/** RFC 8326 §5: the well-known GRACEFUL_SHUTDOWN community, 65535:0. */
export const GRACEFUL_SHUTDOWN_COMMUNITY = '65535:0';

/**
 * The routes to announce during the drain before a shutdown (RFC 8326): the
 * same prefixes with GRACEFUL_SHUTDOWN added, so routers that honour it
 * prefer other paths while this one still forwards; toward iBGP peers also
 * LOCAL_PREF 0 (RFC 8326 §4: for receivers that do not act on the community;
 * LOCAL_PREF is not sent to eBGP peers, RFC 4271 §5.1.5).
 */
export function gracefulShutdownRoutes(routes: readonly Route[], ibgp: boolean): Route[] {
  return routes.map((route) => {
    const communities = route.attributes.communities ?? [];
    return {
      prefix: route.prefix,
      attributes: {
        ...route.attributes,
        communities: communities.includes(GRACEFUL_SHUTDOWN_COMMUNITY)
          ? communities
          : [...communities, GRACEFUL_SHUTDOWN_COMMUNITY],
        ...(ibgp && { localPref: 0 }),
      },
    };
  });
}
