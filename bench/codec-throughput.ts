/**
 * Benchmark 5 — the BGP wire codec without sockets: encoding and decoding one
 * 500-prefix UPDATE (messages/s, prefixes/s), and the bulk packer on 100,000
 * prefixes (the batch BIRD → BIRD moves in ~0.11 s on this machine).
 */
import {
  createWireContext,
  decodeMessage,
  MessageReader,
  packAnnouncements,
  packWithdrawals,
  updateMessage,
} from '../src/bgp/wire/index.ts';
import type { PathAttributes, UpdateMessage } from '../src/bgp/wire/index.ts';
import type { MetricSpec } from './lib/model.ts';
import { ipv4Hosts, ipv6Hosts } from './lib/prefixes.ts';
import type { BenchContext, Benchmark, CaseRecorder } from './lib/runner.ts';

const ctx = createWireContext({ fourOctetAs: true, external: true });

const attributes: PathAttributes = {
  origin: 'igp',
  asPath: [{ type: 'sequence', asns: [4200000001, 65002] }],
  nextHop: '192.0.2.1',
  multiExitDisc: 0,
  communities: [0xfde80064, 0xffffff01],
  largeCommunities: [{ globalAdministrator: 4200000001, localData1: 1, localData2: 2 }],
};

const metrics: readonly MetricSpec[] = [
  { key: 'messagesPerSecond', label: 'messages/s', unit: '', better: 'higher' },
  { key: 'prefixesPerSecond', label: 'prefixes/s', unit: '', better: 'higher' },
  { key: 'msPerRun', label: 'per run', unit: 'ms', better: 'lower', digits: 3 },
];

interface Timing {
  readonly runs: number;
  readonly seconds: number;
}

/** Runs `fn` for about `budgetMs` after a warm-up: one sample. */
function timeWindow(fn: () => unknown, warmupMs: number, budgetMs: number): Timing {
  const warmupEnd = performance.now() + warmupMs;
  while (performance.now() < warmupEnd) fn();
  let runs = 0;
  const start = performance.now();
  let now = start;
  while (now - start < budgetMs) {
    fn();
    runs++;
    now = performance.now();
  }
  return { runs, seconds: (now - start) / 1000 };
}

interface Row {
  readonly id: string;
  readonly label: string;
  readonly messagesPerRun: number;
  readonly prefixesPerRun: number;
  readonly fn: () => unknown;
}

async function measureRows(
  bench: BenchContext,
  recorder: CaseRecorder,
  rows: readonly Row[],
): Promise<void> {
  const smoke = bench.options.smoke;
  const reps = bench.reps(5);
  for (const row of rows) {
    if (!bench.wantsContender(row.id)) continue;
    const contender = recorder.contender(row.id, row.label);
    await contender.repeat(reps, () => {
      const { runs, seconds } = timeWindow(row.fn, smoke ? 2 : 150, smoke ? 5 : 400);
      const perSecond = runs / seconds;
      return {
        messagesPerSecond: perSecond * row.messagesPerRun,
        prefixesPerSecond: perSecond * row.prefixesPerRun,
        msPerRun: 1000 / perSecond,
      };
    });
  }
}

export const codecBenchmark: Benchmark = {
  id: 'codec',
  title: 'BGP wire codec micro-benchmarks (no sockets)',
  async run(bench) {
    const update500: UpdateMessage = {
      type: 'update',
      withdrawn: [],
      attributes,
      nlri: ipv4Hosts(500),
    };
    const bytes500 = updateMessage.encode(update500, ctx);
    const { nextHop: _ipv4NextHop, ...withoutNextHop } = attributes;
    const update6: UpdateMessage = {
      type: 'update',
      withdrawn: [],
      attributes: {
        ...withoutNextHop,
        mpReach: { family: 'ipv6-unicast', nextHop: '2001:db8::1', nlri: ipv6Hosts(200) },
      },
      nlri: [],
    };
    const bytes6 = updateMessage.encode(update6, ctx);
    bench.note(
      `one UPDATE of 500 IPv4 /32 = ${bytes500.length} octets, of 200 IPv6 /128 = ${bytes6.length} octets`,
    );
    if (bench.wantsCase('update')) {
      await bench.runCase(
        { id: 'update', title: 'Encode and decode one UPDATE', metrics },
        (recorder) =>
          measureRows(bench, recorder, [
            {
              id: 'encode-500-ipv4',
              label: 'encode UPDATE, 500 IPv4 /32',
              messagesPerRun: 1,
              prefixesPerRun: 500,
              fn: () => updateMessage.encode(update500, ctx),
            },
            {
              id: 'decode-500-ipv4',
              label: 'decode UPDATE, 500 IPv4 /32',
              messagesPerRun: 1,
              prefixesPerRun: 500,
              fn: () => decodeMessage(bytes500, ctx),
            },
            {
              id: 'encode-200-ipv6',
              label: 'encode UPDATE, 200 IPv6 /128',
              messagesPerRun: 1,
              prefixesPerRun: 200,
              fn: () => updateMessage.encode(update6, ctx),
            },
            {
              id: 'decode-200-ipv6',
              label: 'decode UPDATE, 200 IPv6 /128',
              messagesPerRun: 1,
              prefixesPerRun: 200,
              fn: () => decodeMessage(bytes6, ctx),
            },
          ]),
      );
    }

    const count = bench.options.sizes?.[0] ?? (bench.options.smoke ? 1000 : 100_000);
    if (!bench.wantsCase('pack')) return;
    const hosts4 = ipv4Hosts(count);
    const hosts6 = ipv6Hosts(count);
    const v6Attributes: PathAttributes = {
      origin: 'igp',
      asPath: attributes.asPath!,
      mpReach: {
        family: 'ipv6-unicast',
        nextHop: '2001:db8::1',
        linkLocalNextHop: 'fe80::1',
        nlri: [],
      },
    };
    const packed4 = packAnnouncements(attributes, hosts4, ctx);
    const packed6 = packAnnouncements(v6Attributes, hosts6, ctx);
    const withdrawn4 = packWithdrawals('ipv4-unicast', hosts4, ctx);
    const withdrawn6 = packWithdrawals('ipv6-unicast', hosts6, ctx);
    const reuse = Buffer.alloc(packed6.bytes.length);
    const n = count.toLocaleString('en');
    await bench.runCase(
      {
        id: `pack-${count}`,
        title: `Bulk packing and reading ${n} prefixes (${packed4.messageCount} UPDATEs of ≤ 4096 octets for IPv4)`,
        metrics,
      },
      (recorder) =>
        measureRows(bench, recorder, [
          {
            id: 'pack-ipv4',
            label: `pack ${n} IPv4 /32 announcements`,
            messagesPerRun: packed4.messageCount,
            prefixesPerRun: count,
            fn: () => packAnnouncements(attributes, hosts4, ctx),
          },
          {
            id: 'pack-ipv4-reuse',
            label: `pack ${n} IPv4 /32 (reused buffer)`,
            messagesPerRun: packed4.messageCount,
            prefixesPerRun: count,
            fn: () => packAnnouncements(attributes, hosts4, ctx, { into: reuse }),
          },
          {
            id: 'withdraw-ipv4',
            label: `pack ${n} IPv4 /32 withdrawals`,
            messagesPerRun: withdrawn4.messageCount,
            prefixesPerRun: count,
            fn: () => packWithdrawals('ipv4-unicast', hosts4, ctx),
          },
          {
            id: 'pack-ipv6',
            label: `pack ${n} IPv6 /128 announcements`,
            messagesPerRun: packed6.messageCount,
            prefixesPerRun: count,
            fn: () => packAnnouncements(v6Attributes, hosts6, ctx),
          },
          {
            id: 'withdraw-ipv6',
            label: `pack ${n} IPv6 /128 withdrawals`,
            messagesPerRun: withdrawn6.messageCount,
            prefixesPerRun: count,
            fn: () => packWithdrawals('ipv6-unicast', hosts6, ctx),
          },
          {
            id: 'read-decode-ipv4',
            label: `read + decode ${n} IPv4 (64 KiB chunks)`,
            messagesPerRun: packed4.messageCount,
            prefixesPerRun: count,
            fn: () => {
              const reader = new MessageReader();
              for (let i = 0; i < packed4.bytes.length; i += 65536) {
                reader.push(packed4.bytes.subarray(i, i + 65536));
                for (let m = reader.next(); m !== undefined; m = reader.next()) {
                  decodeMessage(m, ctx);
                }
              }
            },
          },
        ]),
    );
  },
};
