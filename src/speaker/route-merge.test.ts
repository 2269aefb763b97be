import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { comparePrefixes, coveringPrefix } from './route-merge.ts';

describe('prefixes', () => {
  it('coveringPrefix clears the host bits, IPv4 and IPv6', () => {
    assert.equal(coveringPrefix(4, 0x0a0000ffn, 24).text, '10.0.0.0/24');
    assert.equal(coveringPrefix(4, 0x0a0000ffn, 32).text, '10.0.0.255/32');
    assert.equal(coveringPrefix(4, 0xffffffffn, 1).text, '128.0.0.0/1');
    assert.equal(coveringPrefix(6, (0x20010db8n << 96n) | 0xabcdn, 64).text, '2001:db8::/64');
    assert.equal(coveringPrefix(6, (0x20010db8n << 96n) | 0xabcdn, 128).text, '2001:db8::abcd/128');
  });

  it('sorts IPv4 before IPv6, then by address, then shorter first', () => {
    const prefixes = [
      coveringPrefix(6, 1n, 128),
      coveringPrefix(4, 0x0a000000n, 32),
      coveringPrefix(4, 0x0a000000n, 24),
      coveringPrefix(4, 0x09000000n, 32),
    ];
    assert.deepEqual(
      prefixes.sort(comparePrefixes).map((p) => p.text),
      ['9.0.0.0/32', '10.0.0.0/24', '10.0.0.0/32', '::1/128'],
    );
  });
});
