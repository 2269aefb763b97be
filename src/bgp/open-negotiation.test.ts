import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  AS_TRANS,
  checkReceivedOpen,
  commonFamilies,
  keepaliveIntervalMs,
  localOpen,
  type OpenCheck,
  type ReceivedOpen,
} from './open-negotiation.ts';
import { sessionConfig, type SessionConfigInput } from './session-config.ts';

const base: SessionConfigInput = { localAs: 64698, peerAs: 64699, routerId: '10.0.0.1' };

function peerOpen(overrides: Partial<ReceivedOpen> = {}): ReceivedOpen {
  return {
    version: 4,
    peerAs: 64699,
    holdTimeSeconds: 90,
    bgpIdentifier: 0x0a000002,
    capabilities: {
      families: [
        { afi: 1, safi: 1 },
        { afi: 2, safi: 1 },
      ],
      fourOctetAs: true,
      routeRefresh: true,
      gracefulRestart: undefined,
    },
    ...overrides,
  };
}

function refusal(check: OpenCheck): {
  code: number;
  subcode: number;
  data: number[];
  reason: string;
} {
  assert.equal(check.ok, false, 'the OPEN should be refused');
  if (check.ok) throw new Error('unreachable');
  return {
    code: check.notification.code,
    subcode: check.notification.subcode,
    data: [...check.notification.data],
    reason: check.reason,
  };
}

describe('checkReceivedOpen: RFC 4271 §6.2 checks', () => {
  const config = sessionConfig(base);

  it('refuses another version with 2/1 and our version as 2-octet data', () => {
    for (const version of [3, 5, 255]) {
      const r = refusal(checkReceivedOpen(config, peerOpen({ version })));
      assert.deepEqual([r.code, r.subcode, r.data], [2, 1, [0, 4]]);
      assert.match(r.reason, new RegExp(`version ${version}`));
    }
  });

  it('refuses a wrong peer AS with 2/2', () => {
    const r = refusal(checkReceivedOpen(config, peerOpen({ peerAs: 65000 })));
    assert.deepEqual([r.code, r.subcode, r.data], [2, 2, []]);
    assert.equal(
      r.reason,
      "OPEN Message Error/Bad Peer AS: the peer's AS is 65000, configured is 64699",
    );
  });

  it('refuses BGP identifier 0 and multicast identifiers with 2/3', () => {
    for (const bgpIdentifier of [0, 0xe0000001, 0xefffffff]) {
      const r = refusal(checkReceivedOpen(config, peerOpen({ bgpIdentifier })));
      assert.deepEqual([r.code, r.subcode], [2, 3], String(bgpIdentifier));
    }
    // 240.0.0.1 and 223.255.255.255 are not multicast
    for (const bgpIdentifier of [0xf0000001, 0xdfffffff]) {
      assert.equal(checkReceivedOpen(config, peerOpen({ bgpIdentifier })).ok, true);
    }
  });

  it('refuses our own identifier from an iBGP peer (2/3), allows it from an eBGP peer (RFC 6286)', () => {
    const ibgp = sessionConfig({ ...base, peerAs: 64698 });
    const r = refusal(
      checkReceivedOpen(ibgp, peerOpen({ peerAs: 64698, bgpIdentifier: ibgp.routerId })),
    );
    assert.deepEqual([r.code, r.subcode], [2, 3]);
    assert.equal(checkReceivedOpen(config, peerOpen({ bgpIdentifier: config.routerId })).ok, true);
  });

  it('refuses hold time 1 and 2 with 2/6 (Unacceptable Hold Time)', () => {
    for (const holdTimeSeconds of [1, 2]) {
      const r = refusal(checkReceivedOpen(config, peerOpen({ holdTimeSeconds })));
      assert.deepEqual([r.code, r.subcode], [2, 6]);
    }
  });

  it('refuses a peer sharing none of our families with 2/7 and our MP capabilities as data', () => {
    const v6only = sessionConfig({ ...base, families: ['ipv6-unicast'] });
    // No Multiprotocol capability at all means IPv4 unicast only (RFC 4760).
    const open = peerOpen({ capabilities: { ...peerOpen().capabilities, families: [] } });
    const r = refusal(checkReceivedOpen(v6only, open));
    assert.deepEqual([r.code, r.subcode, r.data], [2, 7, [1, 4, 0, 2, 0, 1]]);
    // Only a family we do not know (flowspec, 1/133)
    const r2 = refusal(
      checkReceivedOpen(
        config,
        peerOpen({ capabilities: { ...open.capabilities, families: [{ afi: 1, safi: 133 }] } }),
      ),
    );
    assert.deepEqual(r2.data, [1, 4, 0, 1, 0, 1, 1, 4, 0, 2, 0, 1]);
  });

  it('checks in the order version, AS, identifier, hold time', () => {
    const all = peerOpen({ version: 3, peerAs: 1, bgpIdentifier: 0, holdTimeSeconds: 1 });
    assert.equal(refusal(checkReceivedOpen(config, all)).subcode, 1);
    assert.equal(refusal(checkReceivedOpen(config, { ...all, version: 4 })).subcode, 2);
    assert.equal(
      refusal(checkReceivedOpen(config, { ...all, version: 4, peerAs: 64699 })).subcode,
      3,
    );
  });
});

describe('checkReceivedOpen: negotiation', () => {
  it('takes the smaller hold time and a third of it as keepalive', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constant(0), fc.integer({ min: 3, max: 65535 })),
        fc.oneof(fc.constant(0), fc.integer({ min: 3, max: 65535 })),
        (ours, theirs) => {
          const config = sessionConfig({ ...base, holdTimeSeconds: ours });
          const check = checkReceivedOpen(config, peerOpen({ holdTimeSeconds: theirs }));
          assert.ok(check.ok);
          const hold = Math.min(ours, theirs);
          assert.equal(check.negotiated.holdTimeSeconds, hold);
          assert.equal(check.negotiated.keepaliveIntervalMs, Math.floor((hold * 1000) / 3));
        },
      ),
    );
  });

  it('uses a configured keepalive only when it is smaller than a third', () => {
    assert.equal(keepaliveIntervalMs(90, 10), 10_000);
    assert.equal(keepaliveIntervalMs(9, 10), 3_000);
    assert.equal(keepaliveIntervalMs(0, 10), 0);
    assert.equal(keepaliveIntervalMs(10, undefined), 3_333);
  });

  it('reports families in common, 4-octet AS, route refresh and graceful restart', () => {
    const config = sessionConfig({ ...base, gracefulRestart: { restartTimeSeconds: 120 } });
    const gracefulRestart = {
      restartTimeSeconds: 90,
      restarting: false,
      families: [{ afi: 1, safi: 1, forwardingPreserved: true }],
    };
    const check = checkReceivedOpen(
      config,
      peerOpen({
        capabilities: {
          families: [{ afi: 1, safi: 1 }],
          fourOctetAs: false,
          routeRefresh: false,
          gracefulRestart,
        },
      }),
    );
    assert.ok(check.ok);
    assert.deepEqual(check.negotiated, {
      peerAs: 64699,
      peerBgpIdentifier: 0x0a000002,
      internal: false,
      holdTimeSeconds: 90,
      keepaliveIntervalMs: 30_000,
      families: ['ipv4-unicast'],
      fourOctetAs: false,
      routeRefresh: false,
      gracefulRestart: true,
      peerGracefulRestart: gracefulRestart,
    });
  });

  it('finds common families, reading "no MP capability" as IPv4 unicast', () => {
    assert.deepEqual(commonFamilies(['ipv4-unicast', 'ipv6-unicast'], []), ['ipv4-unicast']);
    assert.deepEqual(commonFamilies(['ipv6-unicast', 'ipv4-unicast'], [{ afi: 2, safi: 1 }]), [
      'ipv6-unicast',
    ]);
    assert.deepEqual(commonFamilies(['ipv4-unicast'], [{ afi: 2, safi: 1 }]), []);
  });
});

describe('localOpen', () => {
  it('sends AS_TRANS in My AS for a 4-octet ASN and the full ASN as capability', () => {
    const open = localOpen(sessionConfig({ ...base, localAs: 4200000001 }));
    assert.equal(open.myAsField, AS_TRANS);
    assert.equal(open.myAs, 4200000001);
    assert.equal(localOpen(sessionConfig(base)).myAsField, 64698);
  });

  it('advertises our families, 4-octet AS, route refresh and graceful restart', () => {
    const open = localOpen(
      sessionConfig({
        ...base,
        holdTimeSeconds: 9,
        gracefulRestart: { restartTimeSeconds: 120, restarting: true },
      }),
    );
    assert.deepEqual(open, {
      version: 4,
      myAs: 64698,
      myAsField: 64698,
      holdTimeSeconds: 9,
      bgpIdentifier: 0x0a000001,
      capabilities: {
        families: [
          { afi: 1, safi: 1 },
          { afi: 2, safi: 1 },
        ],
        fourOctetAs: true,
        routeRefresh: true,
        gracefulRestart: {
          restartTimeSeconds: 120,
          restarting: true,
          families: [
            { afi: 1, safi: 1, forwardingPreserved: true },
            { afi: 2, safi: 1, forwardingPreserved: true },
          ],
        },
      },
    });
  });
});
