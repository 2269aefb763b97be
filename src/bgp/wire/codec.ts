import { encodeError } from './errors.ts';
import { DEFAULT_WIRE_CONTEXT } from './context.ts';
import type { WireContext } from './context.ts';

/**
 * One codec per message, capability and attribute (dns-packet style). Every
 * codec works on its complete wire form (a message with its header, a
 * capability or attribute with its type and length), so each can be
 * round-tripped on its own.
 */
export interface WireCodec<T> {
  readonly name: string;
  /** Octets `encode` will produce for `value`. */
  readonly encodingLength: (value: T, ctx?: WireContext) => number;
  /**
   * Encodes `value`. Without `target`, into a fresh buffer of exactly
   * `encodingLength` octets; with one, at `offset` in it. Returns the buffer.
   */
  readonly encode: (value: T, ctx?: WireContext, target?: Buffer, offset?: number) => Buffer;
  /** Writes `value` at `offset` and returns the offset after it (for composing codecs). */
  readonly write: (value: T, buf: Buffer, offset: number, ctx: WireContext) => number;
  /** Decodes exactly `bytes`; throws only `BgpWireError`. */
  readonly decode: (bytes: Buffer, ctx?: WireContext) => T;
}

export interface CodecParts<T> {
  readonly name: string;
  encodingLength(value: T, ctx: WireContext): number;
  write(value: T, buf: Buffer, offset: number, ctx: WireContext): number;
  decode(bytes: Buffer, ctx: WireContext): T;
}

export function defineCodec<T>(parts: CodecParts<T>): WireCodec<T> {
  return {
    name: parts.name,
    encodingLength: (value, ctx = DEFAULT_WIRE_CONTEXT) => parts.encodingLength(value, ctx),
    write: (value, buf, offset, ctx) => parts.write(value, buf, offset, ctx),
    encode(value, ctx = DEFAULT_WIRE_CONTEXT, target, offset = 0) {
      const buf = target ?? Buffer.alloc(parts.encodingLength(value, ctx));
      parts.write(value, buf, offset, ctx);
      return buf;
    },
    decode: (bytes, ctx = DEFAULT_WIRE_CONTEXT) => parts.decode(bytes, ctx),
  };
}

/** Big-endian reads that never throw: callers check bounds first (missing octets read as 0). */
export function u8(buf: Uint8Array, at: number): number {
  return buf[at] ?? 0;
}

export function u16(buf: Uint8Array, at: number): number {
  return ((buf[at] ?? 0) << 8) | (buf[at + 1] ?? 0);
}

export function u32(buf: Uint8Array, at: number): number {
  return (
    (((buf[at] ?? 0) << 24) |
      ((buf[at + 1] ?? 0) << 16) |
      ((buf[at + 2] ?? 0) << 8) |
      (buf[at + 3] ?? 0)) >>>
    0
  );
}

export function writeU16(buf: Uint8Array, at: number, value: number): void {
  buf[at] = value >>> 8;
  buf[at + 1] = value & 0xff;
}

export function writeU32(buf: Uint8Array, at: number, value: number): void {
  buf[at] = value >>> 24;
  buf[at + 1] = (value >>> 16) & 0xff;
  buf[at + 2] = (value >>> 8) & 0xff;
  buf[at + 3] = value & 0xff;
}

/** Refuses a number that does not fit an unsigned field of `bits` bits. */
export function checkUint(value: number, bits: 8 | 16 | 32, what: string): number {
  const max = bits === 32 ? 0xffffffff : (1 << bits) - 1;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw encodeError(`${what} must be an integer 0-${max}, got ${String(value)}`);
  }
  return value;
}
