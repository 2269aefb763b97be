import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isIronlbError } from '../common/errors.ts';
import { canonicalAttributes, canonicalRoute, formatAttributes } from './route.ts';
import { BgpSessionErrors } from './session-errors.ts';

describe('canonicalRoute', () => {
  it('sorts and deduplicates communities and normalises text', () => {
    const route = canonicalRoute({
      prefix: '2001:DB8::1/128',
      attributes: {
        nextHop: '2001:DB8::FFFF',
        communities: ['64698:64699', 'no-export', '1:1', '64698:64699', '65535:65281'],
        largeCommunities: ['large:2:1:1', '1:2:3', '1:2:3'],
        extendedCommunities: ['rt:65000:2', 'raw:0002fde800000001', 'rt:65000:1'],
        localPref: 200,
        med: 0,
      },
    });
    assert.equal(route.prefix.text, '2001:db8::1/128');
    assert.equal(route.attributes.nextHop, '2001:db8::ffff');
    assert.deepEqual(route.attributes.communities, [0x00010001, 0xfcbafcbb, 0xffffff01]);
    assert.deepEqual(formatAttributes(route.attributes), {
      nextHop: '2001:db8::ffff',
      communities: ['1:1', '64698:64699', 'no-export'],
      largeCommunities: ['1:2:3', '2:1:1'],
      extendedCommunities: ['rt:65000:1', 'rt:65000:2'],
      localPref: 200,
      med: 0,
    });
  });

  it('gives equal keys to equal attributes written differently, and different keys otherwise', () => {
    const a = canonicalAttributes(
      { communities: ['no-export', '1:1'], largeCommunities: ['large:1:2:3'] },
      'ipv4-unicast',
    );
    const b = canonicalAttributes(
      { communities: ['1:1', '65535:65281', '1:1'], largeCommunities: ['1:2:3'] },
      'ipv4-unicast',
    );
    assert.equal(a.key, b.key);
    const variants = [
      {},
      { nextHop: '192.0.2.1' },
      { communities: ['1:1'] },
      { largeCommunities: ['1:1:1'] },
      { extendedCommunities: ['rt:1:1'] },
      { localPref: 0 },
      { med: 0 },
      { localPref: 1, med: 0 },
    ];
    const keys = new Set(variants.map((v) => canonicalAttributes(v, 'ipv4-unicast').key));
    assert.equal(keys.size, variants.length);
  });

  it('leaves out empty lists and absent numbers when formatting', () => {
    assert.deepEqual(
      formatAttributes(canonicalAttributes({ communities: [] }, 'ipv4-unicast')),
      {},
    );
  });

  it('refuses bad attributes with their code and the route in the message', () => {
    const cases: Array<[object, { code: string }, RegExp]> = [
      [
        { nextHop: '2001:db8::1' },
        BgpSessionErrors.IRONLB_ERR_ROUTE_NEXT_HOP,
        /not an IPv4 address/,
      ],
      [{ nextHop: 'router' }, BgpSessionErrors.IRONLB_ERR_ROUTE_NEXT_HOP, /next hop "router"/],
      [{ communities: ['1:70000'] }, BgpSessionErrors.IRONLB_ERR_ROUTE_COMMUNITY, /"1:70000"/],
      [{ largeCommunities: ['1:2'] }, BgpSessionErrors.IRONLB_ERR_ROUTE_LARGE_COMMUNITY, /"1:2"/],
      [
        { extendedCommunities: ['rt:1'] },
        BgpSessionErrors.IRONLB_ERR_ROUTE_EXTENDED_COMMUNITY,
        /"rt:1"/,
      ],
      [{ localPref: -1 }, BgpSessionErrors.IRONLB_ERR_ROUTE_ATTRIBUTE, /localPref -1/],
      [{ med: 2 ** 32 }, BgpSessionErrors.IRONLB_ERR_ROUTE_ATTRIBUTE, /med 4294967296/],
      [{ med: 1.5 }, BgpSessionErrors.IRONLB_ERR_ROUTE_ATTRIBUTE, /med 1\.5/],
    ];
    for (const [attributes, spec, message] of cases) {
      assert.throws(
        () => canonicalRoute({ prefix: '192.0.2.1/32', attributes }),
        (err: unknown) =>
          isIronlbError(err) &&
          err.code === spec.code &&
          err.message.startsWith('route 192.0.2.1/32: ') &&
          message.test(err.message),
        JSON.stringify(attributes),
      );
    }
  });

  it('passes on errors that are not ours unchanged', () => {
    const hostile = {
      get communities(): string[] {
        throw new RangeError('boom');
      },
    };
    assert.throws(() => canonicalAttributes(hostile, 'ipv4-unicast'), RangeError);
  });
});
