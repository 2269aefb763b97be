import { writeMpReachPrefix } from './attributes/mp-reach-nlri.ts';
import { writeMpUnreachPrefix } from './attributes/mp-unreach-nlri.ts';
import { writeU16 } from './codec.ts';
import {
  AttributeFlag,
  AttributeType,
  MAX_MESSAGE_LENGTH,
  MARKER_LENGTH,
  MessageType,
} from './constants.ts';
import type { AddressFamily, WireContext } from './context.ts';
import { encodeError } from './errors.ts';
import { encodePathAttributes } from './path-attributes.ts';
import type { PathAttributes } from './path-attributes.ts';
import { writePrefixWithin } from './prefix.ts';
import type { IpVersion, Prefix } from './prefix.ts';

export interface PackOptions {
  /** Largest message to produce: 4096 by default (RFC 4271 §4.1); smaller only for tests. */
  readonly maxMessageLength?: number;
  /** A buffer to write into when it is large enough, so batches can reuse one allocation. */
  readonly into?: Buffer;
  /**
   * Where in `into` to start (default 0), so several packs can fill one
   * buffer back to back. When the room from there is too small, a fresh
   * buffer is used instead: compare `bytes.buffer` with `into.buffer`.
   */
  readonly offset?: number;
  /**
   * Pack only the first `count` prefixes of the list (default: all), so a
   * caller can refill one array for every batch instead of slicing a new one.
   */
  readonly count?: number;
}

/** UPDATE messages back to back in one buffer, ready for a single socket write. */
export interface PackedUpdates {
  readonly bytes: Buffer;
  readonly messageCount: number;
  readonly prefixCount: number;
}

const EMPTY: PackedUpdates = { bytes: Buffer.alloc(0), messageCount: 0, prefixCount: 0 };
/** Extended length flag set: the MP attributes of packed messages often exceed 255 octets. */
const MP_FLAGS = AttributeFlag.OPTIONAL | AttributeFlag.EXTENDED_LENGTH;

function maxLengthOf(options: PackOptions): number {
  const max = options.maxMessageLength ?? MAX_MESSAGE_LENGTH;
  if (!Number.isInteger(max) || max < 64 || max > MAX_MESSAGE_LENGTH) {
    throw encodeError(`maxMessageLength must be 64-4096, got ${max}`);
  }
  return max;
}

function countOf(prefixes: readonly Prefix[], options: PackOptions): number {
  const count = options.count ?? prefixes.length;
  if (!Number.isInteger(count) || count < 0 || count > prefixes.length) {
    throw encodeError(`count must be 0-${prefixes.length}, got ${count}`);
  }
  return count;
}

/** A buffer for `capacity` octets and where to start in it: the caller's when large enough. */
function bufferFor(capacity: number, options: PackOptions): { buf: Buffer; start: number } {
  const offset = options.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) {
    throw encodeError(`offset must be a non-negative integer, got ${offset}`);
  }
  return options.into !== undefined && options.into.length - offset >= capacity
    ? { buf: options.into, start: offset }
    : { buf: Buffer.allocUnsafe(capacity), start: 0 };
}

/** Upper bound on the octets of all messages: every message full of the largest prefixes. */
function capacityFor(count: number, fixed: number, budget: number, maxPrefix: number): number {
  const perMessage = Math.floor(budget / maxPrefix);
  if (perMessage < 1)
    throw encodeError(`the attributes leave ${budget} octets per message: no room for NLRI`);
  return Math.ceil(count / perMessage) * fixed + count * maxPrefix;
}

function startMessage(buf: Buffer, start: number): void {
  buf.fill(0xff, start, start + MARKER_LENGTH);
  buf[start + 18] = MessageType.UPDATE;
}

/**
 * Writes prefixes[from..] from `pos` until one would pass `limit`; returns
 * the new position and index. The hot loop: no allocation per prefix.
 */
function fill(
  prefixes: readonly string[],
  count: number,
  from: number,
  version: IpVersion,
  buf: Buffer,
  pos: number,
  limit: number,
): { pos: number; index: number } {
  let index = from;
  let at = pos;
  while (index < count) {
    const next = writePrefixWithin(prefixes[index] ?? '', version, buf, at, limit);
    if (next < 0) break;
    at = next;
    index++;
  }
  if (index === from)
    throw encodeError(`prefix "${prefixes[from]}" does not fit in an UPDATE with these attributes`);
  return { pos: at, index };
}

function requireMandatory(attributes: PathAttributes, needsNextHop: boolean): void {
  // RFC 4271 §5 / RFC 4760 §3: without these a receiver treats the routes as withdrawn (RFC 7606 §3).
  const missing: string[] = [];
  if (attributes.origin === undefined) missing.push('ORIGIN');
  if (attributes.asPath === undefined) missing.push('AS_PATH');
  if (needsNextHop && attributes.nextHop === undefined) missing.push('NEXT_HOP');
  if (missing.length > 0) throw encodeError(`announcements need ${missing.join(', ')}`);
}

/**
 * Packs announcements of `prefixes`, all with the same `attributes`, into as
 * few UPDATEs as 4096 octets allow. The attributes are encoded once. IPv4
 * prefixes go in the NLRI field; when `attributes.mpReach` is given (its
 * next hop and family, with an empty `nlri`), the prefixes go in
 * MP_REACH_NLRI instead (IPv6, RFC 4760 §3). Prefixes are canonical text
 * ("192.0.2.1/32", "2001:db8::/64"); anything else throws the encode error.
 *
 * The output is byte-identical to encoding each message with `updateMessage`.
 */
export function packAnnouncements(
  attributes: PathAttributes,
  prefixes: readonly Prefix[],
  ctx: WireContext,
  options: PackOptions = {},
): PackedUpdates {
  const max = maxLengthOf(options);
  const count = countOf(prefixes, options);
  const { mpReach, ...others } = attributes;
  if (attributes.mpUnreach !== undefined)
    throw encodeError('announcements cannot carry MP_UNREACH_NLRI; pack withdrawals separately');
  requireMandatory(attributes, mpReach === undefined);
  if (count === 0) return EMPTY;

  if (mpReach === undefined) {
    const block = encodePathAttributes(attributes, ctx);
    const fixed = 23 + block.length;
    const { buf, start: first } = bufferFor(capacityFor(count, fixed, max - fixed, 5), options);
    let pos = first;
    let index = 0;
    let messages = 0;
    while (index < count) {
      const start = pos;
      startMessage(buf, start);
      writeU16(buf, start + 19, 0);
      writeU16(buf, start + 21, block.length);
      block.copy(buf, start + 23);
      ({ pos, index } = fill(prefixes, count, index, 4, buf, start + fixed, start + max));
      writeU16(buf, start + 16, pos - start);
      messages++;
    }
    return {
      bytes: buf.subarray(first, pos),
      messageCount: messages,
      prefixCount: count,
    };
  }

  if (mpReach.family === 'other')
    throw encodeError('the packer handles ipv4-unicast and ipv6-unicast only');
  if (mpReach.nlri.length > 0)
    throw encodeError('pass the prefixes as the list, not in attributes.mpReach.nlri');
  const version: IpVersion = mpReach.family === 'ipv4-unicast' ? 4 : 6;
  const rest = encodePathAttributes(others, ctx);
  const mpHead = Buffer.alloc(64);
  const mpHeadLength = writeMpReachPrefix(mpReach, mpHead, 0);
  // Header, withdrawn length, attribute length, MP_REACH header (4) and its fixed part, other attributes.
  const fixed = 23 + 4 + mpHeadLength + rest.length;
  const { buf, start: first } = bufferFor(
    capacityFor(count, fixed, max - fixed, version === 4 ? 5 : 17),
    options,
  );
  let pos = first;
  let index = 0;
  let messages = 0;
  while (index < count) {
    const start = pos;
    startMessage(buf, start);
    writeU16(buf, start + 19, 0);
    // RFC 7606 §5.1: MP_REACH_NLRI goes first.
    buf[start + 23] = MP_FLAGS;
    buf[start + 24] = AttributeType.MP_REACH_NLRI;
    mpHead.copy(buf, start + 27, 0, mpHeadLength);
    const nlriStart = start + 27 + mpHeadLength;
    ({ pos, index } = fill(
      prefixes,
      count,
      index,
      version,
      buf,
      nlriStart,
      start + max - rest.length,
    ));
    writeU16(buf, start + 25, pos - (start + 27));
    rest.copy(buf, pos);
    pos += rest.length;
    writeU16(buf, start + 21, pos - (start + 23));
    writeU16(buf, start + 16, pos - start);
    messages++;
  }
  return { bytes: buf.subarray(first, pos), messageCount: messages, prefixCount: count };
}

/**
 * Packs withdrawals of `prefixes` into as few UPDATEs as possible: IPv4 in
 * the Withdrawn Routes field (RFC 4271 §4.3), IPv6 in MP_UNREACH_NLRI
 * (RFC 4760 §4). Byte-identical to encoding each message with `updateMessage`.
 */
export function packWithdrawals(
  family: AddressFamily,
  prefixes: readonly Prefix[],
  _ctx: WireContext,
  options: PackOptions = {},
): PackedUpdates {
  const max = maxLengthOf(options);
  const count = countOf(prefixes, options);
  if (count === 0) return EMPTY;
  let index = 0;
  let messages = 0;
  if (family === 'ipv4-unicast') {
    const { buf, start: first } = bufferFor(capacityFor(count, 23, max - 23, 5), options);
    let pos = first;
    while (index < count) {
      const start = pos;
      startMessage(buf, start);
      ({ pos, index } = fill(prefixes, count, index, 4, buf, start + 21, start + max - 2));
      writeU16(buf, start + 19, pos - (start + 21));
      writeU16(buf, pos, 0);
      pos += 2;
      writeU16(buf, start + 16, pos - start);
      messages++;
    }
    return {
      bytes: buf.subarray(first, pos),
      messageCount: messages,
      prefixCount: count,
    };
  }
  const fixed = 23 + 4 + 3;
  const { buf, start: first } = bufferFor(capacityFor(count, fixed, max - fixed, 17), options);
  let pos = first;
  while (index < count) {
    const start = pos;
    startMessage(buf, start);
    writeU16(buf, start + 19, 0);
    buf[start + 23] = MP_FLAGS;
    buf[start + 24] = AttributeType.MP_UNREACH_NLRI;
    writeMpUnreachPrefix({ family, withdrawn: [] }, buf, start + 27);
    ({ pos, index } = fill(prefixes, count, index, 6, buf, start + fixed, start + max));
    writeU16(buf, start + 25, pos - (start + 27));
    writeU16(buf, start + 21, pos - (start + 23));
    writeU16(buf, start + 16, pos - start);
    messages++;
  }
  return { bytes: buf.subarray(first, pos), messageCount: messages, prefixCount: count };
}
