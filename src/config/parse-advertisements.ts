import {
  compareCommunities,
  formatCommunity,
  looksLikeCommunity,
  parseCommunity,
  type BgpCommunity,
} from './community.ts';
import { configError, objectRef, type ConfigError, type ObjectIdentity } from './config-error.ts';
import type { Advertisement, Peer, Pool } from './config-types.ts';
import { ConfigErrors } from './errors.ts';
import { compareStrings, fieldPath } from './field-path.ts';
import { anySelectorMatches, selectorListsCertainlyOverlap } from './label-selector.ts';
import type { CommunityAliases } from './parse-communities.ts';
import { formatCidr } from './parse-pools.ts';
import { normaliseSelectors } from './parse-selectors.ts';
import type { BGPAdvertisementSpec } from './schema/bgp-advertisement.ts';
import { Defaults } from './schema/common.ts';

export interface ValidAdvertisementObject {
  readonly identity: ObjectIdentity;
  readonly spec: BGPAdvertisementSpec;
}

export interface AdvertisementContext {
  /** Valid pools, keyed `namespace/name`. */
  readonly pools: ReadonlyMap<string, Pool>;
  /** Every pool object given, valid or not, keyed `namespace/name` (for "does not exist"). */
  readonly poolNames: ReadonlySet<string>;
  readonly peers: ReadonlyMap<string, Peer>;
  readonly peerNames: ReadonlySet<string>;
  readonly aliases: CommunityAliases;
}

/** Groups by namespace once, so resolving each advertisement does not scan everything. */
function byNamespace<T extends { namespace: string }>(
  items: ReadonlyMap<string, T>,
): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items.values()) {
    const group = groups.get(item.namespace);
    if (group === undefined) groups.set(item.namespace, [item]);
    else group.push(item);
  }
  return groups;
}

function resolveCommunities(
  identity: ObjectIdentity,
  texts: readonly string[],
  aliases: CommunityAliases,
  errors: ConfigError[],
): BgpCommunity[] {
  const resolved = new Map<string, BgpCommunity>();
  texts.forEach((text, index) => {
    const field = fieldPath(['spec', 'communities', index]);
    let community: BgpCommunity | undefined;
    if (looksLikeCommunity(text)) {
      const parsed = parseCommunity(text);
      if (parsed.ok) community = parsed.value;
      else
        errors.push(
          configError(
            identity,
            ConfigErrors.IRONLB_ERR_CONFIG_COMMUNITY_FORMAT,
            field,
            parsed.reason,
          ),
        );
    } else {
      const table = aliases.get(identity.namespace);
      community = table?.get(text);
      if (community === undefined) {
        errors.push(
          configError(
            identity,
            ConfigErrors.IRONLB_ERR_CONFIG_UNKNOWN_COMMUNITY,
            field,
            `"${text}" is neither a community ("65000:100", "large:65000:1:2") nor an alias defined by a Community in namespace "${identity.namespace}"`,
          ),
        );
      }
    }
    if (community !== undefined) resolved.set(formatCommunity(community), community);
  });
  return [...resolved.values()].sort(compareCommunities);
}

/**
 * MetalLB's rule, applied to every CIDR of the pool's ranges: an aggregate
 * shorter than a CIDR of the pool would announce addresses outside it.
 * (MetalLB accepts a range entry when any one CIDR of its cover fits; ironlb
 * requires all of them to, for the same reason.)
 */
function aggregationErrors(
  identity: ObjectIdentity,
  advertisement: Pick<Advertisement, 'aggregationLength' | 'aggregationLengthV6'>,
  pool: Pool,
  errors: ConfigError[],
): void {
  const longest = longestPrefixes(pool);
  for (const family of [4, 6] as const) {
    const length =
      family === 4 ? advertisement.aggregationLength : advertisement.aggregationLengthV6;
    if (longest[family] <= length) continue; // the common case, without scanning
    const field = family === 4 ? 'spec.aggregationLength' : 'spec.aggregationLengthV6';
    for (const range of pool.ranges) {
      if (range.family !== family) continue;
      const tooSpecific = range.cidrs.find((cidr) => cidr.prefixLength > length);
      if (tooSpecific !== undefined) {
        errors.push(
          configError(
            identity,
            ConfigErrors.IRONLB_ERR_CONFIG_AGGREGATION_LENGTH,
            field,
            `${length} is shorter than the prefix ${formatCidr(tooSpecific)} of IPAddressPool ${objectRef(pool.namespace, pool.name)} (spec.addresses[${range.index}] "${range.text}"): the aggregate would cover addresses outside the pool`,
          ),
        );
        break; // one error per pool and family is enough to act on
      }
    }
  }
}

const longestPrefixCache = new WeakMap<Pool, Record<4 | 6, number>>();

/** The longest prefix among the CIDRs of a pool, per family (0 without addresses). */
function longestPrefixes(pool: Pool): Record<4 | 6, number> {
  let longest = longestPrefixCache.get(pool);
  if (longest === undefined) {
    longest = { 4: 0, 6: 0 };
    for (const range of pool.ranges) {
      for (const cidr of range.cidrs) {
        longest[range.family] = Math.max(longest[range.family], cidr.prefixLength);
      }
    }
    longestPrefixCache.set(pool, longest);
  }
  return longest;
}

interface Groups {
  readonly pools: ReadonlyMap<string, readonly Pool[]>;
  readonly peers: ReadonlyMap<string, readonly Peer[]>;
}

function parseAdvertisement(
  { identity, spec }: ValidAdvertisementObject,
  context: AdvertisementContext,
  groups: Groups,
  errors: ConfigError[],
): Advertisement | undefined {
  const before = errors.length;
  const { namespace } = identity;
  const ipAddressPoolSelectors = normaliseSelectors(
    identity,
    ['spec', 'ipAddressPoolSelectors'],
    spec.ipAddressPoolSelectors,
    errors,
  );
  const nodeSelectors = normaliseSelectors(
    identity,
    ['spec', 'nodeSelectors'],
    spec.nodeSelectors,
    errors,
  );
  const serviceSelectors = normaliseSelectors(
    identity,
    ['spec', 'serviceSelectors'],
    spec.serviceSelectors,
    errors,
  );

  const poolNames = new Set<string>();
  (spec.ipAddressPools ?? []).forEach((name, index) => {
    if (!context.poolNames.has(objectRef(namespace, name))) {
      errors.push(
        configError(
          identity,
          ConfigErrors.IRONLB_ERR_CONFIG_UNKNOWN_POOL,
          fieldPath(['spec', 'ipAddressPools', index]),
          `IPAddressPool "${name}" does not exist in namespace "${namespace}"`,
        ),
      );
    }
    poolNames.add(name);
  });
  const namespacePools = groups.pools.get(namespace) ?? [];
  const selectsAll =
    (spec.ipAddressPools ?? []).length === 0 && (spec.ipAddressPoolSelectors ?? []).length === 0;
  for (const pool of namespacePools) {
    if (
      selectsAll ||
      (ipAddressPoolSelectors.length > 0 && anySelectorMatches(ipAddressPoolSelectors, pool.labels))
    ) {
      poolNames.add(pool.name);
    }
  }

  const peerNames = new Set<string>();
  (spec.peers ?? []).forEach((name, index) => {
    if (!context.peerNames.has(objectRef(namespace, name))) {
      errors.push(
        configError(
          identity,
          ConfigErrors.IRONLB_ERR_CONFIG_UNKNOWN_PEER,
          fieldPath(['spec', 'peers', index]),
          `BGPPeer "${name}" does not exist in namespace "${namespace}"`,
        ),
      );
    }
    peerNames.add(name);
  });
  if (peerNames.size === 0)
    for (const peer of groups.peers.get(namespace) ?? []) peerNames.add(peer.name);

  const communities = resolveCommunities(identity, spec.communities ?? [], context.aliases, errors);
  const lengths = {
    aggregationLength: spec.aggregationLength ?? Defaults.aggregationLength,
    aggregationLengthV6: spec.aggregationLengthV6 ?? Defaults.aggregationLengthV6,
  };
  for (const name of [...poolNames].sort(compareStrings)) {
    const pool = context.pools.get(objectRef(namespace, name));
    if (pool !== undefined) aggregationErrors(identity, lengths, pool, errors);
  }
  if (errors.length > before) return undefined;
  return {
    namespace,
    name: identity.name,
    ...lengths,
    localPref: spec.localPref,
    communities,
    pools: [...poolNames].sort(compareStrings),
    peers: [...peerNames].sort(compareStrings),
    nodeSelectors,
    serviceSelectors,
  };
}

function firstCommon(a: readonly string[], b: ReadonlySet<string>): string | undefined {
  return a.find((x) => b.has(x));
}

/**
 * Conflicting localPref between two advertisements is reported when they
 * certainly meet: a common pool, a common peer, and node and Service
 * selectors that certainly overlap (see selectorListsCertainlyOverlap).
 * Selectors that only might overlap (e.g. different labels that happen to be
 * on the same node) cannot be decided here; the speaker must check the
 * advertisements that actually apply to one address.
 */
function localPrefConflicts(advertisements: readonly Advertisement[]): ConfigError[] {
  const errors: ConfigError[] = [];
  const withPref = advertisements
    .filter((a) => a.localPref !== undefined)
    .map((a) => ({ ...a, poolSet: new Set(a.pools), peerSet: new Set(a.peers) }));
  for (let j = 0; j < withPref.length; j++) {
    const later = withPref[j]!;
    for (let i = 0; i < j; i++) {
      const earlier = withPref[i]!;
      if (earlier.namespace !== later.namespace || earlier.localPref === later.localPref) continue;
      const pool = firstCommon(later.pools, earlier.poolSet);
      const peer = firstCommon(later.peers, earlier.peerSet);
      if (pool === undefined || peer === undefined) continue;
      if (!selectorListsCertainlyOverlap(earlier.nodeSelectors, later.nodeSelectors)) continue;
      if (!selectorListsCertainlyOverlap(earlier.serviceSelectors, later.serviceSelectors))
        continue;
      errors.push(
        configError(
          { kind: 'BGPAdvertisement', namespace: later.namespace, name: later.name },
          ConfigErrors.IRONLB_ERR_CONFIG_LOCAL_PREF_CONFLICT,
          'spec.localPref',
          `${later.localPref} conflicts with localPref ${earlier.localPref} of BGPAdvertisement ${objectRef(earlier.namespace, earlier.name)}: both apply to IPAddressPool "${pool}" and BGPPeer "${peer}" on the same nodes`,
        ),
      );
      break;
    }
  }
  return errors;
}

export function parseAdvertisements(
  objects: readonly ValidAdvertisementObject[],
  context: AdvertisementContext,
): { advertisements: Advertisement[]; errors: ConfigError[] } {
  const errors: ConfigError[] = [];
  const advertisements: Advertisement[] = [];
  const groups: Groups = { pools: byNamespace(context.pools), peers: byNamespace(context.peers) };
  for (const object of objects) {
    const advertisement = parseAdvertisement(object, context, groups, errors);
    if (advertisement !== undefined) advertisements.push(advertisement);
  }
  advertisements.sort(
    (a, b) => compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name),
  );
  errors.push(...localPrefConflicts(advertisements));
  return { advertisements, errors };
}
