import assert from 'node:assert/strict';
import type { WireCodec } from '../../src/bgp/wire/codec.ts';
import type { WireContext } from '../../src/bgp/wire/index.ts';

/**
 * The dns-packet round trip, used for every codec: `bytes` decodes to
 * `value`, `value` encodes to exactly `bytes` (fresh, at an offset in a
 * larger buffer, and through `write`), and `encodingLength` agrees.
 */
export function assertRoundTrip<T>(
  codec: WireCodec<T>,
  bytes: Buffer,
  value: T,
  ctx: WireContext,
): void {
  assert.deepStrictEqual(codec.decode(bytes, ctx), value, `${codec.name}: decode`);
  assert.equal(codec.encodingLength(value, ctx), bytes.length, `${codec.name}: encodingLength`);
  assert.equal(
    codec.encode(value, ctx).toString('hex'),
    bytes.toString('hex'),
    `${codec.name}: encode`,
  );

  const padded = Buffer.alloc(bytes.length + 8, 0xee);
  codec.encode(value, ctx, padded, 5);
  assert.equal(
    padded.subarray(5, 5 + bytes.length).toString('hex'),
    bytes.toString('hex'),
    `${codec.name}: encode at offset`,
  );
  assert.equal(padded[4], 0xee, `${codec.name}: nothing written before the offset`);
  assert.equal(padded[5 + bytes.length], 0xee, `${codec.name}: nothing written after the value`);

  const target = Buffer.alloc(bytes.length + 2);
  assert.equal(
    codec.write(value, target, 2, ctx),
    2 + bytes.length,
    `${codec.name}: write returns the end offset`,
  );
}

/** Rebuilds objects with the plain prototype (fast-check makes null-prototype ones); keeps Buffers. */
export function toPlain(value: unknown): unknown {
  if (Buffer.isBuffer(value) || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(toPlain);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
}

/** decode(encode(value)) equals value. */
export function assertValueRoundTrip<T>(codec: WireCodec<T>, value: T, ctx: WireContext): void {
  const encoded = codec.encode(value, ctx);
  assert.equal(encoded.length, codec.encodingLength(value, ctx), `${codec.name}: encodingLength`);
  assert.deepStrictEqual(
    codec.decode(encoded, ctx),
    toPlain(value),
    `${codec.name}: decode(encode(x))`,
  );
}
