import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatAddress, rangeSize } from '../ipam/address.ts';
import { parseConfig, type ConfigObjects } from './parse-config.ts';
import { cidrCover } from './parse-pools.ts';
import { advertisement, basicAuthSecret, NS, pool } from './test-fixtures.ts';

const names = fc.constantFrom('a', 'b', 'c', 'default', '');
const fieldNames = fc.constantFrom(
  'addresses',
  'autoAssign',
  'avoidBuggyIPs',
  'serviceAllocation',
  'myASN',
  'peerASN',
  'peerAddress',
  'peerPort',
  'holdTime',
  'keepaliveTime',
  'password',
  'passwordSecret',
  'nodeSelectors',
  'aggregationLength',
  'communities',
  'ipAddressPools',
  'peers',
  'localPref',
);
const plausibleValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(
    '10.0.0.0/24',
    '10.0.0.5-10.0.0.9',
    '2001:db8::/64',
    '127.0.0.1',
    '90s',
    '2s',
    '65000:1',
  ),
  fc.array(fc.constantFrom('10.0.0.0/25', '10.0.0.0/24', '::1', 'x', '65000:100', 'alias'), {
    maxLength: 3,
  }),
  fc.integer({ min: -1, max: 70_000 }),
  fc.array(
    fc.record({
      matchLabels: fc.dictionary(fc.constantFrom('a', 'b/c', '-'), fc.constantFrom('x', '')),
    }),
    {
      maxLength: 2,
    },
  ),
);
/** Objects shaped like configuration objects, with random content where it matters. */
const plausibleObject = fc.record(
  {
    apiVersion: fc.constantFrom('ironlb.dev/v1beta1', 'metallb.io/v1beta1'),
    metadata: fc.record(
      {
        name: names,
        namespace: fc.constantFrom(NS, 'other'),
        labels: fc.dictionary(fc.constantFrom('tier', 'x'), fc.string()),
      },
      { requiredKeys: ['name'] },
    ),
    spec: fc.dictionary(fieldNames, plausibleValue, { maxKeys: 6 }),
  },
  { requiredKeys: ['metadata', 'spec'] },
);
const anyObject = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.anything({ maxDepth: 3 }),
  plausibleObject,
  plausibleObject,
);
const objectList = fc.array(anyObject, { maxLength: 4 });

const configObjects = fc.record({
  ipAddressPools: objectList,
  bgpPeers: objectList,
  bgpAdvertisements: objectList,
  communities: objectList,
});

const lookupSecret = (namespace: string, name: string) =>
  namespace === NS && name === 'a' ? basicAuthSecret('pw') : undefined;

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  let state = seed >>> 0 || 1;
  for (let i = copy.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) >>> 0;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

describe('parseConfig properties', () => {
  it('never throws, and returns either a config or a non-empty list of well-formed errors', () => {
    fc.assert(
      fc.property(configObjects, (objects) => {
        const result = parseConfig({ ...objects, lookupSecret });
        if (result.ok) return;
        assert.ok(result.errors.length > 0);
        for (const error of result.errors) {
          for (const key of ['code', 'kind', 'namespace', 'name', 'field', 'reason'] as const) {
            assert.equal(typeof error[key], 'string', key);
          }
          assert.match(error.code, /^IRONLB_ERR_CONFIG_/);
          assert.notEqual(error.reason, '');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic, and independent of the order of the objects', () => {
    fc.assert(
      fc.property(configObjects, fc.integer(), (objects, seed) => {
        const first = parseConfig({ ...objects, lookupSecret });
        assert.deepEqual(parseConfig({ ...objects, lookupSecret }), first);
        const reordered: ConfigObjects = {
          ipAddressPools: shuffled(objects.ipAddressPools, seed),
          bgpPeers: shuffled(objects.bgpPeers, seed + 1),
          bgpAdvertisements: shuffled(objects.bgpAdvertisements, seed + 2),
          communities: shuffled(objects.communities, seed + 3),
          lookupSecret,
        };
        assert.deepEqual(parseConfig(reordered), first);
      }),
      { numRuns: 200 },
    );
  });

  it('reports an overlap exactly when two ranges of any pools overlap', () => {
    const range = fc
      .tuple(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 8 }))
      .map(([start, length]) => [start, Math.min(63, start + length)] as const);
    fc.assert(
      fc.property(
        fc.array(fc.array(range, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 }),
        (pools) => {
          const all = pools.flat();
          let overlapping = false;
          for (let i = 0; i < all.length; i++) {
            for (let j = i + 1; j < all.length; j++) {
              if (all[i]![0] <= all[j]![1] && all[j]![0] <= all[i]![1]) overlapping = true;
            }
          }
          const result = parseConfig({
            ipAddressPools: pools.map((ranges, p) =>
              pool(`pool-${p}`, { addresses: ranges.map(([a, b]) => `192.0.2.${a}-192.0.2.${b}`) }),
            ),
          });
          const overlapErrors = result.ok
            ? []
            : result.errors.filter((e) => e.code === 'IRONLB_ERR_CONFIG_POOL_OVERLAP');
          assert.equal(overlapErrors.length > 0, overlapping);
          assert.equal(result.ok, !overlapping);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses an aggregation length exactly when it is shorter than the pool prefix', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 8, max: 32 }),
        fc.integer({ min: 1, max: 32 }),
        (prefix, aggregation) => {
          const result = parseConfig({
            ipAddressPools: [pool('p', { addresses: [`10.0.0.0/${prefix}`] })],
            bgpAdvertisements: [advertisement('a', { aggregationLength: aggregation })],
          });
          assert.equal(result.ok, aggregation >= prefix);
        },
      ),
    );
  });
});

describe('cidrCover', () => {
  it('covers a range exactly with aligned blocks, none of which could be merged with the next', () => {
    const family = fc.constantFrom(4 as const, 6 as const);
    fc.assert(
      fc.property(
        family,
        fc.bigInt(0n, 2n ** 32n - 1n),
        fc.bigInt(0n, 2n ** 20n),
        (fam, start, length) => {
          const max = fam === 4 ? 2n ** 32n - 1n : 2n ** 128n - 1n;
          const first = start;
          const last = first + length > max ? max : first + length;
          const cidrs = cidrCover({ family: fam, first, last });
          const bits = fam === 4 ? 32 : 128;
          let next = first;
          for (const cidr of cidrs) {
            const size = 1n << BigInt(bits - cidr.prefixLength);
            assert.equal(cidr.address, next, formatAddress(fam, next));
            assert.equal(cidr.address % size, 0n, 'aligned');
            next += size;
          }
          assert.equal(next - 1n, last);
          const total = cidrs.reduce((sum, c) => sum + (1n << BigInt(bits - c.prefixLength)), 0n);
          assert.equal(total, rangeSize({ family: fam, first, last }));
          // A minimal cover has at most two blocks of each size.
          const perLength = new Map<number, number>();
          for (const c of cidrs)
            perLength.set(c.prefixLength, (perLength.get(c.prefixLength) ?? 0) + 1);
          for (const count of perLength.values()) assert.ok(count <= 2);
        },
      ),
    );
  });

  it('gives one block for a CIDR, also the whole address space', () => {
    assert.deepEqual(cidrCover({ family: 4, first: 0n, last: 2n ** 32n - 1n }), [
      { family: 4, address: 0n, prefixLength: 0 },
    ]);
    assert.deepEqual(cidrCover({ family: 6, first: 5n, last: 5n }), [
      { family: 6, address: 5n, prefixLength: 128 },
    ]);
  });
});
