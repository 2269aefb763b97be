import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withObject, withoutObject } from './config-objects.ts';
import { parseConfig } from './parse-config.ts';
import { advertisement, NS, pool } from './test-fixtures.ts';

describe('webhook helpers: the configuration as a change would leave it', () => {
  const current = {
    ipAddressPools: [
      pool('a', { addresses: ['10.0.0.0/24'] }),
      pool('b', { addresses: ['10.0.1.0/24'] }),
    ],
    bgpAdvertisements: [advertisement('adv', { ipAddressPools: ['b'] })],
  };

  it('an update replaces the object with the same namespace and name', () => {
    const updated = withObject(
      current,
      'IPAddressPool',
      pool('a', { addresses: ['10.0.1.128/25'] }),
    );
    assert.equal(updated.ipAddressPools?.length, 2);
    const result = parseConfig(updated);
    assert.equal(result.ok, false, 'the new range overlaps pool b');
    assert.equal(current.ipAddressPools.length, 2, 'the input is not modified');
  });

  it('a create adds the object', () => {
    const created = withObject(current, 'IPAddressPool', pool('c', { addresses: ['10.0.2.0/24'] }));
    assert.equal(created.ipAddressPools?.length, 3);
    assert.ok(parseConfig(created).ok);
    assert.equal(withObject({}, 'Community', { metadata: { name: 'x' } }).communities?.length, 1);
  });

  it('a delete that leaves a dangling reference is visible to the parse', () => {
    const deleted = withoutObject(current, 'IPAddressPool', NS, 'b');
    assert.deepEqual(
      deleted.ipAddressPools?.map((p) => (p as { metadata: { name: string } }).metadata.name),
      ['a'],
    );
    const result = parseConfig(deleted);
    assert.ok(!result.ok);
    assert.equal(result.errors[0]?.code, 'IRONLB_ERR_CONFIG_UNKNOWN_POOL');
    assert.equal(withoutObject(current, 'BGPPeer', NS, 'x').bgpPeers?.length, 0);
    assert.equal(withoutObject(current, 'IPAddressPool', 'other', 'a').ipAddressPools?.length, 2);
  });
});
