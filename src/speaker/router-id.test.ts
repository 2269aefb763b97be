import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { sessionConfig } from '../bgp/session-config.ts';
import { defaultRouterId, nodeAddresses } from './router-id.ts';

describe('defaultRouterId', () => {
  it("is the node's IPv4 InternalIP, else its IPv4 ExternalIP", () => {
    assert.equal(
      defaultRouterId('n1', [
        { type: 'Hostname', address: 'n1' },
        { type: 'InternalIP', address: '2001:db8::1' },
        { type: 'ExternalIP', address: '198.51.100.1' },
        { type: 'InternalIP', address: '10.0.0.11' },
      ]),
      '10.0.0.11',
    );
    assert.equal(
      defaultRouterId('n1', [{ type: 'ExternalIP', address: '198.51.100.1' }]),
      '198.51.100.1',
    );
  });

  it('without a usable IPv4 address: the same identifier for the same name, a valid one', () => {
    fc.assert(
      fc.property(fc.domain(), (name) => {
        const id = defaultRouterId(name, [{ type: 'InternalIP', address: '2001:db8::7' }]);
        assert.equal(id, defaultRouterId(name, []));
        // The session accepts it: non-zero, not multicast.
        assert.doesNotThrow(() => sessionConfig({ localAs: 1, peerAs: 2, routerId: id }));
      }),
    );
    assert.notEqual(defaultRouterId('n1', []), defaultRouterId('n2', []));
  });

  it('reads status.addresses from model objects and plain JSON, tolerating junk', () => {
    assert.deepEqual(
      nodeAddresses({
        status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 1 }, null] },
      }),
      [{ type: 'InternalIP', address: '10.0.0.1' }],
    );
    assert.deepEqual(nodeAddresses(undefined), []);
    assert.deepEqual(nodeAddresses({ status: {} }), []);
  });
});
