/**
 * Benchmark 1 — announce throughput into BIRD. One receiving BIRD 2 on
 * loopback (import all, export none, no kernel protocol); N host routes with
 * identical attributes from each contender in turn; t0 is the trigger (or the
 * session's Established for routes preloaded in a config), t1 the receiving
 * BIRD's import time of the last route (its own timestamp, 1 ms resolution;
 * completion is detected by polling "Routes: N imported" every --poll-ms over
 * one control-socket connection). Withdrawal is timed by the poll alone.
 */
import { join } from 'node:path';
import { describeError } from '../../src/common/errors.ts';
import { wallClockMs } from '../lib/bird-control.ts';
import { freePort } from '../lib/loopback.ts';
import type { MetricSpec } from '../lib/model.ts';
import { ipv4Hosts, ipv6Hosts } from '../lib/prefixes.ts';
import { Cleanup, makeTempDir, removeTempDir } from '../lib/processes.ts';
import type { BenchContext, Benchmark, CaseRecorder } from '../lib/runner.ts';
import { ironlbAdapters } from './adapters/index.ts';
import { birdContender } from './bird-sender.ts';
import type { AnnounceContender, RouteSet, RunningSender, SenderEnv } from './contender.ts';
import type { PhaseTimings } from './ironlb-adapter.ts';
import { exabgpApiContender, exabgpConfigContender } from './exabgp.ts';
import { gobgpdContender } from './gobgpd.ts';
import { ironlbCliContender } from './ironlb-cli.ts';
import { ironlbContender } from './ironlb.ts';
import { type Family, Receiver, type ReceiverPeer } from './receiver.ts';

const RECEIVER_ASN = 64512;
const SENDER_ASN = 64513;
const IPV6_NEXT_HOP = '2001:db8:ffff::1';

interface Entry {
  readonly contender: AnnounceContender;
  /** Last octet of the contender's 127.x.y.z address. */
  readonly host: number;
  /** Runs only when named with --contender. */
  readonly optIn?: boolean;
}

/** Every contender; ironlb ones are appended from the adapter registry. */
export function announceContenders(): Entry[] {
  const entries: Entry[] = [
    { contender: birdContender, host: 2 },
    { contender: exabgpConfigContender, host: 3 },
    { contender: exabgpApiContender(), host: 4 },
    { contender: gobgpdContender, host: 5 },
    { contender: exabgpApiContender(1), host: 8, optIn: true },
    { contender: ironlbCliContender, host: 9 },
  ];
  ironlbAdapters.forEach((adapter, i) =>
    entries.push({ contender: ironlbContender(adapter), host: 20 + i }),
  );
  return entries;
}

const metrics: readonly MetricSpec[] = [
  { key: 'announceSeconds', label: 'announce', unit: 's', better: 'lower', digits: 3 },
  { key: 'announceRate', label: 'announce', unit: 'prefixes/s', better: 'higher' },
  { key: 'handoverSeconds', label: 'sender done', unit: 's', better: 'lower', digits: 3 },
  { key: 'withdrawSeconds', label: 'withdraw', unit: 's', better: 'lower', digits: 3 },
  { key: 'withdrawRate', label: 'withdraw', unit: 'prefixes/s', better: 'higher' },
  { key: 'senderPeakRssMiB', label: 'sender peak RSS', unit: 'MiB', better: 'lower', digits: 1 },
];

interface AnnounceCase {
  readonly id: string;
  readonly family: Family;
  readonly count: number;
}

function casesFor(bench: BenchContext): AnnounceCase[] {
  const make = (family: Family, count: number): AnnounceCase => ({
    id: `${family}-${count}`,
    family,
    count,
  });
  if (bench.options.sizes !== undefined) {
    return bench.options.sizes.flatMap((n) => [make('ipv4', n), make('ipv6', n)]);
  }
  if (bench.options.smoke) return [make('ipv4', 200), make('ipv6', 100)];
  return [make('ipv4', 10_000), make('ipv4', 100_000), make('ipv6', 10_000)];
}

/** BIRD protocol names: a prefix keeps them clear of keywords ("bird" is one). */
const protocolName = (id: string): string => `from_${id.replaceAll('-', '_')}`;

const mib = (kib: number | undefined): Record<string, number> =>
  kib === undefined ? {} : { senderPeakRssMiB: kib / 1024 };

/** A sender's own phase timings, kept in the samples under a prefix ("announce.packMs"). */
function prefixed(prefix: string, phases: PhaseTimings | void): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(phases ?? {})) out[`${prefix}${key}`] = value;
  return out;
}

/** Bounded waits scale with N: 60 s, or 2 ms per route when that is longer. */
const routeTimeoutMs = (count: number): number => Math.max(60_000, count * 2);

async function runTriggered(
  bench: BenchContext,
  receiver: Receiver,
  entry: Entry,
  env: SenderEnv,
  routes: RouteSet,
  record: ReturnType<CaseRecorder['contender']>,
): Promise<void> {
  const contender = entry.contender;
  const protocol = protocolName(contender.id);
  const count = routes.prefixes.length;
  const family = routes.family;
  const cleanup = new Cleanup();
  try {
    const sender: RunningSender = await contender.start(env, routes);
    cleanup.defer(`stop ${contender.id}`, () => sender.stop());
    record.note('method', sender.method);
    const giveUpIf = (): Error | undefined => sender.failure();
    await receiver.waitEstablished(protocol, 30_000, giveUpIf);
    const idle = sender.peakRssKiB();
    if (idle !== undefined)
      record.note('peak RSS before the first announce', `${(idle / 1024).toFixed(1)} MiB`);
    await receiver.waitRouteCount(protocol, family, 0, {
      timeoutMs: 10_000,
      established: true,
      giveUpIf,
    });
    // One announce (and withdrawal, when the sender can) timed against the receiver's clock.
    const cycle = async (): Promise<Record<string, number>> => {
      const t0 = wallClockMs();
      const announcePhases = await sender.announce();
      const handedOver = wallClockMs();
      const polled = await receiver.waitRouteCount(protocol, family, count, {
        timeoutMs: routeTimeoutMs(count),
        established: true,
        giveUpIf,
      });
      const newest = await receiver.newestImport(protocol, family);
      const t1 = newest !== undefined && newest >= t0 ? newest : polled;
      const sample: Record<string, number> = {
        announceSeconds: (t1 - t0) / 1000,
        announceRate: count / Math.max((t1 - t0) / 1000, 0.001),
        announcePollSeconds: (polled - t0) / 1000,
        handoverSeconds: (handedOver - t0) / 1000,
        ...prefixed('announce.', announcePhases),
      };
      if (sender.withdraw !== undefined) {
        const w0 = wallClockMs();
        const withdrawPhases = await sender.withdraw();
        const w1 = await receiver.waitRouteCount(protocol, family, 0, {
          timeoutMs: routeTimeoutMs(count),
          established: true,
          giveUpIf,
        });
        sample['withdrawSeconds'] = (w1 - w0) / 1000;
        sample['withdrawRate'] = count / Math.max((w1 - w0) / 1000, 0.001);
        Object.assign(sample, prefixed('withdraw.', withdrawPhases));
      }
      return sample;
    };
    // Warm-up: Node's JIT and heap sizing (and any daemon's caches) settle over the first
    // cycles; a speaker is a long-running process. Their times are kept as a note, not hidden.
    // A sender that cannot withdraw cannot repeat from an empty table, so it gets none.
    const warmups = sender.withdraw === undefined ? 0 : bench.warmups(2);
    const warmupSeconds: string[] = [];
    for (let i = 0; i < warmups; i++) {
      bench.log(`${contender.id} ${family} ${count}: warm-up ${i + 1}`);
      const sample = await cycle();
      warmupSeconds.push(`${(sample['announceSeconds'] ?? Number.NaN).toFixed(3)} s`);
    }
    if (warmups > 0)
      record.note('warm-up announces (not in the summary)', warmupSeconds.join(', '));
    await record.repeat(bench.reps(5), async (rep) => {
      bench.log(`${contender.id} ${family} ${count}: repetition ${rep + 1}`);
      return { ...(await cycle()), ...mib(sender.peakRssKiB()) };
    });
  } finally {
    const errors = await cleanup.run();
    if (errors.length > 0) record.note('cleanup', errors.join('; '));
  }
}

async function runFromEstablished(
  bench: BenchContext,
  receiver: Receiver,
  entry: Entry,
  env: SenderEnv,
  routes: RouteSet,
  record: ReturnType<CaseRecorder['contender']>,
): Promise<void> {
  const contender = entry.contender;
  const protocol = protocolName(contender.id);
  const count = routes.prefixes.length;
  await record.repeat(bench.reps(5), async (rep) => {
    bench.log(`${contender.id} ${routes.family} ${count}: repetition ${rep + 1}`);
    const sender = await contender.start(env, routes);
    record.note('method', sender.method);
    try {
      const giveUpIf = (): Error | undefined => sender.failure();
      // Reading a large configuration comes first: the bound is generous.
      const up = await receiver.waitEstablished(protocol, routeTimeoutMs(count) + 30_000, giveUpIf);
      const polled = await receiver.waitRouteCount(protocol, routes.family, count, {
        timeoutMs: routeTimeoutMs(count),
        established: true,
        giveUpIf,
      });
      const newest = (await receiver.newestImport(protocol, routes.family)) ?? polled;
      const seconds = (newest - up) / 1000;
      return {
        announceSeconds: seconds,
        announceRate: count / Math.max(seconds, 0.001),
        announcePollSeconds: (polled - up) / 1000,
        ...mib(sender.peakRssKiB()),
      };
    } finally {
      await sender.stop();
      await receiver.waitDown(protocol, 15_000);
      await receiver.waitRouteCount(protocol, routes.family, 0, {
        timeoutMs: 15_000,
        established: false,
      });
    }
  });
}

export const announceBenchmark: Benchmark = {
  id: 'announce',
  title: 'Announce throughput into one receiving BIRD (loopback)',
  async run(bench) {
    const base = bench.options.loopbackBase;
    const entries = announceContenders().filter((e) =>
      e.optIn === true
        ? (bench.options.contenders ?? []).includes(e.contender.id)
        : bench.wantsContender(e.contender.id),
    );
    const cases = casesFor(bench).filter((c) => bench.wantsCase(c.id));
    if (entries.length === 0 || cases.length === 0) return;
    const cleanup = new Cleanup();
    const dir = makeTempDir('announce');
    cleanup.defer(`remove ${dir}`, () => removeTempDir(dir));
    const compileCacheDir = join(dir, 'compile-cache');
    try {
      const receiverAddress = `${base}.1`;
      const listenPorts = new Map<string, number>();
      for (const e of entries) {
        if (e.contender.listens)
          listenPorts.set(e.contender.id, await freePort(`${base}.${e.host}`));
      }
      const peers: ReceiverPeer[] = entries.map((e) => {
        const dialPort = listenPorts.get(e.contender.id);
        return {
          protocol: protocolName(e.contender.id),
          address: `${base}.${e.host}`,
          asn: SENDER_ASN,
          ...(dialPort === undefined ? {} : { dialPort }),
        };
      });
      const receiver = await Receiver.start(
        {
          dir,
          address: receiverAddress,
          port: await freePort(receiverAddress),
          asn: RECEIVER_ASN,
          peers,
          pollMs: bench.options.pollMs,
        },
        cleanup,
      );
      const birdVersion = await receiver.version;
      bench.note(
        `receiver: ${birdVersion}; t1 = the receiver's import timestamp of the last route (1 ms), ` +
          `completion polled every ${bench.options.pollMs} ms; withdrawal timed by the poll alone`,
      );
      for (const c of cases) {
        const n = c.count.toLocaleString('en');
        const what = c.family === 'ipv4' ? 'IPv4 /32' : 'IPv6 /128';
        await bench.runCase(
          { id: `${c.family}-${c.count}`, title: `Announce ${n} ${what} into BIRD`, metrics },
          async (recorder) => {
            for (const entry of entries) {
              const contender = entry.contender;
              const record = recorder.contender(contender.id, contender.label);
              const reason = contender.unavailable();
              if (reason !== undefined) {
                record.skip(reason);
                continue;
              }
              const localAddress = `${base}.${entry.host}`;
              const contenderDir = makeTempDir(contender.id);
              try {
                const listenPort = listenPorts.get(contender.id);
                const env: SenderEnv = {
                  dir: contenderDir,
                  receiverAddress,
                  receiverPort: receiver.options.port,
                  receiverAsn: RECEIVER_ASN,
                  localAddress,
                  localAsn: SENDER_ASN,
                  apiPort: await freePort(localAddress),
                  compileCacheDir,
                  ...(listenPort === undefined ? {} : { listenPort }),
                };
                const routes: RouteSet = {
                  family: c.family,
                  prefixes: c.family === 'ipv4' ? ipv4Hosts(c.count) : ipv6Hosts(c.count),
                  nextHop: c.family === 'ipv4' ? localAddress : IPV6_NEXT_HOP,
                };
                const run = contender.timing === 'trigger' ? runTriggered : runFromEstablished;
                await run(bench, receiver, entry, env, routes, record);
              } catch (err) {
                bench.log(`${contender.id}: ${describeError(err)}`);
                record.fail(err);
              } finally {
                removeTempDir(contenderDir);
              }
            }
            for (const ironlb of ironlbAdapters) {
              for (const other of ['bird', 'gobgpd', 'exabgp-api', 'exabgp-config']) {
                recorder.ratio(
                  `${ironlb.id} / ${other}, announce prefixes/s`,
                  'announceRate',
                  ironlb.id,
                  other,
                );
              }
              for (const other of ['bird', 'gobgpd', 'exabgp-api']) {
                recorder.ratio(
                  `${ironlb.id} / ${other}, withdraw prefixes/s`,
                  'withdrawRate',
                  ironlb.id,
                  other,
                );
              }
            }
            const rss = receiver.peakRssKiB();
            if (rss !== undefined)
              recorder.note(`receiver peak RSS so far ${(rss / 1024).toFixed(1)} MiB`);
          },
        );
      }
    } finally {
      const errors = await cleanup.run();
      for (const e of errors) bench.note(`cleanup: ${e}`);
    }
  },
};
