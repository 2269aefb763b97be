/**
 * Benchmark 2 — allocation speed: N Services allocated one by one into one
 * pool (an IPv4 /8, an IPv6 /64, and variants). With a cursor and a heap the
 * work per allocation stays flat, so the growth ratio total(100k)/total(10k)
 * should be about 10 (linear); a scan from the pool start (MetalLB) gives
 * about 100. Garbage collection grows with the live heap (every Service's
 * record stays alive), so the ratio is also shown without GC time.
 * Run with --expose-gc (npm run bench does) so each sample starts from a collected heap.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { parseAddressRange } from '../src/ipam/address.ts';
import type { AddressRange } from '../src/ipam/address.ts';
import { IpAllocator } from '../src/ipam/allocator.ts';
import type { Pool } from '../src/ipam/pool.ts';
import type { ServiceRequest } from '../src/ipam/service-request.ts';
import type { MetricSpec } from './lib/model.ts';
import type { BenchContext, Benchmark } from './lib/runner.ts';
import { controllerStartupCase } from './speaker-scale.ts';

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

function allocateAll(allocator: IpAllocator, requests: readonly ServiceRequest[]): Timing {
  const start = performance.now();
  for (const request of requests) {
    const outcome = allocator.allocate(request);
    if (!outcome.ok) throw new Error(outcome.refusal.message);
  }
  return { start, end: performance.now() };
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

const metrics: readonly MetricSpec[] = [
  { key: 'totalMs', label: 'total', unit: 'ms', better: 'lower', digits: 1 },
  { key: 'gcMs', label: 'of which GC', unit: 'ms', better: 'lower', digits: 1 },
  { key: 'usPerAllocation', label: 'per allocation', unit: 'µs', better: 'lower', digits: 2 },
  { key: 'usPerAllocationExclGc', label: 'excl. GC', unit: 'µs', better: 'lower', digits: 2 },
];

/** Measures GC pauses inside a time window (GC entries arrive asynchronously). */
class GcPauses {
  readonly #pauses: Array<{ start: number; duration: number }> = [];
  readonly #observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      this.#pauses.push({ start: entry.startTime, duration: entry.duration });
    }
  });

  constructor() {
    this.#observer.observe({ entryTypes: ['gc'] });
  }

  async within(timing: Timing): Promise<number> {
    await sleep(20); // GC entries are delivered after a timer turn
    const total = this.#pauses
      .filter((p) => p.start >= timing.start && p.start <= timing.end)
      .reduce((sum, p) => sum + p.duration, 0);
    this.#pauses.length = 0;
    return total;
  }

  stop(): void {
    this.#observer.disconnect();
  }
}

const gc = (globalThis as { gc?: () => void }).gc;

async function sample(
  gcPauses: GcPauses,
  count: number,
  run: () => Timing,
): Promise<Record<string, number>> {
  gc?.();
  await nextTurn();
  await gcPauses.within({ start: 0, end: -1 }); // drop entries from before
  const timing = run();
  const totalMs = timing.end - timing.start;
  const gcMs = await gcPauses.within(timing);
  return {
    totalMs,
    gcMs,
    totalMsExclGc: totalMs - gcMs,
    usPerAllocation: (totalMs * 1000) / count,
    usPerAllocationExclGc: ((totalMs - gcMs) * 1000) / count,
  };
}

async function scalingCase(
  bench: BenchContext,
  gcPauses: GcPauses,
  id: string,
  title: string,
  pool: Pool,
  family: 4 | 6,
  counts: readonly number[],
  capacity: number,
): Promise<void> {
  if (!bench.wantsCase(id)) return;
  await bench.runCase({ id, title, metrics }, async (recorder) => {
    const usable = counts.filter((n) => n <= capacity);
    for (const count of usable) {
      const rowId = `n=${count}`;
      const contender = recorder.contender(rowId, `${count.toLocaleString('en')} Services`);
      const requests = services(count, family);
      await contender.repeat(bench.reps(count >= 100_000 ? 3 : 7), () =>
        sample(gcPauses, count, () => allocateAll(fresh(pool), requests)),
      );
    }
    const [small, big] = usable.slice(-2);
    if (small !== undefined && big !== undefined) {
      const label = `growth ${big.toLocaleString('en')} / ${small.toLocaleString('en')}`;
      recorder.ratio(
        `${label}, total (linear ≈ ${big / small})`,
        'totalMs',
        `n=${big}`,
        `n=${small}`,
      );
      recorder.ratio(`${label}, excl. GC`, 'totalMsExclGc', `n=${big}`, `n=${small}`);
    }
  });
}

export const allocatorBenchmark: Benchmark = {
  id: 'allocator',
  title: 'IP allocator scaling (Services allocated one by one into one pool)',
  async run(bench) {
    const counts =
      bench.options.sizes ?? (bench.options.smoke ? [100, 1000] : [1000, 10_000, 100_000]);
    if (gc === undefined)
      bench.note('run without --expose-gc: samples do not start from a collected heap');
    const gcPauses = new GcPauses();
    try {
      // Warm the JIT so the first row is not an outlier.
      allocateAll(fresh(pools.ipv4), services(bench.options.smoke ? 500 : 20_000, 4));
      await scalingCase(
        bench,
        gcPauses,
        'ipv4-8',
        'One IPv4 /8 pool',
        pools.ipv4,
        4,
        counts,
        2 ** 24,
      );
      await scalingCase(
        bench,
        gcPauses,
        'ipv6-64',
        'One IPv6 /64 pool',
        pools.ipv6,
        6,
        counts,
        Infinity,
      );
      await scalingCase(
        bench,
        gcPauses,
        'ipv4-8-avoid-buggy',
        'One IPv4 /8 pool with avoidBuggyIPs',
        pools.ipv4Buggy,
        4,
        counts,
        2 ** 24,
      );
      await scalingCase(
        bench,
        gcPauses,
        'ipv4-16',
        'One IPv4 /16 pool (holds 65,536)',
        pools.ipv4Small,
        4,
        counts,
        65_536,
      );
      const largest = counts[counts.length - 1]!;
      if (bench.wantsCase('variants')) {
        await bench.runCase(
          {
            id: 'variants',
            title: `Harder paths at ${largest.toLocaleString('en')} Services`,
            metrics,
          },
          async (recorder) => {
            const reps = bench.reps(3);
            // Every Service under one key, all on TCP/80: none can share, each looks (boundedly) first.
            const sharing = services(largest, 4, 'everyone');
            await recorder
              .contender('sharing-key-clash', 'IPv4 /8, one sharing key, ports clash')
              .repeat(reps, () =>
                sample(gcPauses, largest, () => allocateAll(fresh(pools.ipv4), sharing)),
              );
            // Release every other Service, let the quarantine pass, allocate half as many again (heap path).
            for (const [id, label, pool, family] of [
              ['reuse-ipv4', 'IPv4 /8, reuse after releasing half', pools.ipv4, 4],
              ['reuse-ipv6', 'IPv6 /64, reuse after releasing half', pools.ipv6, 6],
            ] as const) {
              const first = services(largest, family);
              const half = Math.floor(largest / 2);
              const again = services(half, family).map((s) => ({ ...s, key: `${s.key}-again` }));
              await recorder.contender(id, label).repeat(reps, () =>
                sample(gcPauses, half, () => {
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
          },
        );
      }
    } finally {
      gcPauses.stop();
    }
    // The real daemon: start-up with Services that already hold addresses (sizes of benchmark 4).
    await controllerStartupCase(bench);
  },
};
