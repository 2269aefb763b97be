import type { Route, RouteAttributes } from '../bgp/route.ts';
import {
  compareCommunities,
  objectRef,
  type Advertisement,
  type BgpCommunity,
} from '../config/index.ts';
import { familyBits, formatAddress, type IpFamily } from '../ipam/address.ts';
import type { AnnouncementProblem } from './announcement-reasons.ts';
import type { PeerSession } from './peer-sessions.ts';

/** A prefix in numeric form, so lists sort by address rather than by text. */
export interface Prefix {
  readonly family: IpFamily;
  readonly network: bigint;
  readonly length: number;
  /** Canonical text: "192.0.2.0/24", "2001:db8::/64", always with a length. */
  readonly text: string;
}

/** The prefix of `length` that covers `address` (its host bits cleared). */
export function coveringPrefix(family: IpFamily, address: bigint, length: number): Prefix {
  const hostBits = BigInt(familyBits(family) - length);
  const network = (address >> hostBits) << hostBits;
  return { family, network, length, text: `${formatAddress(family, network)}/${length}` };
}

/** The prefix an advertisement announces for an address: the address itself, or its aggregate. */
export function advertisedPrefix(
  advertisement: Pick<Advertisement, 'aggregationLength' | 'aggregationLengthV6'>,
  family: IpFamily,
  address: bigint,
): Prefix {
  const length = family === 4 ? advertisement.aggregationLength : advertisement.aggregationLengthV6;
  return coveringPrefix(family, address, length);
}

export function comparePrefixes(a: Prefix, b: Prefix): number {
  if (a.family !== b.family) return a.family - b.family;
  if (a.network !== b.network) return a.network < b.network ? -1 : 1;
  return a.length - b.length;
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One advertisement asking for one prefix toward one peer. */
export interface RouteContribution {
  readonly session: PeerSession;
  readonly prefix: Prefix;
  readonly advertisement: Advertisement;
}

/** What one peer gets for one prefix, with the advertisements it came from. */
export interface PeerRoute {
  /** "namespace/name" of the BGPPeer. */
  readonly peer: string;
  readonly prefix: string;
  readonly attributes: RouteAttributes;
  /** "namespace/name" of every BGPAdvertisement that contributed, sorted. */
  readonly advertisements: readonly string[];
}

export interface MergedRoutes {
  /** Sorted by peer, then prefix (numerically). */
  readonly routes: readonly PeerRoute[];
  readonly problems: readonly AnnouncementProblem[];
}

/**
 * Merges contributions per (peer, prefix), deterministically whatever their
 * order: communities and large communities are the union; localPref is sent
 * to iBGP peers only (RFC 4271 §5.1.5) and, when the advertisements disagree,
 * the one of the advertisement first by namespace/name wins and the conflict
 * is reported.
 */
export function mergeContributions(contributions: readonly RouteContribution[]): MergedRoutes {
  const groups = new Map<
    string,
    { session: PeerSession; prefix: Prefix; advertisements: Map<string, Advertisement> }
  >();
  for (const contribution of contributions) {
    const key = `${contribution.session.ref}\u0000${contribution.prefix.text}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = {
        session: contribution.session,
        prefix: contribution.prefix,
        advertisements: new Map(),
      };
      groups.set(key, group);
    }
    const { advertisement } = contribution;
    group.advertisements.set(objectRef(advertisement.namespace, advertisement.name), advertisement);
  }

  const routes: { route: PeerRoute; prefix: Prefix }[] = [];
  const problems: { problem: AnnouncementProblem; prefix: Prefix }[] = [];
  for (const { session, prefix, advertisements } of groups.values()) {
    const refs = [...advertisements.keys()].sort(compareText);
    const standard = new Map<string, BgpCommunity>();
    const large = new Map<string, BgpCommunity>();
    for (const advertisement of advertisements.values()) {
      for (const community of advertisement.communities) {
        const text = communityText(community);
        (community.kind === 'standard' ? standard : large).set(text, community);
      }
    }
    let localPref: number | undefined;
    if (session.peer.ibgp) {
      const withPref = refs.flatMap((ref) => {
        const value = advertisements.get(ref)?.localPref;
        return value === undefined ? [] : [{ ref, value }];
      });
      const first = withPref[0];
      localPref = first?.value;
      if (first !== undefined && withPref.some(({ value }) => value !== first.value)) {
        problems.push({
          problem: {
            reason: 'localPrefConflict',
            peer: session.ref,
            prefix: prefix.text,
            message: `BGPAdvertisements ${withPref.map(({ ref, value }) => `${ref} (localPref ${value})`).join(', ')} apply to ${prefix.text} toward iBGP peer ${session.ref}; using localPref ${first.value} of ${first.ref}`,
          },
          prefix,
        });
      }
    }
    const attributes: RouteAttributes = {
      ...(standard.size > 0 && { communities: sortedTexts(standard) }),
      ...(large.size > 0 && { largeCommunities: sortedTexts(large) }),
      ...(localPref !== undefined && { localPref }),
    };
    routes.push({
      route: { peer: session.ref, prefix: prefix.text, attributes, advertisements: refs },
      prefix,
    });
  }
  routes.sort(
    (a, b) => compareText(a.route.peer, b.route.peer) || comparePrefixes(a.prefix, b.prefix),
  );
  problems.sort(
    (a, b) => compareText(a.problem.peer, b.problem.peer) || comparePrefixes(a.prefix, b.prefix),
  );
  return {
    routes: routes.map(({ route }) => route),
    problems: problems.map(({ problem }) => problem),
  };
}

/** The text forms RouteAttributes take: "a:b" and "global:local1:local2". */
function communityText(community: BgpCommunity): string {
  return community.kind === 'standard'
    ? `${community.asn}:${community.value}`
    : `${community.globalAdministrator}:${community.localData1}:${community.localData2}`;
}

function sortedTexts(communities: ReadonlyMap<string, BgpCommunity>): string[] {
  return [...communities.values()].sort(compareCommunities).map(communityText);
}

/** Drops the sort key: the Route a session is given. */
export function toRoute(route: PeerRoute): Route {
  return { prefix: route.prefix, attributes: route.attributes };
}
