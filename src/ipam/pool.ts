import type { LabelSelector } from '../common/label-selector.ts';
import { formatLabelSelector, matchesAnyLabelSelector } from '../common/label-selector.ts';
import type { AddressRange, IpFamily } from './address.ts';
import { formatAddressRange, rangeSize, rangesOverlap } from './address.ts';
import type { Refusal } from './errors.ts';
import { refusal } from './errors.ts';
import type { ServiceRequest } from './service-request.ts';

/** Which Services a pool is reserved for (MetalLB's `serviceAllocation`). */
export interface ServiceAllocation {
  /** Lower is tried first. Unset (or 0, as in MetalLB) sorts after every set priority. */
  readonly priority?: number | undefined;
  readonly namespaces?: readonly string[] | undefined;
  readonly namespaceSelectors?: readonly LabelSelector[] | undefined;
  readonly serviceSelectors?: readonly LabelSelector[] | undefined;
}

/** An address pool as the allocator sees it (the config layer maps IPAddressPool onto this). */
export interface Pool {
  readonly name: string;
  /** Both families may be mixed in one pool. Ranges must not overlap, here or across pools. */
  readonly ranges: readonly AddressRange[];
  /** Default true. When false, the pool serves only Services that ask for it or its addresses. */
  readonly autoAssign?: boolean | undefined;
  /** Skip IPv4 addresses ending in .0 and .255, which some CPE firmware drops. */
  readonly avoidBuggyIPs?: boolean | undefined;
  /** When set, the pool is tried first for matching Services and never used for others. */
  readonly serviceAllocation?: ServiceAllocation | undefined;
}

export function poolAutoAssigns(pool: Pool): boolean {
  return pool.autoAssign ?? true;
}

/** True for the IPv4 addresses `avoidBuggyIPs` skips: those ending in .0 or .255. */
export function isBuggyAddress(family: IpFamily, value: bigint): boolean {
  if (family !== 4) return false;
  const lastOctet = value & 0xffn;
  return lastOctet === 0n || lastOctet === 0xffn;
}

/** How many addresses 0..n (inclusive) end in .0 or .255; -1 gives 0. */
function buggyUpTo(n: bigint): bigint {
  if (n < 0n) return 0n;
  const endingInZero = n / 256n + 1n;
  const endingIn255 = (n + 1n) / 256n;
  return endingInZero + endingIn255;
}

/** Addresses of `range` the pool may hand out, in O(1) even for a /64. */
export function usableAddressCount(range: AddressRange, avoidBuggyIPs: boolean): bigint {
  const size = rangeSize(range);
  if (!avoidBuggyIPs || range.family !== 4) return size;
  return size - (buggyUpTo(range.last) - buggyUpTo(range.first - 1n));
}

/** The Service fields a pool's serviceAllocation looks at. */
export type ServiceIdentity = Pick<
  ServiceRequest,
  'key' | 'namespace' | 'labels' | 'namespaceLabels'
>;

/**
 * Whether the pool may serve this Service at all; undefined means yes.
 *
 * The namespace condition holds when the namespace is listed or its labels
 * match a namespace selector; the service condition when the Service's labels
 * match a service selector; both must hold when both are given. Unlike
 * MetalLB, namespace selectors that match no namespace do not open the pool
 * to everyone.
 */
export function poolAdmission(pool: Pool, service: ServiceIdentity): Refusal | undefined {
  const allocation = pool.serviceAllocation;
  if (allocation === undefined) return undefined;
  if (!namespaceAdmitted(allocation, service)) {
    const wanted = [
      ...(allocation.namespaces ?? []).map((n) => `namespace ${n}`),
      ...(allocation.namespaceSelectors ?? []).map(
        (s) => `namespaces matching ${formatLabelSelector(s)}`,
      ),
    ];
    return refusal(
      'poolNotAllowedForService',
      `pool ${pool.name} is reserved for ${wanted.join(' or ')}; ${service.key} is in namespace ${service.namespace}`,
    );
  }
  if (!serviceAdmitted(allocation, service)) {
    return refusal(
      'poolNotAllowedForService',
      `pool ${pool.name} is reserved for Services matching ${(allocation.serviceSelectors ?? []).map(formatLabelSelector).join(' or ')}; the labels of ${service.key} match none`,
    );
  }
  return undefined;
}

/** `poolAdmission` as a boolean, without building the refusal text (allocation hot path). */
export function poolAdmits(pool: Pool, service: ServiceIdentity): boolean {
  const allocation = pool.serviceAllocation;
  return (
    allocation === undefined ||
    (namespaceAdmitted(allocation, service) && serviceAdmitted(allocation, service))
  );
}

function namespaceAdmitted(allocation: ServiceAllocation, service: ServiceIdentity): boolean {
  const namespaces = allocation.namespaces ?? [];
  const selectors = allocation.namespaceSelectors ?? [];
  if (namespaces.length === 0 && selectors.length === 0) return true;
  return (
    namespaces.includes(service.namespace) ||
    matchesAnyLabelSelector(selectors, service.namespaceLabels)
  );
}

function serviceAdmitted(allocation: ServiceAllocation, service: ServiceIdentity): boolean {
  const selectors = allocation.serviceSelectors ?? [];
  return selectors.length === 0 || matchesAnyLabelSelector(selectors, service.labels);
}

function effectivePriority(pool: Pool): number {
  const priority = pool.serviceAllocation?.priority;
  return priority === undefined || priority === 0 ? Number.POSITIVE_INFINITY : priority;
}

/** Order of pinned pools: by priority (lower first, unset last), then by name for determinism. */
export function comparePinnedPools(a: Pool, b: Pool): number {
  const byPriority = effectivePriority(a) - effectivePriority(b);
  if (byPriority !== 0 && !Number.isNaN(byPriority)) return byPriority;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Why this pool set cannot be used: duplicate names or overlapping ranges. Empty when fine. */
export function poolSetProblems(pools: readonly Pool[]): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  const all: Array<{ pool: string; range: AddressRange }> = [];
  for (const pool of pools) {
    if (pool.name.length === 0) problems.push('a pool has an empty name');
    if (names.has(pool.name)) problems.push(`pool name ${pool.name} is used twice`);
    names.add(pool.name);
    for (const range of pool.ranges) {
      if (range.first > range.last) {
        problems.push(`pool ${pool.name}: range ${formatAddressRange(range)} is reversed`);
      }
      all.push({ pool: pool.name, range });
    }
  }
  // Sorted by start, overlap detection is O(n log n).
  all.sort((a, b) =>
    a.range.family !== b.range.family
      ? a.range.family - b.range.family
      : a.range.first < b.range.first
        ? -1
        : a.range.first > b.range.first
          ? 1
          : 0,
  );
  // Compared with the range reaching furthest so far, so a long range is checked against all it covers.
  let reach = all[0];
  for (const current of all.slice(1)) {
    if (reach !== undefined && rangesOverlap(reach.range, current.range)) {
      problems.push(
        `${formatAddressRange(current.range)} (pool ${current.pool}) overlaps ${formatAddressRange(reach.range)} (pool ${reach.pool})`,
      );
    }
    if (
      reach === undefined ||
      reach.range.family !== current.range.family ||
      current.range.last > reach.range.last
    ) {
      reach = current;
    }
  }
  return problems;
}
