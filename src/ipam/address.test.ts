import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  formatAddress,
  formatAddressRange,
  parseAddress,
  parseAddressRange,
  rangeContains,
  rangeSize,
  rangesOverlap,
} from './address.ts';

describe('parseAddress / formatAddress', () => {
  it('parses IPv4 and IPv6 to integers and back', () => {
    assert.deepEqual(parseAddress('192.0.2.1'), {
      ok: true,
      value: { family: 4, value: 0xc0000201n },
    });
    assert.deepEqual(parseAddress('2001:db8::1'), {
      ok: true,
      value: { family: 6, value: 0x20010db8000000000000000000000001n },
    });
    assert.equal(formatAddress(4, 0xc0000201n), '192.0.2.1');
    assert.equal(formatAddress(6, 0x20010db8000000000000000000000001n), '2001:db8::1');
  });

  it('refuses shorthand IPv4, garbage, zones and IPv4-mapped IPv6', () => {
    for (const bad of ['10.1', '300.0.0.1', 'hello', '', 'fe80::1%eth0', '::ffff:192.0.2.1']) {
      assert.equal(parseAddress(bad).ok, false, bad);
    }
  });

  it('round-trips any address of either family', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({ family: fc.constant(4 as const), value: fc.bigInt(0n, 2n ** 32n - 1n) }),
          fc.record({ family: fc.constant(6 as const), value: fc.bigInt(0n, 2n ** 128n - 1n) }),
        ),
        ({ family, value }) => {
          const text = formatAddress(family, value);
          const parsed = parseAddress(text);
          // IPv4-mapped IPv6 is refused on purpose; everything else round-trips.
          if (!parsed.ok) return family === 6 && value >> 32n === 0xffffn;
          return parsed.value.family === family && parsed.value.value === value;
        },
      ),
    );
  });
});

describe('parseAddressRange', () => {
  const cases: Array<[string, string | undefined]> = [
    ['192.0.2.0/24', '192.0.2.0/24'],
    ['192.0.2.10-192.0.2.20', '192.0.2.10-192.0.2.20'],
    ['192.0.2.0-192.0.2.255', '192.0.2.0/24'],
    ['2001:db8::/64', '2001:db8::/64'],
    ['198.51.100.7', '198.51.100.7/32'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['192.0.2.1/24', undefined],
    ['192.0.2.0/33', undefined],
    ['192.0.2.0/x', undefined],
    ['192.0.2.20-192.0.2.10', undefined],
    ['192.0.2.1-2001:db8::1', undefined],
    ['nonsense', undefined],
    ['192.0.2.1-', undefined],
  ];
  for (const [input, formatted] of cases) {
    it(`${input} → ${formatted ?? 'error'}`, () => {
      const parsed = parseAddressRange(input);
      if (formatted === undefined) {
        assert.equal(parsed.ok, false);
        if (!parsed.ok) assert.ok(parsed.reason.includes(input.split('/')[0]!.split('-')[0]!));
      } else {
        assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
        assert.equal(formatAddressRange(parsed.value), formatted);
      }
    });
  }

  it('suggests the network when host bits are set', () => {
    const parsed = parseAddressRange('192.0.2.1/24');
    assert.equal(parsed.ok, false);
    assert.match(parsed.ok ? '' : parsed.reason, /did you mean 192\.0\.2\.0\/24/);
  });

  it('sizes, overlaps and containment, bigint-safe', () => {
    const v6 = parseAddressRange('2001:db8::/64');
    const v4 = parseAddressRange('192.0.2.0/28');
    const v4b = parseAddressRange('192.0.2.15-192.0.2.20');
    assert.ok(v6.ok && v4.ok && v4b.ok);
    assert.equal(rangeSize(v6.value), 2n ** 64n);
    assert.equal(rangeSize(v4.value), 16n);
    assert.equal(rangesOverlap(v4.value, v4b.value), true);
    assert.equal(rangesOverlap(v4.value, v6.value), false);
    assert.equal(rangeContains(v4.value, 4, 0xc000020fn), true);
    assert.equal(rangeContains(v4.value, 4, 0xc0000210n), false);
    assert.equal(rangeContains(v4.value, 6, 0xc000020fn), false);
  });
});
