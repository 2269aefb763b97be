import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pathAttributesFor, resolveNextHops } from './outbound-attributes.ts';
import { canonicalAttributes } from './route.ts';

const ROUTER_ID = 0x0a000001;

describe('resolveNextHops', () => {
  it('uses the connection address of each family, IPv4-mapped or the router ID across families', () => {
    assert.deepEqual(resolveNextHops('192.0.2.1', ROUTER_ID, {}), {
      ipv4: '192.0.2.1',
      ipv6: '::ffff:192.0.2.1',
    });
    assert.deepEqual(resolveNextHops('2001:db8::1', ROUTER_ID, {}), {
      ipv4: '10.0.0.1',
      ipv6: '2001:db8::1',
    });
  });

  it('prefers the configured next hops', () => {
    assert.deepEqual(
      resolveNextHops('192.0.2.1', ROUTER_ID, {
        nextHopIpv4: '198.51.100.1',
        nextHopIpv6: '2001:db8::9',
      }),
      { ipv4: '198.51.100.1', ipv6: '2001:db8::9' },
    );
  });
});

describe('pathAttributesFor', () => {
  const nextHops = { ipv4: '192.0.2.1', ipv6: '2001:db8::1' };
  const attributes = canonicalAttributes(
    {
      communities: ['no-export', '64698:1'],
      largeCommunities: ['64698:1:2'],
      extendedCommunities: ['rt:64698:7'],
      med: 10,
      localPref: 250,
    },
    'ipv4-unicast',
  );

  it('eBGP: AS_PATH of our AS, no LOCAL_PREF, the rest as given', () => {
    const wire = pathAttributesFor(attributes, 'ipv4-unicast', {
      internal: false,
      localAs: 64698,
      nextHops,
    });
    assert.deepEqual(wire.asPath, [{ type: 'sequence', asns: [64698] }]);
    assert.equal(wire.localPref, undefined);
    assert.equal(wire.nextHop, '192.0.2.1');
    assert.equal(wire.multiExitDisc, 10);
    assert.deepEqual(wire.communities, [64698 * 65536 + 1, 0xffffff01]);
    assert.deepEqual(wire.largeCommunities, [
      { globalAdministrator: 64698, localData1: 1, localData2: 2 },
    ]);
    const [extended] = wire.extendedCommunities ?? [];
    assert.equal(extended?.kind === 'raw' && extended.bytes.toString('hex'), '0002fcba00000007');
  });

  it('iBGP: empty AS_PATH, LOCAL_PREF (100 by default); IPv6 routes in MP_REACH_NLRI', () => {
    const wire = pathAttributesFor(attributes, 'ipv4-unicast', {
      internal: true,
      localAs: 64698,
      nextHops,
    });
    assert.deepEqual(wire.asPath, []);
    assert.equal(wire.localPref, 250);
    const plain = canonicalAttributes({}, 'ipv6-unicast');
    const v6 = pathAttributesFor(plain, 'ipv6-unicast', {
      internal: true,
      localAs: 64698,
      nextHops,
    });
    assert.equal(v6.localPref, 100);
    assert.equal(v6.nextHop, undefined);
    assert.deepEqual(v6.mpReach, { family: 'ipv6-unicast', nextHop: '2001:db8::1', nlri: [] });
    assert.equal(v6.communities, undefined);
  });
});
