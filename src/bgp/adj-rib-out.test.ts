import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isIronlbError } from '../common/errors.ts';
import { AdjRibOut, deltaSize, type RibDelta } from './adj-rib-out.ts';
import type { Route, RouteAttributes } from './route.ts';
import { BgpSessionErrors } from './session-errors.ts';

const A: RouteAttributes = { communities: ['64698:64699'] };
const B: RouteAttributes = { communities: ['64698:1'], localPref: 100 };

/** The peer's view after applying a delta: prefix → attribute key. */
function apply(view: Map<string, string>, delta: RibDelta): Map<string, string> {
  const next = new Map(view);
  const seen = new Set<string>();
  for (const group of delta.withdrawals) {
    for (const prefix of group.prefixes) {
      assert.equal(prefix.family, group.family);
      assert.ok(!seen.has(prefix.text), `${prefix.text} twice in one delta`);
      seen.add(prefix.text);
      next.delete(prefix.text);
    }
  }
  for (const group of delta.announcements) {
    for (const prefix of group.prefixes) {
      assert.equal(prefix.family, group.family);
      assert.ok(!seen.has(prefix.text), `${prefix.text} twice in one delta`);
      seen.add(prefix.text);
      next.set(prefix.text, group.attributes.key);
    }
  }
  return next;
}

function desiredView(rib: AdjRibOut): Map<string, string> {
  return new Map([...rib.desired()].map((r) => [r.prefix.text, r.attributes.key]));
}

function advertisedView(rib: AdjRibOut): Map<string, string> {
  return new Map([...rib.advertised()].map(([key, r]) => [key, r.attributes.key]));
}

const texts = (delta: RibDelta): { withdrawn: string[]; announced: string[] } => ({
  withdrawn: delta.withdrawals.flatMap((g) => g.prefixes.map((p) => p.text)).sort(),
  announced: delta.announcements.flatMap((g) => g.prefixes.map((p) => p.text)).sort(),
});

describe('AdjRibOut', () => {
  it('announces new routes, then nothing once they are sent', () => {
    const rib = new AdjRibOut();
    const delta = rib.set([
      { prefix: '192.0.2.1/32', attributes: A },
      { prefix: '192.0.2.2/32', attributes: A },
    ]);
    assert.deepEqual(texts(delta), { withdrawn: [], announced: ['192.0.2.1/32', '192.0.2.2/32'] });
    assert.deepEqual(rib.counts(), { desired: 2, announced: 0, pending: 2 });
    rib.markSent(delta);
    assert.deepEqual(rib.counts(), { desired: 2, announced: 2, pending: 0 });
    assert.deepEqual(
      deltaSize(rib.set([...rib.desired()].map((r) => ({ prefix: r.prefix.text, attributes: A })))),
      {
        withdrawn: 0,
        announced: 0,
      },
    );
  });

  it('keeps withdrawn prefixes idle for reuse, and drops them once they outnumber the most in use', () => {
    const rib = new AdjRibOut();
    const hosts = (from: number): Route[] =>
      Array.from({ length: 10 }, (_, i) => ({ prefix: `192.0.2.${from + i}/32`, attributes: A }));
    const announcedObjects = (delta: RibDelta): object[] =>
      delta.announcements.flatMap((g) => g.prefixes as object[]);
    const sendAll = (delta: RibDelta): RibDelta => {
      rib.markSent(delta);
      return delta;
    };

    const first = announcedObjects(sendAll(rib.set(hosts(0))));
    sendAll(rib.set([]));
    assert.deepEqual(rib.counts(), { desired: 0, announced: 0, pending: 0 });
    // Announced again: the same entries (not parsed, not allocated again), and nothing else listed.
    const again = sendAll(rib.set(hosts(0)));
    assert.deepEqual(
      texts(again).announced,
      hosts(0)
        .map((r) => r.prefix)
        .sort(),
    );
    assert.deepEqual(announcedObjects(again), first);
    assert.deepEqual(
      [...rib.advertised().keys()].sort(),
      hosts(0)
        .map((r) => r.prefix)
        .sort(),
    );

    // 10 other prefixes while the first 10 are idle (10 in use at most so far), then none:
    // 20 idle against at most 10 in use, so every idle entry goes and the prefixes come back new.
    sendAll(rib.set([]));
    sendAll(rib.set(hosts(100)));
    assert.deepEqual(rib.counts(), { desired: 10, announced: 10, pending: 0 });
    sendAll(rib.set([]));
    const fresh = announcedObjects(rib.set(hosts(0)));
    assert.equal(fresh.length, 10);
    for (const entry of fresh) assert.ok(!first.includes(entry));
  });

  it('markSentRange marks part of a group, leaving the rest pending', () => {
    const rib = new AdjRibOut();
    const delta = rib.set(
      Array.from({ length: 6 }, (_, i) => ({ prefix: `192.0.2.${i}/32`, attributes: A })),
    );
    const group = delta.announcements[0];
    assert.ok(group !== undefined);
    rib.markSentRange(group, 1, 4);
    assert.deepEqual(rib.counts(), { desired: 6, announced: 3, pending: 3 });
    assert.deepEqual(texts(rib.pending()).announced, [
      '192.0.2.0/32',
      '192.0.2.4/32',
      '192.0.2.5/32',
    ]);
    rib.markSentRange(group, 4, 99);
    rib.markSentRange(group, 0, 1);
    assert.deepEqual(rib.counts(), { desired: 6, announced: 6, pending: 0 });
    const withdrawal = rib.set([]).withdrawals[0];
    assert.ok(withdrawal !== undefined);
    rib.markSentRange(withdrawal, 0, 2);
    assert.deepEqual(rib.counts(), { desired: 0, announced: 4, pending: 4 });
  });

  it('withdraws removed routes and re-announces changed ones', () => {
    const rib = new AdjRibOut();
    rib.markSent(
      rib.set([
        { prefix: '192.0.2.1/32', attributes: A },
        { prefix: '192.0.2.2/32', attributes: A },
        { prefix: '2001:db8::1/128', attributes: A },
      ]),
    );
    const delta = rib.set([
      { prefix: '192.0.2.1/32', attributes: B },
      { prefix: '2001:db8::1/128', attributes: A },
    ]);
    assert.deepEqual(texts(delta), { withdrawn: ['192.0.2.2/32'], announced: ['192.0.2.1/32'] });
    assert.deepEqual(
      delta.withdrawals.map((g) => g.family),
      ['ipv4-unicast'],
    );
  });

  it('groups announcements by family and attributes, and withdrawals by family', () => {
    const rib = new AdjRibOut();
    const delta = rib.set([
      { prefix: '192.0.2.1/32', attributes: A },
      { prefix: '192.0.2.2/32', attributes: B },
      { prefix: '192.0.2.3/32', attributes: { communities: ['64698:64699', '64698:64699'] } },
      { prefix: '2001:db8::1/128', attributes: A },
      { prefix: '2001:db8::2/128', attributes: A },
    ]);
    const groups = delta.announcements.map((g) => [g.family, g.prefixes.map((p) => p.text)]);
    assert.deepEqual(groups, [
      ['ipv4-unicast', ['192.0.2.1/32', '192.0.2.3/32']],
      ['ipv4-unicast', ['192.0.2.2/32']],
      ['ipv6-unicast', ['2001:db8::1/128', '2001:db8::2/128']],
    ]);
    rib.markSent(delta);
    const withdrawn = rib.set([]);
    assert.deepEqual(
      withdrawn.withdrawals.map((g) => [g.family, g.prefixes.length]),
      [
        ['ipv4-unicast', 3],
        ['ipv6-unicast', 2],
      ],
    );
  });

  it('treats different spellings of one prefix as one route', () => {
    const rib = new AdjRibOut();
    rib.markSent(rib.set([{ prefix: '2001:DB8::1/128', attributes: A }]));
    const delta = rib.set([
      { prefix: '2001:db8:0::1', attributes: A },
      { prefix: '2001:db8::1/128', attributes: A },
    ]);
    assert.deepEqual(deltaSize(delta), { withdrawn: 0, announced: 0 });
    assert.deepEqual(rib.counts(), { desired: 1, announced: 1, pending: 0 });
  });

  it('refuses a prefix given twice with different attributes, keeping the last good state', () => {
    const rib = new AdjRibOut();
    rib.markSent(rib.set([{ prefix: '192.0.2.1/32', attributes: A }]));
    assert.throws(
      () =>
        rib.set([
          { prefix: '192.0.2.9/32', attributes: A },
          { prefix: '192.0.2.1/32', attributes: A },
          { prefix: '192.0.2.1', attributes: B },
        ]),
      (err: unknown) =>
        isIronlbError(err, BgpSessionErrors.IRONLB_ERR_ROUTE_CONFLICT) &&
        err.message === 'route 192.0.2.1/32 is given twice with different attributes',
    );
    assert.deepEqual(rib.counts(), { desired: 1, announced: 1, pending: 0 });
    assert.deepEqual([...desiredView(rib).keys()], ['192.0.2.1/32']);
  });

  it('keeps the last good state when a route is invalid, wherever it is in the list', () => {
    const rib = new AdjRibOut();
    const good: Route[] = [
      { prefix: '192.0.2.1/32', attributes: A },
      { prefix: '192.0.2.2/32', attributes: B },
    ];
    rib.markSent(rib.set(good));
    rib.set([good[0]!]); // a pending withdrawal
    const before = {
      counts: rib.counts(),
      pending: texts(rib.pending()),
      desired: desiredView(rib),
    };
    const bad: Route[] = [
      { prefix: '192.0.2.1/24', attributes: A },
      { prefix: '192.0.2.3/32', attributes: { communities: ['x'] } },
      { prefix: '192.0.2.4/32', attributes: { nextHop: '2001:db8::1' } },
    ];
    for (const invalid of bad) {
      for (const position of [0, 1, 2]) {
        const list = [
          { prefix: '192.0.2.1/32', attributes: B },
          { prefix: '198.51.100.1/32', attributes: A },
        ];
        list.splice(position, 0, invalid);
        assert.throws(
          () => rib.set(list),
          (err: unknown) => isIronlbError(err),
        );
        assert.deepEqual(rib.counts(), before.counts);
        assert.deepEqual(texts(rib.pending()), before.pending);
        assert.deepEqual(desiredView(rib), before.desired);
      }
    }
    assert.deepEqual(texts(rib.pending()), { withdrawn: ['192.0.2.2/32'], announced: [] });
  });

  it('puts everything back to pending when the peer is reset', () => {
    const rib = new AdjRibOut();
    rib.markSent(rib.set([{ prefix: '192.0.2.1/32', attributes: A }]));
    rib.set([
      { prefix: '192.0.2.2/32', attributes: A },
      { prefix: '192.0.2.3/32', attributes: A },
    ]);
    rib.peerReset();
    // No withdrawal: the new session starts from nothing.
    assert.deepEqual(texts(rib.pending()), {
      withdrawn: [],
      announced: ['192.0.2.2/32', '192.0.2.3/32'],
    });
    assert.deepEqual(rib.counts(), { desired: 2, announced: 0, pending: 2 });
  });

  it('re-sends everything for a route refresh with all(), including pending withdrawals', () => {
    const rib = new AdjRibOut();
    rib.markSent(
      rib.set([
        { prefix: '192.0.2.1/32', attributes: A },
        { prefix: '192.0.2.2/32', attributes: A },
      ]),
    );
    rib.set([{ prefix: '192.0.2.1/32', attributes: A }]);
    assert.deepEqual(texts(rib.all()), {
      withdrawn: ['192.0.2.2/32'],
      announced: ['192.0.2.1/32'],
    });
  });

  it('filters by family, leaving the rest pending', () => {
    const rib = new AdjRibOut();
    rib.set([
      { prefix: '192.0.2.1/32', attributes: A },
      { prefix: '2001:db8::1/128', attributes: A },
    ]);
    const v4 = rib.pending(['ipv4-unicast']);
    assert.deepEqual(texts(v4), { withdrawn: [], announced: ['192.0.2.1/32'] });
    rib.markSent(v4);
    assert.deepEqual(rib.counts(), { desired: 2, announced: 1, pending: 1 });
    assert.deepEqual(texts(rib.all(new Set(['ipv6-unicast'] as const))).announced, [
      '2001:db8::1/128',
    ]);
  });

  it('records what was sent even when set() superseded the delta meanwhile', () => {
    const rib = new AdjRibOut();
    const inFlight = rib.set([{ prefix: '192.0.2.1/32', attributes: A }]);
    rib.set([{ prefix: '192.0.2.1/32', attributes: B }]);
    rib.markSent(inFlight);
    assert.deepEqual(rib.counts(), { desired: 1, announced: 1, pending: 1 });
    const next = rib.pending();
    assert.deepEqual(
      next.announcements.map((g) => g.attributes.localPref),
      [100],
    );
    rib.markSent(next);
    assert.deepEqual(rib.counts(), { desired: 1, announced: 1, pending: 0 });
  });

  it('reuses parsed attributes across calls and objects without mixing them up', () => {
    const rib = new AdjRibOut();
    const shared: RouteAttributes = { nextHop: '192.0.2.254' };
    rib.set([
      { prefix: '192.0.2.1/32', attributes: shared },
      { prefix: '192.0.2.2/32', attributes: shared },
    ]);
    // The same object for another family must be checked again (its next hop is IPv4).
    assert.throws(
      () =>
        rib.set([
          { prefix: '192.0.2.1/32', attributes: shared },
          { prefix: '2001:db8::1/128', attributes: shared },
        ]),
      (err: unknown) => isIronlbError(err, BgpSessionErrors.IRONLB_ERR_ROUTE_NEXT_HOP),
    );
    // Equal content in a new object resolves to the same canonical attributes.
    rib.set([{ prefix: '192.0.2.1/32', attributes: { nextHop: '192.0.2.254' } }]);
    assert.deepEqual(rib.counts(), { desired: 1, announced: 0, pending: 1 });
    // Many set() calls with ever new attributes do not break anything.
    for (let i = 0; i < 300; i++) rib.set([{ prefix: '192.0.2.1/32', attributes: { med: i } }]);
    assert.equal([...rib.desired()][0]!.attributes.med, 299);
  });
});

describe('AdjRibOut: the delta brings the peer to the desired state (property)', () => {
  const prefixes = [
    '192.0.2.1/32',
    '192.0.2.2',
    '192.0.2.3/32',
    '198.51.100.0/24',
    '2001:db8::1/128',
    '2001:DB8::2',
    '2001:db8:1::/48',
  ];
  const attributeChoices: RouteAttributes[] = [
    {},
    A,
    B,
    { communities: ['no-export', '64698:64699'] },
    { largeCommunities: ['1:2:3'], extendedCommunities: ['lb:64698:1000'] },
    { med: 10 },
  ];
  const routeSet = fc
    .array(
      fc.tuple(
        fc.constantFrom(...prefixes),
        fc.integer({ min: 0, max: attributeChoices.length - 1 }),
      ),
      {
        maxLength: 10,
      },
    )
    .map((pairs) => {
      // One attribute choice per prefix so that the set is valid.
      const chosen = new Map<string, number>();
      for (const [prefix, choice] of pairs) if (!chosen.has(prefix)) chosen.set(prefix, choice);
      return [...chosen].map(([prefix, choice]): Route => ({
        prefix,
        attributes: attributeChoices[choice]!,
      }));
    });
  const op = fc.oneof(
    routeSet.map((routes) => ({ kind: 'set' as const, routes })),
    fc.constant({ kind: 'sendAll' as const }),
    fc.integer({ min: 0, max: 5 }).map((keep) => ({ kind: 'sendPart' as const, keep })),
    fc.constant({ kind: 'reset' as const }),
    routeSet.map((routes) => ({ kind: 'invalid' as const, routes })),
  );

  it('holds for random sequences of set, partial sends, resets and rejected sets', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 25 }), (ops) => {
        const rib = new AdjRibOut();
        for (const o of ops) {
          switch (o.kind) {
            case 'set':
              rib.set(o.routes);
              break;
            case 'sendAll':
              rib.markSent(rib.pending());
              break;
            case 'sendPart': {
              // The first UPDATEs went out, then the session stalled.
              const delta = rib.pending();
              rib.markSent({
                withdrawals: delta.withdrawals.map((g) => ({
                  ...g,
                  prefixes: g.prefixes.slice(0, o.keep),
                })),
                announcements: delta.announcements.slice(0, 1),
              });
              break;
            }
            case 'reset':
              rib.peerReset();
              break;
            case 'invalid': {
              const before = { desired: desiredView(rib), advertised: advertisedView(rib) };
              const list = [...o.routes, { prefix: '203.0.113.7/8', attributes: A }];
              assert.throws(() => rib.set(list));
              assert.deepEqual(desiredView(rib), before.desired);
              assert.deepEqual(advertisedView(rib), before.advertised);
              break;
            }
          }
          const peer = advertisedView(rib);
          const desired = desiredView(rib);
          assert.deepEqual(apply(peer, rib.pending()), desired, 'pending() closes the gap');
          assert.deepEqual(apply(peer, rib.all()), desired, 'all() closes the gap');
          let differing = 0;
          for (const key of new Set([...peer.keys(), ...desired.keys()])) {
            if (peer.get(key) !== desired.get(key)) differing++;
          }
          assert.deepEqual(rib.counts(), {
            desired: desired.size,
            announced: peer.size,
            pending: differing,
          });
        }
      }),
      { numRuns: 300 },
    );
  });
});
