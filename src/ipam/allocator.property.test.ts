/**
 * Random histories of Service creates/updates/deletes, pool edits and time,
 * checked after every step against rules written out independently here,
 * and finally replayed into a fresh allocator as a restarted controller would.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { address, assignmentTexts, pool, texts } from '../../test/support/ipam-fixtures.ts';
import type { Address, AddressRange } from './address.ts';
import { formatAddress, rangeContains } from './address.ts';
import type { Assignment } from './allocator.ts';
import { IpAllocator } from './allocator.ts';
import type { Pool, ServiceAllocation } from './pool.ts';
import { isBuggyAddress, poolAdmits } from './pool.ts';
import type { IpFamilyPolicy, ServicePort, ServiceRequest } from './service-request.ts';
import { familyWish } from './service-request.ts';

// Ranges that never overlap one another, so any assignment of them to pools is a valid pool set.
const rangeTexts = [
  '192.0.2.0/29',
  '192.0.2.8/30',
  '198.51.100.0/30',
  '198.51.100.4/31',
  '10.0.0.254-10.0.1.1',
  '2001:db8::/126',
  '2001:db8:1::/127',
];
const addressTexts = [
  '192.0.2.1',
  '192.0.2.9',
  '198.51.100.2',
  '10.0.1.0',
  '10.0.0.254',
  '203.0.113.9',
  '2001:db8::1',
  '2001:db8:1::1',
  '2001:db8:9::1',
];
const poolNames = ['a', 'b', 'c'] as const;
const serviceNames = ['s1', 's2', 's3', 's4', 's5'];
const allPorts: ServicePort[] = [
  { protocol: 'TCP', port: 80 },
  { protocol: 'TCP', port: 443 },
  { protocol: 'UDP', port: 53 },
];
const namespaceLabels: Record<string, Record<string, string>> = { ns1: { env: 'prod' }, ns2: {} };

const serviceAllocation: fc.Arbitrary<ServiceAllocation | undefined> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  fc.record({ priority: fc.integer({ min: 0, max: 2 }), namespaces: fc.constant(['ns1']) }),
  fc.record({
    priority: fc.integer({ min: 0, max: 2 }),
    serviceSelectors: fc.constant([{ matchLabels: { tier: 'gold' } }]),
  }),
  fc.record({ namespaceSelectors: fc.constant([{ matchLabels: { env: 'prod' } }]) }),
);

const poolSet: fc.Arbitrary<Pool[]> = fc
  .record({
    owners: fc.array(fc.constantFrom(...poolNames, undefined), {
      minLength: rangeTexts.length,
      maxLength: rangeTexts.length,
    }),
    flags: fc.array(
      fc.record({
        autoAssign: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, fc.constant(false)),
        avoidBuggyIPs: fc.boolean(),
        serviceAllocation,
      }),
      { minLength: poolNames.length, maxLength: poolNames.length },
    ),
  })
  .map(({ owners, flags }) =>
    poolNames.flatMap((name, index) => {
      const ranges = rangeTexts.filter((_, i) => owners[i] === name);
      const { serviceAllocation: allocation, ...rest } = flags[index]!;
      return ranges.length === 0 && index > 0
        ? []
        : [
            pool(
              name,
              ranges,
              allocation === undefined ? rest : { ...rest, serviceAllocation: allocation },
            ),
          ];
    }),
  );

const familyChoice: fc.Arbitrary<{ ipFamilies: Array<4 | 6>; ipFamilyPolicy: IpFamilyPolicy }> =
  fc.constantFrom(
    { ipFamilies: [4], ipFamilyPolicy: 'SingleStack' },
    { ipFamilies: [6], ipFamilyPolicy: 'SingleStack' },
    { ipFamilies: [4, 6], ipFamilyPolicy: 'PreferDualStack' },
    { ipFamilies: [6, 4], ipFamilyPolicy: 'PreferDualStack' },
    { ipFamilies: [4, 6], ipFamilyPolicy: 'RequireDualStack' },
    { ipFamilies: [6, 4], ipFamilyPolicy: 'RequireDualStack' },
  );

const serviceRequest: fc.Arbitrary<ServiceRequest> = fc
  .record({
    name: fc.constantFrom(...serviceNames),
    namespace: fc.constantFrom('ns1', 'ns2'),
    tier: fc.constantFrom('gold', 'iron', undefined),
    requestedPool: fc.oneof(
      { weight: 6, arbitrary: fc.constant(undefined) },
      fc.constantFrom('a', 'b', 'missing'),
    ),
    requestedIPs: fc.oneof(
      { weight: 6, arbitrary: fc.constant([] as string[]) },
      fc.subarray(addressTexts, { minLength: 1, maxLength: 2 }),
    ),
    // Mostly one key, so that sharing (and its refusals) happens often.
    sharingKey: fc.oneof(
      { weight: 1, arbitrary: fc.constant(undefined) },
      { weight: 3, arbitrary: fc.constant('k1') },
      { weight: 1, arbitrary: fc.constant('k2') },
    ),
    ports: fc.subarray(allPorts, { minLength: 1, maxLength: 2 }),
    externalTrafficPolicy: fc.oneof(
      { weight: 3, arbitrary: fc.constant('Cluster' as const) },
      { weight: 1, arbitrary: fc.constant('Local' as const) },
    ),
    app: fc.constantFrom('x', 'y'),
    families: familyChoice,
  })
  .map((r) => ({
    key: `${r.namespace}/${r.name}`,
    namespace: r.namespace,
    labels: r.tier === undefined ? {} : { tier: r.tier },
    namespaceLabels: namespaceLabels[r.namespace]!,
    requestedIPs: r.requestedIPs.map(address),
    requestedPool: r.requestedPool,
    sharingKey: r.sharingKey,
    ports: r.ports,
    externalTrafficPolicy: r.externalTrafficPolicy,
    selector: { app: r.app },
    ...r.families,
  }));

type Op =
  | { kind: 'upsert'; service: ServiceRequest }
  | { kind: 'delete'; name: string; namespace: string }
  | { kind: 'pools'; pools: Pool[] }
  | { kind: 'advance'; ms: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: serviceRequest.map((service) => ({ kind: 'upsert' as const, service })) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('delete' as const),
      name: fc.constantFrom(...serviceNames),
      namespace: fc.constantFrom('ns1', 'ns2'),
    }),
  },
  { weight: 1, arbitrary: poolSet.map((pools) => ({ kind: 'pools' as const, pools })) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1, max: 200 }).map((ms) => ({ kind: 'advance' as const, ms })),
  },
);

// ---- the rules, written out independently of the allocator -----------------

function mayShare(a: ServiceRequest, b: ServiceRequest): boolean {
  if (a.sharingKey === undefined || a.sharingKey !== b.sharingKey) return false;
  const ports = (s: ServiceRequest) => s.ports.map((p) => `${p.protocol}/${p.port}`);
  if (ports(a).some((p) => ports(b).includes(p))) return false;
  if (a.externalTrafficPolicy === 'Local' || b.externalTrafficPolicy === 'Local') {
    return (
      a.externalTrafficPolicy === b.externalTrafficPolicy &&
      JSON.stringify(a.selector) === JSON.stringify(b.selector)
    );
  }
  return true;
}

function inPool(p: Pool, a: Address): boolean {
  if ((p.avoidBuggyIPs ?? false) && isBuggyAddress(a.family, a.value)) return false;
  return p.ranges.some((r: AddressRange) => rangeContains(r, a.family, a.value));
}

function addressKey(a: Address): string {
  return `${a.family}|${formatAddress(a.family, a.value)}`;
}

function checkInvariants(
  allocator: IpAllocator,
  pools: readonly Pool[],
  requests: ReadonlyMap<string, ServiceRequest>,
): void {
  const holders = new Map<string, string[]>();
  for (const assignment of allocator.assignments()) {
    const request = requests.get(assignment.key);
    assert.ok(request, `${assignment.key} holds addresses but was deleted`);
    const wish = familyWish(request);
    const families = assignment.addresses.map((a) => a.family);
    assert.ok(families.length > 0, `${assignment.key}: an assignment has addresses`);
    assert.equal(new Set(families).size, families.length, `${assignment.key}: one per family`);
    for (const f of families)
      assert.ok(wish.families.includes(f), `${assignment.key}: family ${f}`);
    if (wish.need === 'all') assert.equal(families.length, wish.families.length);
    const owner = pools.find((p) => p.name === assignment.pool);
    assert.ok(owner, `${assignment.key}: pool ${assignment.pool} exists`);
    assert.ok(poolAdmits(owner, request), `${assignment.key}: pool ${owner.name} admits it`);
    for (const a of assignment.addresses) {
      assert.ok(inPool(owner, a), `${assignment.key}: ${texts([a]).join()} lies in ${owner.name}`);
      const list = holders.get(addressKey(a)) ?? [];
      list.push(assignment.key);
      holders.set(addressKey(a), list);
    }
    if (request.requestedPool !== undefined) assert.equal(assignment.pool, request.requestedPool);
    if (request.requestedIPs.length > 0) {
      assert.deepEqual(
        [...texts(request.requestedIPs)].sort(),
        [...assignmentTexts(assignment)].sort(),
        `${assignment.key} holds what it requested`,
      );
    }
  }
  for (const assignment of allocator.assignments()) {
    for (const a of assignment.addresses) {
      const keys = holders.get(addressKey(a))!.sort();
      assert.deepEqual(allocator.holdersOf(a), keys);
      for (const x of keys) {
        for (const y of keys) {
          if (x < y) {
            assert.ok(
              mayShare(requests.get(x)!, requests.get(y)!),
              `${x} and ${y} may not share ${texts([a]).join()}`,
            );
          }
        }
      }
    }
  }
  for (const p of pools) {
    const status = allocator.poolStatus(p.name)!;
    for (const family of [4, 6] as const) {
      let total = 0n;
      for (const r of p.ranges.filter((r) => r.family === family)) {
        for (let v = r.first; v <= r.last; v++) if (inPool(p, { family, value: v })) total++;
      }
      const assigned = [...holders.keys()].filter((k) => {
        const [fam, text] = k.split('|') as [string, string];
        return Number(fam) === family && inPool(p, address(text));
      }).length;
      const counts = family === 4 ? status.ipv4 : status.ipv6;
      assert.deepEqual(counts, {
        total,
        assigned: BigInt(assigned),
        available: total - BigInt(assigned),
      });
    }
  }
}

function replay(
  pools: readonly Pool[],
  requests: ReadonlyMap<string, ServiceRequest>,
  assignments: readonly Assignment[],
): void {
  const fresh = new IpAllocator({ now: () => 0 });
  fresh.setPools(pools);
  for (const assignment of assignments) {
    const outcome = fresh.registerExisting(requests.get(assignment.key)!, assignment.addresses);
    assert.ok(
      outcome.ok,
      `re-registering ${assignment.key}: ${outcome.ok ? '' : outcome.refusal.message}`,
    );
    assert.deepEqual(outcome.dropped, []);
  }
  assert.deepEqual(fresh.assignments(), assignments, 'a restart reproduces every assignment');
  // Allocating after registration never moves anything (it may only add a family).
  for (const assignment of assignments) {
    const outcome = fresh.allocate(requests.get(assignment.key)!);
    assert.ok(outcome.ok);
    assert.ok(outcome.change === 'unchanged' || outcome.change === 'extended', outcome.change);
    for (const a of assignment.addresses) {
      assert.ok(
        outcome.assignment.addresses.some((b) => b.family === a.family && b.value === a.value),
        `${assignment.key} keeps ${texts([a]).join()}`,
      );
    }
  }
}

describe('IpAllocator properties', () => {
  it('random histories keep every rule, and a restart reproduces the assignments', () => {
    fc.assert(
      fc.property(
        poolSet,
        fc.array(op, { minLength: 5, maxLength: 50 }),
        fc.constantFrom(0, 100),
        (initial, ops, quarantineMs) => {
          let now = 0;
          const allocator = new IpAllocator({ now: () => now, quarantineMs });
          let pools = initial;
          allocator.setPools(pools);
          const requests = new Map<string, ServiceRequest>();
          for (const step of ops) {
            switch (step.kind) {
              case 'upsert': {
                const before = allocator.assignment(step.service.key);
                requests.set(step.service.key, step.service);
                const outcome = allocator.allocate(step.service);
                if (!outcome.ok) {
                  assert.ok(outcome.refusal.message.length > 0);
                  assert.equal(allocator.assignment(step.service.key), undefined);
                  assert.deepEqual(outcome.released, before);
                } else if (outcome.change === 'unchanged') {
                  // The same addresses; their order follows the Service's (possibly new) ipFamilies.
                  assert.equal(outcome.assignment.pool, before?.pool);
                  assert.deepEqual(
                    assignmentTexts(outcome.assignment).sort(),
                    assignmentTexts(before).sort(),
                    'unchanged means the same addresses',
                  );
                }
                break;
              }
              case 'delete': {
                const key = `${step.namespace}/${step.name}`;
                allocator.release(key);
                requests.delete(key);
                break;
              }
              case 'pools': {
                const changes = allocator.setPools(step.pools);
                pools = step.pools;
                for (const change of changes) {
                  assert.deepEqual(allocator.assignment(change.key), change.current);
                }
                break;
              }
              case 'advance':
                now += step.ms;
                break;
            }
            checkInvariants(allocator, pools, requests);
          }
          replay(pools, requests, allocator.assignments());
        },
      ),
      { numRuns: 250 },
    );
  });

  it('a pool edit reports exactly the assignments it changed', () => {
    fc.assert(
      fc.property(
        poolSet,
        fc.array(serviceRequest, { maxLength: 12 }),
        poolSet,
        (first, services, second) => {
          const allocator = new IpAllocator({ now: () => 0 });
          allocator.setPools(first);
          for (const s of services) allocator.allocate(s);
          const before = new Map(allocator.assignments().map((a) => [a.key, a]));
          const changes = allocator.setPools(second);
          const after = new Map(allocator.assignments().map((a) => [a.key, a]));
          const changed = [...before.keys()].filter(
            (key) =>
              JSON.stringify(before.get(key), replacer) !==
              JSON.stringify(after.get(key), replacer),
          );
          assert.deepEqual(changes.map((c) => c.key).sort(), changed.sort());
          for (const c of changes) assert.deepEqual(c.previous, before.get(c.key));
        },
      ),
      { numRuns: 150 },
    );
  });
});

function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
