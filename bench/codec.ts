/**
 * Micro-benchmark of the BGP wire codec (not part of the tests):
 * `node bench/codec.ts`. Prints messages/s and prefixes/s for encoding and
 * decoding one 500-prefix UPDATE, and the bulk packer on 100,000 prefixes
 * (the case BIRD -> BIRD does in ~0.11 s on this machine).
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

const ctx = createWireContext({ fourOctetAs: true, external: true });

const attributes: PathAttributes = {
  origin: 'igp',
  asPath: [{ type: 'sequence', asns: [4200000001, 65002] }],
  nextHop: '192.0.2.1',
  multiExitDisc: 0,
  communities: [0xfde80064, 0xffffff01],
  largeCommunities: [{ globalAdministrator: 4200000001, localData1: 1, localData2: 2 }],
};

function ipv4Hosts(count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) => `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}/32`,
  );
}

function ipv6Hosts(count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) => `2001:db8:${(i >> 16).toString(16)}::${(i & 0xffff).toString(16)}/128`,
  );
}

interface Row {
  readonly name: string;
  /** Messages handled per run (0 when a run is a batch we do not count in messages). */
  readonly messagesPerRun: number;
  readonly prefixesPerRun: number;
  readonly seconds: number;
  readonly runs: number;
}

/** Runs `fn` for about `budgetMs` after a warm-up; returns runs and elapsed seconds. */
function measure(fn: () => unknown, budgetMs = 700): { runs: number; seconds: number } {
  const warmupEnd = performance.now() + 150;
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

const rows: Row[] = [];
function bench(
  name: string,
  messagesPerRun: number,
  prefixesPerRun: number,
  fn: () => unknown,
): void {
  const { runs, seconds } = measure(fn);
  rows.push({ name, messagesPerRun, prefixesPerRun, seconds, runs });
}

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

bench('encode UPDATE, 500 IPv4 /32', 1, 500, () => updateMessage.encode(update500, ctx));
bench('decode UPDATE, 500 IPv4 /32', 1, 500, () => decodeMessage(bytes500, ctx));
bench('encode UPDATE, 200 IPv6 /128', 1, 200, () => updateMessage.encode(update6, ctx));
bench('decode UPDATE, 200 IPv6 /128', 1, 200, () => decodeMessage(bytes6, ctx));

const hosts4 = ipv4Hosts(100_000);
const hosts6 = ipv6Hosts(100_000);
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
const reuse = Buffer.alloc(packed6.bytes.length);
bench('pack 100k IPv4 /32 announcements', 0, 100_000, () =>
  packAnnouncements(attributes, hosts4, ctx),
);
bench('pack 100k IPv4 /32 (reused buffer)', 0, 100_000, () =>
  packAnnouncements(attributes, hosts4, ctx, { into: reuse }),
);
bench('pack 100k IPv4 /32 withdrawals', 0, 100_000, () =>
  packWithdrawals('ipv4-unicast', hosts4, ctx),
);
bench('pack 100k IPv6 /128 announcements', 0, 100_000, () =>
  packAnnouncements(v6Attributes, hosts6, ctx),
);
bench('pack 100k IPv6 /128 withdrawals', 0, 100_000, () =>
  packWithdrawals('ipv6-unicast', hosts6, ctx),
);
bench('read + decode 100k IPv4 (64 KiB chunks)', packed4.messageCount, 100_000, () => {
  const reader = new MessageReader();
  for (let i = 0; i < packed4.bytes.length; i += 65536) {
    reader.push(packed4.bytes.subarray(i, i + 65536));
    for (let m = reader.next(); m !== undefined; m = reader.next()) decodeMessage(m, ctx);
  }
});

const format = (n: number) => Math.round(n).toLocaleString('en');
const header = ['benchmark', 'runs/s', 'ms/run', 'messages/s', 'prefixes/s'];
const table = rows.map((r) => {
  const perSecond = r.runs / r.seconds;
  return [
    r.name,
    format(perSecond),
    (1000 / perSecond).toFixed(3),
    r.messagesPerRun > 0 ? format(perSecond * r.messagesPerRun) : '-',
    format(perSecond * r.prefixesPerRun),
  ];
});
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
const line = (cells: string[]) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
process.stdout.write(
  `Node ${process.version}; UPDATE of 500 IPv4 /32 = ${bytes500.length} octets; 100k IPv4 /32 = ${packed4.messageCount} messages, ${format(packed4.bytes.length)} octets; 100k IPv6 /128 = ${packed6.messageCount} messages\n\n`,
);
process.stdout.write(`${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
for (const row of table) process.stdout.write(`${line(row)}\n`);
