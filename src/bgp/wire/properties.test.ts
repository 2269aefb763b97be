import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { ipv4Prefix, ipv6Prefix, messageInContext } from '../../../test/support/bgp-arbitraries.ts';
import { messageVectors, bytes } from '../../../test/support/bgp-golden-vectors.ts';
import { assertValueRoundTrip } from '../../../test/support/bgp-round-trip.ts';
import {
  bgpMessage,
  BgpWireError,
  DEFAULT_WIRE_CONTEXT,
  decodeMessage,
  formatIpv6,
  ipv6Bytes,
  MessageReader,
  normalizePrefix,
  parsePrefix,
} from './index.ts';

function onlyWireErrors(run: () => unknown): void {
  try {
    run();
  } catch (err) {
    if (!(err instanceof BgpWireError)) throw err;
  }
}

describe('properties', () => {
  it('decode(encode(message)) = message for arbitrary messages', () => {
    fc.assert(
      fc.property(messageInContext, ({ message, ctx }) =>
        assertValueRoundTrip(bgpMessage, message, ctx),
      ),
      { numRuns: 300 },
    );
  });

  it('arbitrary bytes make the decoder return or throw BgpWireError, nothing else', () => {
    const marker = Buffer.alloc(16, 0xff);
    const framed = fc
      .tuple(fc.integer({ min: 0, max: 6 }), fc.uint8Array({ maxLength: 120 }))
      .map(([type, body]) => {
        const length = 19 + body.length;
        return Buffer.concat([marker, Buffer.from([length >> 8, length & 0xff, type]), body]);
      });
    const raw = fc.uint8Array({ maxLength: 80 }).map((b) => Buffer.from(b));
    fc.assert(
      fc.property(
        fc.oneof(framed, raw),
        fc.boolean(),
        fc.boolean(),
        (buf, fourOctetAs, external) => {
          onlyWireErrors(() => decodeMessage(buf, { fourOctetAs, external }));
          onlyWireErrors(() => {
            const reader = new MessageReader();
            reader.push(buf);
            reader.drain();
          });
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('golden messages with arbitrary bytes overwritten still only produce BgpWireError', () => {
    const seeds = messageVectors.map((v) => bytes(v.hex));
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (seed, edits) => {
          const buf = Buffer.from(seed);
          // Keep the marker and length so the body parsers, not the header check, see the damage.
          for (const [at, value] of edits) buf[19 + (at % Math.max(1, buf.length - 19))] = value;
          onlyWireErrors(() => decodeMessage(buf, DEFAULT_WIRE_CONTEXT));
          onlyWireErrors(() => decodeMessage(buf, { fourOctetAs: false, external: false }));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('prefix text survives parse and format; IPv6 text is RFC 5952 like ipaddr.js writes it', () => {
    fc.assert(
      fc.property(fc.oneof(ipv4Prefix, ipv6Prefix), (prefix) => {
        const parsed = parsePrefix(prefix);
        assert.equal(normalizePrefix(prefix), prefix);
        assert.equal(parsed.address.length, parsed.version === 4 ? 4 : 16);
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (address) => {
        const expected = ipaddr.fromByteArray([...address]) as ipaddr.IPv6;
        assert.equal(formatIpv6(address), expected.toRFC5952String());
        assert.deepEqual(ipv6Bytes(expected.toNormalizedString()), Buffer.from(address));
        assert.deepEqual(ipv6Bytes(formatIpv6(address)), Buffer.from(address));
      }),
      { numRuns: 500 },
    );
  });
});
