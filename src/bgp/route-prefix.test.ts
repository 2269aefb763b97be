import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isIronlbError } from '../common/errors.ts';
import { parseAddressOrUndefined, parsePrefix } from './route-prefix.ts';
import { BgpSessionErrors } from './session-errors.ts';

describe('parsePrefix', () => {
  it('canonicalises IPv4 and IPv6 prefixes and keeps the octets', () => {
    const v4 = parsePrefix('192.0.2.0/24');
    assert.deepEqual(
      { text: v4.text, family: v4.family, length: v4.length, address: v4.address },
      {
        text: '192.0.2.0/24',
        family: 'ipv4-unicast',
        length: 24,
        address: Uint8Array.of(192, 0, 2, 0),
      },
    );
    const v6 = parsePrefix('2001:DB8:0:0::1/128');
    assert.equal(v6.text, '2001:db8::1/128');
    assert.equal(v6.family, 'ipv6-unicast');
    assert.deepEqual(
      v6.address,
      Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1),
    );
    assert.equal(parsePrefix('2001:db8:0:0:1:0:0:0/80').text, '2001:db8:0:0:1::/80');
  });

  it('reads a bare address as a host route', () => {
    assert.equal(parsePrefix('198.51.100.7').text, '198.51.100.7/32');
    assert.equal(parsePrefix('::1').text, '::1/128');
  });

  it('accepts /0', () => {
    assert.equal(parsePrefix('0.0.0.0/0').text, '0.0.0.0/0');
    assert.equal(parsePrefix('::/0').text, '::/0');
  });

  it('refuses host bits with a suggestion, and malformed text, with IRONLB_ERR_ROUTE_PREFIX', () => {
    const cases: Array<[string, RegExp]> = [
      ['192.0.2.1/24', /did you mean 192\.0\.2\.0\/24\?/],
      ['2001:db8::1/64', /did you mean 2001:db8::\/64\?/],
      ['192.0.2.0/33', /prefix length/],
      ['192.0.2.0/024', /prefix length/],
      ['192.0.2.0/', /prefix length/],
      ['2001:db8::/129', /prefix length/],
      ['10.1/8', /not an IPv4 or IPv6/],
      ['010.0.0.0/8', /not an IPv4 or IPv6/],
      ['256.0.0.0/8', /not an IPv4 or IPv6/],
      ['1.2.3.4.5/32', /not an IPv4 or IPv6/],
      ['fe80::1%eth0/128', /not an IPv4 or IPv6/],
      ['::ffff:192.0.2.1/128', /not an IPv4 or IPv6/],
      ['', /not an IPv4 or IPv6/],
      [' 192.0.2.1/32', /not an IPv4 or IPv6/],
    ];
    for (const [text, message] of cases) {
      assert.throws(
        () => parsePrefix(text),
        (err: unknown) =>
          isIronlbError(err, BgpSessionErrors.IRONLB_ERR_ROUTE_PREFIX) && message.test(err.message),
        text,
      );
    }
  });

  it('round-trips: the canonical text parses to itself', () => {
    const v4 = fc
      .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }))
      .map(([value, length]) => {
        const masked = length === 0 ? 0 : (value >>> (32 - length)) << (32 - length);
        const n = masked >>> 0;
        return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/${length}`;
      });
    const v6 = fc
      .tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 128 }))
      .map(([bytes, length]) => {
        const masked = bytes.map(
          (b, i) => b & ((0xff << (8 - Math.min(8, Math.max(0, length - i * 8)))) & 0xff),
        );
        const groups: string[] = [];
        for (let i = 0; i < 16; i += 2)
          groups.push(((masked[i]! << 8) | masked[i + 1]!).toString(16));
        return `${groups.join(':')}/${length}`;
      });
    fc.assert(
      fc.property(fc.oneof(v4, v6), (text) => {
        const once = parsePrefix(text);
        const again = parsePrefix(once.text);
        assert.equal(again.text, once.text);
        assert.equal(again.length, once.length);
        assert.deepEqual(again.address, once.address);
      }),
    );
  });
});

describe('parseAddressOrUndefined', () => {
  it('parses both families and refuses the rest', () => {
    assert.equal(parseAddressOrUndefined('192.0.2.1')?.family, 'ipv4-unicast');
    assert.equal(parseAddressOrUndefined('2001:db8::1')?.text, '2001:db8::1');
    for (const bad of ['192.0.2', 'x', '1.2.3.4/32', '::ffff:1.2.3.4']) {
      assert.equal(parseAddressOrUndefined(bad), undefined, bad);
    }
  });
});
