/**
 * Allocation speed: N Services allocated one by one into one pool, for an
 * IPv4 /8 and an IPv6 /64 (and a /16 for comparison). With a cursor and a heap
 * the work per allocation stays flat, so the 100k/10k growth ratio should be
 * about 10 (linear total); a scan from the pool start (MetalLB) gives about 100.
 * Garbage collection grows with the live heap (every Service's record stays
 * alive), so the ratio is shown with and without GC time.
 *
 * Run: npm run bench:allocator (with --expose-gc, so each run starts from a collected heap)
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { parseAddressRange } from '../src/ipam/address.ts';
import type { AddressRange } from '../src/ipam/address.ts';
import { IpAllocator } from '../src/ipam/allocator.ts';
import type { Pool } from '../src/ipam/pool.ts';
import type { ServiceRequest } from '../src/ipam/service-request.ts';

function range(text: string): AddressRange {
  const parsed = parseAddressRange(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

function services(count: number, family: 4 | 6, sharingKey?: string): ServiceRequest[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `bench/svc-${i}`,
    namespace: 'bench',
    labels: {},
    namespaceLabels: {},
    requestedIPs: [],
    sharingKey,
    ports: [{ protocol: 'TCP', port: 80 }],
    externalTrafficPolicy: 'Cluster',
    selector: { app: `svc-${i}` },
    ipFamilies: [family],
    ipFamilyPolicy: 'SingleStack',
  }));
}

interface Timing {
  readonly start: number;
  readonly end: number;
}

interface Row {
  readonly scenario: string;
  readonly count: number;
  readonly totalMs: number;
  readonly gcMs: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
const gcPauses: Array<{ start: number; duration: number }> = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcPauses.push({ start: entry.startTime, duration: entry.duration });
  }
}).observe({ entryTypes: ['gc'] });

function allocateAll(allocator: IpAllocator, requests: readonly ServiceRequest[]): Timing {
  const start = performance.now();
  for (const request of requests) {
    const outcome = allocator.allocate(request);
    if (!outcome.ok) throw new Error(outcome.refusal.message);
  }
  return { start, end: performance.now() };
}

/** The median of several runs, each on a fresh allocator after a full GC: the machine is shared. */
async function median(
  scenario: string,
  count: number,
  times: number,
  run: () => Timing,
): Promise<Row> {
  const rows: Row[] = [];
  for (let i = 0; i < times; i++) {
    gc?.();
    await nextTurn();
    gcPauses.length = 0;
    const { start, end } = run();
    await sleep(20); // GC entries are delivered asynchronously, after a timer turn
    const gcMs = gcPauses
      .filter((p) => p.start >= start && p.start <= end)
      .reduce((sum, p) => sum + p.duration, 0);
    rows.push({ scenario, count, totalMs: end - start, gcMs });
  }
  rows.sort((a, b) => a.totalMs - b.totalMs);
  return rows[Math.floor(times / 2)]!;
}

function fresh(pool: Pool): IpAllocator {
  const allocator = new IpAllocator({ now: () => 0, quarantineMs: 1000 });
  allocator.setPools([pool]);
  return allocator;
}

const pools = {
  ipv4: { name: 'v4', ranges: [range('10.0.0.0/8')] },
  ipv4Small: { name: 'v4s', ranges: [range('10.0.0.0/16')] },
  ipv4Buggy: { name: 'v4b', ranges: [range('10.0.0.0/8')], avoidBuggyIPs: true },
  ipv6: { name: 'v6', ranges: [range('2001:db8::/64')] },
} satisfies Record<string, Pool>;

const plain: Array<[string, Pool, 4 | 6]> = [
  ['IPv4 /8', pools.ipv4, 4],
  ['IPv4 /8 avoidBuggyIPs', pools.ipv4Buggy, 4],
  ['IPv6 /64', pools.ipv6, 6],
  ['IPv4 /16', pools.ipv4Small, 4],
];

// Warm the JIT so the first row is not an outlier.
allocateAll(fresh(pools.ipv4), services(20_000, 4));

const rows: Row[] = [];
for (const count of [1_000, 10_000, 100_000]) {
  const runs = count === 100_000 ? 3 : 7;
  for (const [scenario, pool, family] of plain) {
    if (count > 65_536 && pool === pools.ipv4Small) continue; // a /16 holds 65,536
    const requests = services(count, family);
    rows.push(await median(scenario, count, runs, () => allocateAll(fresh(pool), requests)));
  }
}

// Every Service under one key, all on TCP/80: none can share, each looks (boundedly) first.
{
  const requests = services(100_000, 4, 'everyone');
  rows.push(
    await median('IPv4 /8 one sharing key, ports clash', 100_000, 3, () =>
      allocateAll(fresh(pools.ipv4), requests),
    ),
  );
}

// Release every other Service, let the quarantine pass, allocate as many again (heap path).
for (const [scenario, pool, family] of [
  ['IPv4 /8 reuse after release', pools.ipv4, 4],
  ['IPv6 /64 reuse after release', pools.ipv6, 6],
] as const) {
  const first = services(100_000, family);
  const again = services(50_000, family).map((s) => ({ ...s, key: `${s.key}-again` }));
  rows.push(
    await median(scenario, 50_000, 3, () => {
      let now = 0;
      const allocator = new IpAllocator({ now: () => now, quarantineMs: 1000 });
      allocator.setPools([pool]);
      allocateAll(allocator, first);
      for (let i = 0; i < first.length; i += 2) allocator.release(first[i]!.key);
      now = 5000;
      return allocateAll(allocator, again);
    }),
  );
}

const header = ['scenario', 'allocations', 'total ms', 'of which GC', 'µs / alloc', 'µs excl. GC'];
const table = rows.map((r) => [
  r.scenario,
  r.count.toLocaleString('en'),
  r.totalMs.toFixed(1),
  r.gcMs.toFixed(1),
  ((r.totalMs * 1000) / r.count).toFixed(2),
  (((r.totalMs - r.gcMs) * 1000) / r.count).toFixed(2),
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
const line = (cells: string[]): string =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
console.log(`median of 7 runs (3 for 100k)${gc ? ', full GC before each' : ''}\n`);
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of table) console.log(line(row));

console.log('\ngrowth ratio total(100k) / total(10k)  (linear ≈ 10, quadratic ≈ 100)');
console.log(`  ${'scenario'.padEnd(24)} ${'total'.padStart(6)} ${'excl. GC'.padStart(9)}`);
for (const [scenario] of plain) {
  const at = (n: number): Row | undefined =>
    rows.find((r) => r.scenario === scenario && r.count === n);
  const big = at(100_000);
  const small = at(10_000);
  if (big === undefined || small === undefined) continue;
  const total = big.totalMs / small.totalMs;
  const withoutGc = (big.totalMs - big.gcMs) / (small.totalMs - small.gcMs);
  console.log(
    `  ${scenario.padEnd(24)} ${total.toFixed(1).padStart(6)} ${withoutGc.toFixed(1).padStart(9)}`,
  );
}
