import { objectRef, type Advertisement, type IronlbConfig, type Pool } from '../config/index.ts';
import type { IpFamily } from '../ipam/address.ts';

interface IndexedRange {
  readonly first: bigint;
  readonly last: bigint;
  readonly pool: Pool;
}

/**
 * Lookups the decision makes for every address, built once per configuration
 * (cached on the config object, which is immutable): the pool of an address
 * by binary search, the advertisements of a pool, advertisements by reference.
 */
export interface ConfigIndex {
  readonly config: IronlbConfig;
  poolOf(family: IpFamily, address: bigint): Pool | undefined;
  /** Advertisements (same namespace as the pool) that name the pool, sorted by namespace/name. */
  advertisementsOf(pool: Pool): readonly Advertisement[];
  /** By "namespace/name". */
  advertisement(ref: string): Advertisement | undefined;
}

const cache = new WeakMap<IronlbConfig, ConfigIndex>();

export function configIndex(config: IronlbConfig): ConfigIndex {
  let index = cache.get(config);
  if (index === undefined) {
    index = buildIndex(config);
    cache.set(config, index);
  }
  return index;
}

function buildIndex(config: IronlbConfig): ConfigIndex {
  const ranges: Record<IpFamily, IndexedRange[]> = { 4: [], 6: [] };
  for (const pool of config.pools) {
    for (const range of pool.ranges) {
      ranges[range.family].push({ first: range.first, last: range.last, pool });
    }
  }
  // Pool ranges never overlap (the parse refuses it), so sorting by start is a total order.
  for (const family of [4, 6] as const) {
    ranges[family].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  }

  const advertisementsByPool = new Map<string, Advertisement[]>();
  for (const advertisement of config.advertisements) {
    for (const poolName of advertisement.pools) {
      const key = objectRef(advertisement.namespace, poolName);
      const list = advertisementsByPool.get(key);
      if (list === undefined) advertisementsByPool.set(key, [advertisement]);
      else list.push(advertisement);
    }
  }

  const advertisements = new Map<string, Advertisement>();
  for (const advertisement of config.advertisements) {
    advertisements.set(objectRef(advertisement.namespace, advertisement.name), advertisement);
  }

  return {
    config,
    poolOf(family, address) {
      const list = ranges[family];
      let low = 0;
      let high = list.length - 1;
      while (low <= high) {
        const mid = (low + high) >> 1;
        const range = list[mid]!;
        if (address < range.first) high = mid - 1;
        else if (address > range.last) low = mid + 1;
        else return range.pool;
      }
      return undefined;
    },
    advertisementsOf(pool) {
      return advertisementsByPool.get(objectRef(pool.namespace, pool.name)) ?? [];
    },
    advertisement(ref) {
      return advertisements.get(ref);
    },
  };
}
