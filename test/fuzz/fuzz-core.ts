/**
 * The BGP decoder fuzzer: random and mutated messages (bit flips,
 * truncations, length-field edits, splices of the golden vectors) go through
 * the decoder and the stream reader. A "crasher" is any input that makes the
 * codec throw something other than BgpWireError, or whose decoded value does
 * not survive encode + decode unchanged.
 */
import { isDeepStrictEqual } from 'node:util';
import { bytes, capturedOpens, IBGP4, messageVectors } from '../support/bgp-golden-vectors.ts';
import {
  BgpWireError,
  decodeMessage,
  encodeMessage,
  isBgpWireError,
  MessageReader,
  packAnnouncements,
  packWithdrawals,
} from '../../src/bgp/wire/index.ts';
import type { BgpMessage, WireContext } from '../../src/bgp/wire/index.ts';
import { isIronlbError } from '../../src/common/errors.ts';

export interface Crasher {
  readonly hex: string;
  readonly ctx: WireContext;
  readonly problem: string;
}

export interface FuzzStats {
  iterations: number;
  decoded: number;
  softErrors: number;
  wireErrors: number;
  crashers: Crasher[];
}

export interface FuzzOptions {
  readonly iterations: number;
  readonly seed: number;
  /** Called every `progressEvery` iterations. */
  readonly onProgress?: (stats: FuzzStats) => void;
  readonly progressEvery?: number;
  /** Stop after this many crashers (default 20). */
  readonly maxCrashers?: number;
}

/** mulberry32: small, fast, seedable; the same seed replays the same run. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CONTEXTS: readonly WireContext[] = [
  { fourOctetAs: true, external: true },
  { fourOctetAs: true, external: false },
  { fourOctetAs: false, external: true },
  { fourOctetAs: false, external: false },
  { fourOctetAs: true, external: true, families: ['ipv4-unicast'] },
];

/** The corpus: golden messages, captured OPENs, a few packed UPDATEs. */
export function seedCorpus(): Buffer[] {
  const seeds = [
    ...messageVectors.map((v) => bytes(v.hex)),
    ...capturedOpens().map((c) => bytes(c.hex)),
  ];
  const attributes = {
    origin: 'igp' as const,
    asPath: [{ type: 'sequence' as const, asns: [65001] }],
    nextHop: '192.0.2.1',
  };
  const v4 = Array.from({ length: 40 }, (_, i) => `10.0.${i}.0/24`);
  const v6 = Array.from({ length: 20 }, (_, i) => `2001:db8:${i.toString(16)}::/48`);
  const reader = new MessageReader();
  reader.push(packAnnouncements(attributes, v4, IBGP4).bytes);
  reader.push(
    packAnnouncements(
      { ...attributes, mpReach: { family: 'ipv6-unicast', nextHop: '2001:db8::1', nlri: [] } },
      v6,
      IBGP4,
    ).bytes,
  );
  reader.push(packWithdrawals('ipv6-unicast', v6, IBGP4).bytes);
  seeds.push(...reader.drain());
  return seeds;
}

function setLength(buf: Buffer): Buffer {
  if (buf.length >= 18) {
    const length = Math.min(buf.length, 0xffff);
    buf[16] = length >> 8;
    buf[17] = length & 0xff;
  }
  return buf;
}

function mutate(seeds: readonly Buffer[], random: () => number): Buffer {
  const int = (n: number) => Math.floor(random() * n);
  const pick = () => seeds[int(seeds.length)]!;
  const seed = pick();
  const buf = Buffer.from(seed);
  const bodyStart = 19;
  switch (int(9)) {
    case 0: {
      // Random body behind a valid marker, length and a (mostly) valid type.
      const body = Buffer.alloc(int(200));
      for (let i = 0; i < body.length; i++) body[i] = int(256);
      const out = Buffer.concat([Buffer.alloc(16, 0xff), Buffer.from([0, 0, 1 + int(5)]), body]);
      return setLength(out);
    }
    case 1: {
      // Bit flips anywhere after the marker.
      const flips = 1 + int(8);
      for (let i = 0; i < flips; i++) {
        const at = 16 + int(Math.max(1, buf.length - 16));
        buf[at] = (buf[at] ?? 0) ^ (1 << int(8));
      }
      return buf;
    }
    case 2: {
      // Truncation, with or without fixing the header's length.
      const cut = buf.subarray(0, int(buf.length + 1));
      return random() < 0.7 ? setLength(Buffer.from(cut)) : Buffer.from(cut);
    }
    case 3: {
      // A 1- or 2-octet length field inside the body set to a nearby or random value.
      if (buf.length <= bodyStart + 2) return buf;
      const at = bodyStart + int(buf.length - bodyStart - 1);
      const old = ((buf[at] ?? 0) << 8) | (buf[at + 1] ?? 0);
      const value = random() < 0.5 ? old + int(7) - 3 : int(0x10000);
      if (random() < 0.5) buf[at + 1] = value & 0xff;
      else {
        buf[at] = (value >> 8) & 0xff;
        buf[at + 1] = value & 0xff;
      }
      return buf;
    }
    case 4: {
      // The header's length field edited.
      const value = random() < 0.5 ? buf.length + int(9) - 4 : int(0x10000);
      buf[16] = (value >> 8) & 0xff;
      buf[17] = value & 0xff;
      return buf;
    }
    case 5: {
      // Splice: the head of one message with the tail of another.
      const other = pick();
      const head = buf.subarray(0, bodyStart + int(Math.max(1, buf.length - bodyStart)));
      const tail = other.subarray(bodyStart + int(Math.max(1, other.length - bodyStart)));
      return setLength(Buffer.concat([head, tail]).subarray(0, 4096));
    }
    case 6: {
      // Insert or delete a few octets in the body.
      const at = bodyStart + int(Math.max(1, buf.length - bodyStart));
      const insert = Buffer.alloc(int(4));
      for (let i = 0; i < insert.length; i++) insert[i] = int(256);
      const removed = random() < 0.5 ? int(4) : 0;
      return setLength(
        Buffer.concat([buf.subarray(0, at), insert, buf.subarray(at + removed)]).subarray(0, 4096),
      );
    }
    case 7: {
      // Several random octets overwritten.
      const edits = 1 + int(6);
      for (let i = 0; i < edits; i++)
        buf[bodyStart + int(Math.max(1, buf.length - bodyStart))] = int(256);
      return buf;
    }
    default: {
      // Plain random bytes, sometimes with a marker.
      const out = Buffer.alloc(int(64));
      for (let i = 0; i < out.length; i++) out[i] = int(256);
      if (random() < 0.5 && out.length >= 16) out.fill(0xff, 0, 16);
      return out;
    }
  }
}

function withoutErrors(message: BgpMessage): BgpMessage {
  if (message.type !== 'update' || message.errors === undefined) return message;
  const { errors: _errors, ...rest } = message;
  return rest;
}

/** Checks one input; returns the problem, or undefined when the codec behaved. */
export function checkInput(input: Buffer, ctx: WireContext, stats?: FuzzStats): string | undefined {
  let decoded: BgpMessage;
  try {
    decoded = decodeMessage(input, ctx);
  } catch (err) {
    if (err instanceof BgpWireError) {
      if (stats !== undefined) stats.wireErrors++;
      if (err.action !== 'session-reset')
        return `a thrown error must be a session reset, got ${err.action}`;
      return undefined;
    }
    return `decode threw ${describe(err)}`;
  }
  if (stats !== undefined) {
    stats.decoded++;
    if (decoded.type === 'update' && decoded.errors !== undefined) stats.softErrors++;
  }
  // The decoded value must survive encoding and decoding unchanged.
  let encoded: Buffer;
  try {
    encoded = encodeMessage(decoded, ctx);
  } catch (err) {
    // Re-encoding may grow a message past 4096 octets (MP attributes always use
    // the extended length); that is the only refusal allowed.
    if (isIronlbError(err) && !isBgpWireError(err) && /4096/.test(err.message)) return undefined;
    return `re-encoding the decoded message threw ${describe(err)}`;
  }
  let again: BgpMessage;
  try {
    again = decodeMessage(encoded, ctx);
  } catch (err) {
    return `decoding the re-encoded message threw ${describe(err)}`;
  }
  if (!isDeepStrictEqual(withoutErrors(again), withoutErrors(decoded))) {
    return `decode(encode(decoded)) differs: ${JSON.stringify(withoutErrors(decoded))} vs ${JSON.stringify(withoutErrors(again))}`;
  }
  return undefined;
}

function checkReader(input: Buffer, cut: number): string | undefined {
  const reader = new MessageReader();
  try {
    reader.push(input.subarray(0, cut));
    reader.drain();
    reader.push(input.subarray(cut));
    reader.drain();
  } catch (err) {
    if (!(err instanceof BgpWireError)) return `the reader threw ${describe(err)}`;
  }
  return undefined;
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ''}` : String(err);
}

export function runFuzz(options: FuzzOptions): FuzzStats {
  const random = prng(options.seed);
  const seeds = seedCorpus();
  const stats: FuzzStats = {
    iterations: 0,
    decoded: 0,
    softErrors: 0,
    wireErrors: 0,
    crashers: [],
  };
  const every = options.progressEvery ?? 100_000;
  const maxCrashers = options.maxCrashers ?? 20;
  for (let i = 0; i < options.iterations; i++) {
    const input = mutate(seeds, random);
    const ctx = CONTEXTS[Math.floor(random() * CONTEXTS.length)]!;
    const problem =
      checkInput(input, ctx, stats) ??
      (i % 8 === 0 ? checkReader(input, Math.floor(random() * (input.length + 1))) : undefined);
    if (problem !== undefined) {
      stats.crashers.push({ hex: input.toString('hex'), ctx, problem });
      if (stats.crashers.length >= maxCrashers) break;
    }
    stats.iterations = i + 1;
    if (options.onProgress !== undefined && stats.iterations % every === 0)
      options.onProgress(stats);
  }
  return stats;
}
