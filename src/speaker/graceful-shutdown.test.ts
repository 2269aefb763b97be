import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalRoute } from '../bgp/route.ts';
import { GRACEFUL_SHUTDOWN_COMMUNITY, gracefulShutdownRoutes } from './graceful-shutdown.ts';

describe('gracefulShutdownRoutes', () => {
  const routes = [
    {
      prefix: '10.0.0.1/32',
      attributes: { communities: ['64698:64699'], largeCommunities: ['64698:1:1'], localPref: 150 },
    },
    { prefix: '2001:db8::1/128', attributes: {} },
  ];

  it('adds GRACEFUL_SHUTDOWN (65535:0) and keeps the rest; eBGP keeps its localPref as is', () => {
    const drained = gracefulShutdownRoutes(routes, false);
    assert.deepEqual(drained, [
      {
        prefix: '10.0.0.1/32',
        attributes: {
          communities: ['64698:64699', '65535:0'],
          largeCommunities: ['64698:1:1'],
          localPref: 150,
        },
      },
      { prefix: '2001:db8::1/128', attributes: { communities: ['65535:0'] } },
    ]);
    // The session reads it as the well-known community.
    assert.ok(canonicalRoute(drained[1]!).attributes.communities.includes(0xffff0000));
  });

  it('toward iBGP peers also LOCAL_PREF 0', () => {
    for (const route of gracefulShutdownRoutes(routes, true)) {
      assert.equal(route.attributes.localPref, 0);
      assert.ok(route.attributes.communities?.includes(GRACEFUL_SHUTDOWN_COMMUNITY));
    }
  });

  it('does not add the community twice', () => {
    const once = gracefulShutdownRoutes(routes, false);
    assert.deepEqual(gracefulShutdownRoutes(once, false), once);
  });
});
