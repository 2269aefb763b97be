import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crossFamilyNextHops } from './next-hop.ts';

describe('crossFamilyNextHops', () => {
  const dualStack = [
    { type: 'Hostname', address: 'n1' },
    { type: 'ExternalIP', address: '2001:db8:ff::2' },
    { type: 'InternalIP', address: '192.0.2.3' },
    { type: 'InternalIP', address: '2001:db8:f:1::2' },
  ];

  it("gives IPv6 routes on an IPv4 session the node's IPv6 InternalIP", () => {
    assert.deepEqual(crossFamilyNextHops('127.0.0.1', dualStack), {
      nextHopIpv6: '2001:db8:f:1::2',
    });
  });

  it("gives IPv4 routes on an IPv6 session the node's IPv4 InternalIP", () => {
    assert.deepEqual(crossFamilyNextHops('::1', dualStack), { nextHopIpv4: '192.0.2.3' });
  });

  it('falls back to an ExternalIP, and to nothing', () => {
    assert.deepEqual(
      crossFamilyNextHops('127.0.0.1', [{ type: 'ExternalIP', address: '2001:db8::9' }]),
      { nextHopIpv6: '2001:db8::9' },
    );
    assert.deepEqual(
      crossFamilyNextHops('127.0.0.1', [{ type: 'InternalIP', address: '192.0.2.3' }]),
      {},
    );
    assert.deepEqual(crossFamilyNextHops('not-an-address', dualStack), {});
  });
});
