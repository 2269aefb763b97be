import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasAnyRoute, parseRouteNextHops, routeEventDestination } from './kernel-routes.ts';

describe('kernel route parsing', () => {
  it('reads the next hops of multipath and single-path routes', () => {
    const json = JSON.stringify([
      {
        dst: '203.0.113.130',
        nexthops: [
          { gateway: '192.0.2.5', dev: 'n2' },
          { gateway: '192.0.2.3', dev: 'n1' },
        ],
      },
      { dst: '203.0.113.131', gateway: '192.0.2.7', dev: 'n3' },
      { dst: '203.0.113.132', type: 'unreachable' },
    ]);
    assert.deepEqual(parseRouteNextHops(json), [
      { gateway: '192.0.2.3', dev: 'n1' },
      { gateway: '192.0.2.5', dev: 'n2' },
      { gateway: '192.0.2.7', dev: 'n3' },
    ]);
    assert.deepEqual(parseRouteNextHops(''), []);
    assert.equal(hasAnyRoute('[]'), false);
    assert.equal(hasAnyRoute(json), true);
  });

  it('finds the destination of `ip -o monitor route` lines (as ip prints them)', () => {
    const cases: Array<[string, string | undefined]> = [
      [
        '203.0.113.5 \\\tnexthop via 192.0.2.2 dev va weight 1 \\\tnexthop via 192.0.2.3 dev va weight 1 ',
        '203.0.113.5',
      ],
      ['203.0.113.5 via 192.0.2.2 dev va ', '203.0.113.5'],
      ['Deleted 203.0.113.5 via 192.0.2.2 dev va ', '203.0.113.5'],
      [
        '2001:db8:5:: proto bird metric 32 pref medium\\\tnexthop via 2001:db8::2 dev va',
        '2001:db8:5::',
      ],
      ['203.0.113.0/24 dev va proto kernel scope link', '203.0.113.0/24'],
      ['2001:db8:5::1/128 via 2001:db8::2 dev va', '2001:db8:5::1'],
      [
        'local fe80::c47b:afff:fe95:67b4 dev vb table local proto kernel metric 0',
        'fe80::c47b:afff:fe95:67b4',
      ],
      ['Deleted unreachable 203.0.113.9 proto bird', '203.0.113.9'],
      ['default via 192.0.2.1 dev up', undefined],
      ['', undefined],
    ];
    for (const [line, expected] of cases) assert.equal(routeEventDestination(line), expected, line);
  });
});
