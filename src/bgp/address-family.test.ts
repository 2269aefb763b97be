import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ADDRESS_FAMILIES, addressFamilyOf, afiSafiOf, isAddressFamily } from './address-family.ts';

describe('address families', () => {
  it('map to AFI/SAFI and back', () => {
    for (const family of ADDRESS_FAMILIES) assert.equal(addressFamilyOf(afiSafiOf(family)), family);
    assert.deepEqual(afiSafiOf('ipv6-unicast'), { afi: 2, safi: 1 });
  });

  it('leave unknown pairs unnamed', () => {
    for (const pair of [
      { afi: 1, safi: 2 },
      { afi: 1, safi: 133 },
      { afi: 25, safi: 1 },
    ]) {
      assert.equal(addressFamilyOf(pair), undefined, JSON.stringify(pair));
    }
    assert.equal(isAddressFamily('ipv4-unicast'), true);
    assert.equal(isAddressFamily('ipv4-multicast'), false);
  });
});
