import {
  familyBits,
  formatAddressRange,
  parseAddressRange,
  type AddressRange,
  type IpFamily,
} from '../ipam/address.ts';
import { configError, objectRef, type ConfigError, type ObjectIdentity } from './config-error.ts';
import type { Cidr, Pool, PoolRange, ServiceAllocation } from './config-types.ts';
import { ConfigErrors } from './errors.ts';
import { compareStrings, fieldPath } from './field-path.ts';
import { normaliseSelectors } from './parse-selectors.ts';
import { Defaults } from './schema/common.ts';
import type { IPAddressPoolSpec } from './schema/ip-address-pool.ts';
import type { Labels } from './label-selector.ts';

export interface ValidPoolObject {
  readonly identity: ObjectIdentity;
  readonly spec: IPAddressPoolSpec;
  readonly labels: Labels;
}

/** The number of bits of `value` (floor(log2(value)) + 1 for value > 0). */
function bitLength(value: bigint): number {
  return value === 0n ? 0 : value.toString(2).length;
}

/** The fewest CIDR blocks covering exactly [first, last]. */
export function cidrCover(range: AddressRange): Cidr[] {
  const bits = familyBits(range.family);
  const cidrs: Cidr[] = [];
  let first = range.first;
  while (first <= range.last) {
    // The largest block aligned at `first` (trailing zero bits) that does not pass `last`.
    const alignment = first === 0n ? bits : bitLength(first & -first) - 1;
    const fits = bitLength(range.last - first + 1n) - 1;
    const hostBits = Math.min(alignment, fits);
    cidrs.push({ family: range.family, address: first, prefixLength: bits - hostBits });
    first += 1n << BigInt(hostBits);
  }
  return cidrs;
}

/** How many addresses in [first, last] end in .0 or .255 (IPv4 only). */
function buggyAddressCount(range: AddressRange): bigint {
  if (range.family !== 4) return 0n;
  // Count of x in [0, n] with x mod 256 in {0, 255}.
  const upTo = (n: bigint): bigint =>
    n < 0n ? 0n : (n / 256n) * 2n + 1n + (n % 256n === 255n ? 1n : 0n);
  return upTo(range.last) - upTo(range.first - 1n);
}

interface RangeEntry {
  readonly range: PoolRange;
  readonly identity: ObjectIdentity;
}

function compareEntries(a: RangeEntry, b: RangeEntry): number {
  if (a.range.family !== b.range.family) return a.range.family - b.range.family;
  if (a.range.first !== b.range.first) return a.range.first < b.range.first ? -1 : 1;
  if (a.range.last !== b.range.last) return a.range.last < b.range.last ? -1 : 1;
  return (
    compareStrings(a.identity.namespace, b.identity.namespace) ||
    compareStrings(a.identity.name, b.identity.name) ||
    a.range.index - b.range.index
  );
}

function describeEntry(entry: RangeEntry, from: ObjectIdentity): string {
  const where =
    entry.identity.namespace === from.namespace && entry.identity.name === from.name
      ? 'of the same pool'
      : `of IPAddressPool ${objectRef(entry.identity.namespace, entry.identity.name)}`;
  return `spec.addresses[${entry.range.index}] "${entry.range.text}" ${where}`;
}

/**
 * Overlaps within and between pools, found in one sorted sweep: each range is
 * compared with the earlier range that reaches furthest. Every range that
 * overlaps an earlier one gets an error naming it.
 */
function overlapErrors(entries: RangeEntry[]): ConfigError[] {
  const errors: ConfigError[] = [];
  const sorted = [...entries].sort(compareEntries);
  let reach: RangeEntry | undefined;
  for (const entry of sorted) {
    if (reach !== undefined && reach.range.family === entry.range.family) {
      if (entry.range.first <= reach.range.last) {
        errors.push(
          configError(
            entry.identity,
            ConfigErrors.IRONLB_ERR_CONFIG_POOL_OVERLAP,
            fieldPath(['spec', 'addresses', entry.range.index]),
            `"${entry.range.text}" overlaps ${describeEntry(reach, entry.identity)}`,
          ),
        );
      }
      if (entry.range.last > reach.range.last) reach = entry;
    } else {
      reach = entry;
    }
  }
  return errors;
}

function parseServiceAllocation(
  identity: ObjectIdentity,
  spec: NonNullable<IPAddressPoolSpec['serviceAllocation']>,
  errors: ConfigError[],
): ServiceAllocation {
  const base = ['spec', 'serviceAllocation'];
  return {
    priority: spec.priority,
    namespaces: [...new Set(spec.namespaces ?? [])].sort(compareStrings),
    namespaceSelectors: normaliseSelectors(
      identity,
      [...base, 'namespaceSelectors'],
      spec.namespaceSelectors,
      errors,
    ),
    serviceSelectors: normaliseSelectors(
      identity,
      [...base, 'serviceSelectors'],
      spec.serviceSelectors,
      errors,
    ),
  };
}

/**
 * Parses the schema-valid pools: ranges, overlaps, counts. Returns the pools
 * that are fully valid (keyed `namespace/name`) and the errors.
 */
export function parsePools(objects: readonly ValidPoolObject[]): {
  pools: Map<string, Pool>;
  errors: ConfigError[];
} {
  const errors: ConfigError[] = [];
  const entries: RangeEntry[] = [];
  const candidates: { pool: Pool; errorCount: number }[] = [];
  for (const { identity, spec, labels } of objects) {
    const before = errors.length;
    const ranges: PoolRange[] = [];
    spec.addresses.forEach((text, index) => {
      const parsed = parseAddressRange(text);
      if (!parsed.ok) {
        errors.push(
          configError(
            identity,
            ConfigErrors.IRONLB_ERR_CONFIG_BAD_ADDRESS,
            fieldPath(['spec', 'addresses', index]),
            parsed.reason,
          ),
        );
        return;
      }
      const range: PoolRange = { ...parsed.value, text, index, cidrs: cidrCover(parsed.value) };
      ranges.push(range);
      entries.push({ range, identity });
    });
    const avoidBuggyIPs = spec.avoidBuggyIPs ?? Defaults.avoidBuggyIPs;
    const count: Record<IpFamily, bigint> = { 4: 0n, 6: 0n };
    for (const range of ranges) {
      count[range.family] +=
        range.last - range.first + 1n - (avoidBuggyIPs ? buggyAddressCount(range) : 0n);
    }
    const serviceAllocation =
      spec.serviceAllocation === undefined
        ? undefined
        : parseServiceAllocation(identity, spec.serviceAllocation, errors);
    candidates.push({
      errorCount: errors.length - before,
      pool: {
        namespace: identity.namespace,
        name: identity.name,
        labels,
        ranges,
        autoAssign: spec.autoAssign ?? Defaults.autoAssign,
        avoidBuggyIPs,
        serviceAllocation,
        addressCount: { ipv4: count[4], ipv6: count[6] },
      },
    });
  }
  const overlaps = overlapErrors(entries);
  errors.push(...overlaps);
  const overlapping = new Set(overlaps.map((e) => objectRef(e.namespace, e.name)));
  const pools = new Map<string, Pool>();
  for (const { pool, errorCount } of candidates) {
    const key = objectRef(pool.namespace, pool.name);
    if (errorCount === 0 && !overlapping.has(key)) pools.set(key, pool);
  }
  return { pools, errors };
}

/** The text of a CIDR, e.g. for error messages. */
export function formatCidr(cidr: Cidr): string {
  return formatAddressRange({
    family: cidr.family,
    first: cidr.address,
    last: cidr.address + (1n << BigInt(familyBits(cidr.family) - cidr.prefixLength)) - 1n,
  });
}
