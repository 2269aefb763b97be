import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { ipv4Prefix, ipv6Prefix, messageInContext } from '../../../test/support/bgp-arbitraries.ts';
import { messageVectors, bytes } from '../../../test/support/bgp-golden-vectors.ts';
import { assertValueRoundTrip } from '../../../test/support/bgp-round-trip.ts';
import { IPV6_CANONICAL, IPV6_INVALID, IPV6_VALID, parseIpv6Text } from './ip-address.ts';
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

  // Groups are mostly zero so that runs of zeros (and ties between runs) are common.
  const zeroHeavyAddress = fc
    .array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff })), {
      minLength: 8,
      maxLength: 8,
    })
    .map((groups) => Uint8Array.from(groups.flatMap((g) => [g >> 8, g & 0xff])));

  it('formats zero-heavy IPv6 addresses as RFC 5952 says (ipaddr.js as the oracle)', () => {
    fc.assert(
      fc.property(zeroHeavyAddress, (address) => {
        const expected = ipaddr.fromByteArray([...address]) as ipaddr.IPv6;
        assert.equal(formatIpv6(address), expected.toRFC5952String());
      }),
      { numRuns: 1000 },
    );
  });

  it('parses every RFC 4291 text form of an address to its octets', () => {
    const form = fc.record({
      upper: fc.boolean(),
      padTo: fc.integer({ min: 1, max: 4 }),
      // Which run of zero groups to elide (any, not only the longest), if any.
      elide: fc.nat(),
      dottedTail: fc.boolean(),
      // Elide all but the last zero group of the run ("1::0:2"): valid, never canonical.
      elidePart: fc.boolean(),
    });
    fc.assert(
      fc.property(zeroHeavyAddress, form, (address, f) => {
        const groups = Array.from(
          { length: 8 },
          (_, g) => ((address[2 * g] ?? 0) << 8) | (address[2 * g + 1] ?? 0),
        );
        const words = groups.map((g) => g.toString(16).padStart(f.padTo, '0'));
        if (f.dottedTail) {
          words.splice(6, 2, `${address[12]}.${address[13]}.${address[14]}.${address[15]}`);
        }
        const runs: Array<[number, number]> = [];
        for (let g = 0; g < words.length; g++) {
          if (groups[g] !== 0 || (f.dottedTail && g >= 6)) continue;
          let end = g;
          while (end < words.length && groups[end] === 0 && !(f.dottedTail && end >= 6)) end++;
          runs.push([g, end]);
          g = end;
        }
        let text = words.join(':');
        const run = runs.length > 0 ? runs[f.elide % (runs.length + 1)] : undefined;
        if (run !== undefined) {
          const runEnd = f.elidePart && run[1] - run[0] > 1 ? run[1] - 1 : run[1];
          text = `${words.slice(0, run[0]).join(':')}::${words.slice(runEnd).join(':')}`;
        }
        if (f.upper) text = text.toUpperCase();
        assert.deepEqual(ipv6Bytes(text), Buffer.from(address), text);
        const out = new Uint8Array(16);
        assert.equal(
          parseIpv6Text(text, 0, text.length, out, 0),
          text === formatIpv6(address) ? IPV6_CANONICAL : IPV6_VALID,
          text,
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('parseIpv6Text calls the RFC 5952 text alone canonical, within text[start, end)', () => {
    fc.assert(
      fc.property(zeroHeavyAddress, fc.integer({ min: 0, max: 5 }), (address, pad) => {
        const ip = ipaddr.fromByteArray([...address]) as ipaddr.IPv6;
        const canonical = ip.toRFC5952String();
        const out = new Uint8Array(16);
        for (const text of [
          canonical,
          ip.toNormalizedString(),
          ip.parts.map((part) => part.toString(16).padStart(4, '0')).join(':'),
          canonical.toUpperCase(),
        ]) {
          const expected = text === canonical ? IPV6_CANONICAL : IPV6_VALID;
          assert.equal(parseIpv6Text(text, 0, text.length, out, 0), expected, text);
          assert.deepEqual(out, address);
        }
        const framed = `${'x'.repeat(pad)}${canonical}/128`;
        const end = pad + canonical.length;
        assert.equal(parseIpv6Text(framed, pad, end, out, 0), IPV6_CANONICAL);
        assert.equal(parseIpv6Text(framed, pad, end + 1, out, 0), IPV6_INVALID);
      }),
      { numRuns: 1000 },
    );
  });
});
