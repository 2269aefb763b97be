/**
 * Allocation speed: N Services allocated one by one into one pool, for an
 * IPv4 /8 and an IPv6 /64. With a cursor and a heap the cost per allocation
 * stays flat, so the 100k/10k growth ratio should be about 10 (linear total);
 * a scan from the pool start (MetalLB) would give about 100.
 *
 * Run: npm run bench:allocator (with --expose-gc, so each run starts from a collected heap)
 */
import { performance } from 'node:perf_hooks';
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

function services(count: number, family: 4 | 6): ServiceRequest[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `bench/svc-${i}`,
    namespace: 'bench',
    labels: {},
    namespaceLabels: {},
    requestedIPs: [],
    ports: [{ protocol: 'TCP', port: 80 }],
    externalTrafficPolicy: 'Cluster',
    selector: { app: `svc-${i}` },
    ipFamilies: [family],
    ipFamilyPolicy: 'SingleStack',
  }));
}

interface Row {
  scenario: string;
  count: number;
  totalMs: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** The median of several runs, each on a fresh allocator after a full GC: the machine is shared. */
function median(run: () => Row, times: number): Row {
  const rows: Row[] = [];
  for (let i = 0; i < times; i++) {
    gc?.();
    rows.push(run());
  }
  rows.sort((a, b) => a.totalMs - b.totalMs);
  return rows[Math.floor(times / 2)]!;
}

function timeAllocations(scenario: string, pool: Pool, family: 4 | 6, count: number): Row {
  const allocator = new IpAllocator({ now: () => 0, quarantineMs: 1000 });
  allocator.setPools([pool]);
  const requests = services(count, family);
  const start = performance.now();
  for (const request of requests) {
    const outcome = allocator.allocate(request);
    if (!outcome.ok) throw new Error(`${scenario}: ${outcome.refusal.message}`);
  }
  return { scenario, count, totalMs: performance.now() - start };
}

/** Every Service under one sharing key, all on TCP/80: none can share, each looks before it takes. */
function timeSharingKey(scenario: string, pool: Pool, count: number): Row {
  const allocator = new IpAllocator({ now: () => 0 });
  allocator.setPools([pool]);
  const requests = services(count, 4).map((s) => ({ ...s, sharingKey: 'everyone' }));
  const start = performance.now();
  for (const request of requests) {
    const outcome = allocator.allocate(request);
    if (!outcome.ok) throw new Error(`${scenario}: ${outcome.refusal.message}`);
  }
  return { scenario, count, totalMs: performance.now() - start };
}

/** Release every other Service, let the quarantine pass, allocate as many again (heap path). */
function timeChurn(scenario: string, pool: Pool, family: 4 | 6, count: number): Row {
  let clock = 0;
  const allocator = new IpAllocator({ now: () => clock, quarantineMs: 1000 });
  allocator.setPools([pool]);
  for (const request of services(count, family)) allocator.allocate(request);
  for (let i = 0; i < count; i += 2) allocator.release(`bench/svc-${i}`);
  clock = 5000;
  const again = services(count / 2, family).map((s) => ({ ...s, key: `${s.key}-again` }));
  const start = performance.now();
  for (const request of again) {
    const outcome = allocator.allocate(request);
    if (!outcome.ok) throw new Error(`${scenario}: ${outcome.refusal.message}`);
  }
  return { scenario, count: count / 2, totalMs: performance.now() - start };
}

const pools = {
  ipv4: { name: 'v4', ranges: [range('10.0.0.0/8')] },
  ipv4Small: { name: 'v4s', ranges: [range('10.0.0.0/16')] },
  ipv4Buggy: { name: 'v4b', ranges: [range('10.0.0.0/8')], avoidBuggyIPs: true },
  ipv6: { name: 'v6', ranges: [range('2001:db8::/64')] },
} satisfies Record<string, Pool>;

// Warm the JIT so the first row is not an outlier.
timeAllocations('warm-up', pools.ipv4, 4, 20_000);

const rows: Row[] = [];
for (const count of [1_000, 10_000, 100_000]) {
  const runs = count === 100_000 ? 3 : 7;
  rows.push(median(() => timeAllocations('IPv4 /8', pools.ipv4, 4, count), runs));
  rows.push(
    median(() => timeAllocations('IPv4 /8 avoidBuggyIPs', pools.ipv4Buggy, 4, count), runs),
  );
  rows.push(median(() => timeAllocations('IPv6 /64', pools.ipv6, 6, count), runs));
  // A /16 holds 65,536 addresses: compared at the sizes that fit.
  if (count < 65_536) {
    rows.push(median(() => timeAllocations('IPv4 /16', pools.ipv4Small, 4, count), runs));
  }
}
rows.push(median(() => timeSharingKey('IPv4 /8 one key, ports clash', pools.ipv4, 100_000), 3));
rows.push(median(() => timeChurn('IPv4 /8 reuse after release', pools.ipv4, 4, 100_000), 3));
rows.push(median(() => timeChurn('IPv6 /64 reuse after release', pools.ipv6, 6, 100_000), 3));
console.log(`median of 7 runs (3 for 100k)${gc ? ', full GC before each' : ''}\n`);

const header = ['scenario', 'allocations', 'total ms', 'µs / allocation'];
const table = rows.map((r) => [
  r.scenario,
  r.count.toLocaleString('en'),
  r.totalMs.toFixed(1),
  ((r.totalMs * 1000) / r.count).toFixed(2),
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
const line = (cells: string[]): string =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of table) console.log(line(row));

console.log('\ngrowth ratio total(100k) / total(10k)  (linear ≈ 10, quadratic ≈ 100)');
for (const scenario of ['IPv4 /8', 'IPv4 /8 avoidBuggyIPs', 'IPv6 /64']) {
  const at = (n: number): number =>
    rows.find((r) => r.scenario === scenario && r.count === n)?.totalMs ?? Number.NaN;
  console.log(`  ${scenario.padEnd(24)} ${(at(100_000) / at(10_000)).toFixed(1)}`);
}
