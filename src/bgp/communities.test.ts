import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isIronlbError } from '../common/errors.ts';
import {
  formatCommunity,
  formatExtendedCommunity,
  formatLargeCommunity,
  parseCommunity,
  parseExtendedCommunity,
  parseLargeCommunity,
} from './communities.ts';
import { BgpSessionErrors } from './session-errors.ts';

const rejects = (parse: () => unknown, spec: { code: string }, label: string): void => {
  assert.throws(parse, (err: unknown) => isIronlbError(err) && err.code === spec.code, label);
};

describe('communities (RFC 1997)', () => {
  it('parses a:b and well-known names', () => {
    assert.equal(parseCommunity('64698:64699'), 0xfcbafcbb);
    assert.equal(parseCommunity('0:0'), 0);
    assert.equal(parseCommunity('no-export'), 0xffffff01);
    assert.equal(parseCommunity('NO-ADVERTISE'), 0xffffff02);
    assert.equal(parseCommunity('blackhole'), 0xffff029a);
    assert.equal(parseCommunity('graceful-shutdown'), 0xffff0000);
  });

  it('formats well-known values by name', () => {
    assert.equal(formatCommunity(0xffffff01), 'no-export');
    assert.equal(formatCommunity(parseCommunity('65535:65281')), 'no-export');
    assert.equal(formatCommunity(0xfcbafcbb), '64698:64699');
  });

  it('refuses out-of-range and malformed text with IRONLB_ERR_ROUTE_COMMUNITY', () => {
    for (const bad of [
      '65536:1',
      '1:65536',
      '1',
      '1:2:3',
      '-1:2',
      '01:2',
      'a:b',
      '',
      'no_export',
    ]) {
      rejects(() => parseCommunity(bad), BgpSessionErrors.IRONLB_ERR_ROUTE_COMMUNITY, bad);
    }
  });

  it('round-trips every 32-bit value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (value) => {
        assert.equal(parseCommunity(formatCommunity(value)), value);
      }),
    );
  });
});

describe('large communities (RFC 8092)', () => {
  it('parses with or without the "large:" prefix', () => {
    const expected = { globalAdministrator: 4200000000, localData1: 1, localData2: 2 };
    assert.deepEqual(parseLargeCommunity('4200000000:1:2'), expected);
    assert.deepEqual(parseLargeCommunity('large:4200000000:1:2'), expected);
    assert.equal(formatLargeCommunity(expected), '4200000000:1:2');
  });

  it('refuses malformed text with IRONLB_ERR_ROUTE_LARGE_COMMUNITY', () => {
    for (const bad of ['1:2', '1:2:3:4', '4294967296:0:0', 'x:1:2', '1::2']) {
      rejects(
        () => parseLargeCommunity(bad),
        BgpSessionErrors.IRONLB_ERR_ROUTE_LARGE_COMMUNITY,
        bad,
      );
    }
  });
});

describe('extended communities (RFC 4360)', () => {
  it('encodes route targets by administrator kind', () => {
    assert.equal(parseExtendedCommunity('rt:65000:100'), 0x0002fde800000064n);
    assert.equal(parseExtendedCommunity('rt:4200000000:100'), 0x0202fa56ea000064n);
    assert.equal(parseExtendedCommunity('rt:192.0.2.1:7'), 0x0102c00002010007n);
    assert.equal(parseExtendedCommunity('soo:65000:1'), 0x0003fde800000001n);
  });

  it('encodes link bandwidth as a non-transitive float32 in bytes per second', () => {
    // 10 Gbit/s = 1.25e9 bytes/s = 0x4e9502f9 as float32
    assert.equal(parseExtendedCommunity('lb:64698:1250000000'), 0x4004fcba4e9502f9n);
    assert.equal(formatExtendedCommunity(0x4004fcba4e9502f9n), 'lb:64698:1250000000');
    assert.equal(parseExtendedCommunity('lb:1:0'), 0x4004000100000000n);
    // Rounded to float32 and shown as such.
    assert.equal(
      formatExtendedCommunity(parseExtendedCommunity('lb:1:0.1')),
      'lb:1:0.10000000149011612',
    );
  });

  it('keeps anything else as raw hex', () => {
    assert.equal(parseExtendedCommunity('raw:0123456789ABCDEF'), 0x0123456789abcdefn);
    assert.equal(formatExtendedCommunity(0x0123456789abcdefn), 'raw:0123456789abcdef');
    // A 4-octet-AS route target with a small ASN would read back as 2-octet: stays raw.
    assert.equal(formatExtendedCommunity(0x0202000000010064n), 'raw:0202000000010064');
    // Negative bandwidth has no text form.
    assert.equal(formatExtendedCommunity(0x40040001bf800000n), 'raw:40040001bf800000');
  });

  it('refuses malformed text with IRONLB_ERR_ROUTE_EXTENDED_COMMUNITY', () => {
    for (const bad of [
      'rt:65000',
      'rt:65000:4294967296',
      'rt:4200000000:65536',
      'rt:192.0.2.1:65536',
      'rt:x:1',
      'lb:65536:1',
      'lb:1:-5',
      'lb:1:1e39',
      'lb:1:fast',
      'raw:0123',
      'color:1:2',
      '',
    ]) {
      rejects(
        () => parseExtendedCommunity(bad),
        BgpSessionErrors.IRONLB_ERR_ROUTE_EXTENDED_COMMUNITY,
        bad,
      );
    }
  });

  it('round-trips every 64-bit value through its text form', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (value) => {
        assert.equal(parseExtendedCommunity(formatExtendedCommunity(value)), value);
      }),
    );
    const interesting = fc.tuple(
      fc.constantFrom(0x00, 0x01, 0x02, 0x40),
      fc.constantFrom(0x02, 0x03, 0x04),
      fc.bigInt({ min: 0n, max: 2n ** 48n - 1n }),
    );
    fc.assert(
      fc.property(interesting, ([type, subtype, rest]) => {
        const value = (BigInt(type) << 56n) | (BigInt(subtype) << 48n) | rest;
        assert.equal(parseExtendedCommunity(formatExtendedCommunity(value)), value);
      }),
    );
  });
});
