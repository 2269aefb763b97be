import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type CollisionInput, type ConnectionDirection, resolveCollision } from './collision.ts';
import type { BgpState } from './fsm.ts';

const base: CollisionInput = {
  localId: 0x0a000001,
  remoteId: 0x0a000002,
  localAs: 64698,
  remoteAs: 64699,
  receivedOn: 'inbound',
  outboundState: 'OpenConfirm',
  inboundState: 'OpenSent',
};

function closed(input: Partial<CollisionInput>): ConnectionDirection | 'none' {
  const decision = resolveCollision({ ...base, ...input });
  return decision.kind === 'none' ? 'none' : decision.close;
}

describe('resolveCollision (RFC 4271 §6.8)', () => {
  it('keeps the connection initiated by the higher identifier and closes the other with Cease 6/7', () => {
    // Peer higher: its connection (our inbound) stays.
    const decision = resolveCollision(base);
    assert.equal(decision.kind, 'close');
    assert.equal(decision.kind === 'close' && decision.close, 'outbound');
    assert.deepEqual(
      decision.kind === 'close' && [decision.notification.code, decision.notification.subcode],
      [6, 7],
    );
    // We are higher: our outbound stays.
    assert.equal(closed({ localId: 0x0a000003 }), 'inbound');
  });

  it('compares identifiers as unsigned 32-bit integers', () => {
    // 200.0.0.1 > 10.0.0.2 unsigned, though negative as a signed int32
    assert.equal(closed({ localId: 0xc8000001 }), 'inbound');
    assert.equal(closed({ localId: 0xc8000001 | 0 }), 'inbound', 'a signed int32 input too');
    assert.equal(closed({ remoteId: 0xffffffff, localId: 0x7fffffff }), 'outbound');
  });

  it('does the same whichever connection the OPEN arrived on', () => {
    assert.equal(
      closed({ receivedOn: 'outbound', inboundState: 'OpenConfirm', outboundState: 'OpenSent' }),
      'outbound',
    );
  });

  it('detects nothing against Idle, Connect or Active', () => {
    for (const state of ['Idle', 'Connect', 'Active'] as const) {
      assert.equal(closed({ outboundState: state }), 'none', state);
    }
  });

  it('closes the new connection when the other is Established, whatever the identifiers', () => {
    assert.equal(closed({ outboundState: 'Established' }), 'inbound');
    assert.equal(closed({ outboundState: 'Established', localId: 0x0a000009 }), 'inbound');
  });

  it('breaks a tie of equal identifiers by AS number (RFC 6286 §2.3)', () => {
    assert.equal(closed({ remoteId: base.localId }), 'outbound', 'peer AS larger');
    assert.equal(closed({ remoteId: base.localId, localAs: 65000 }), 'inbound', 'our AS larger');
    assert.equal(
      closed({ remoteId: base.localId, remoteAs: base.localAs }),
      'inbound',
      'newer one goes',
    );
  });

  it('makes both speakers close the same TCP connection', () => {
    const openStates = fc.constantFrom<BgpState>('OpenSent', 'OpenConfirm');
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 0xffffffff }),
        fc.integer({ min: 1, max: 0xffffffff }),
        fc.integer({ min: 1, max: 0xffffffff }),
        fc.integer({ min: 1, max: 0xffffffff }),
        openStates,
        openStates,
        (idA, idB, asA, asB, stateA, stateB) => {
          fc.pre(idA !== idB || asA !== asB);
          // Connection X: A dialled B (A's outbound, B's inbound); Y: B dialled A.
          const a = resolveCollision({
            localId: idA,
            remoteId: idB,
            localAs: asA,
            remoteAs: asB,
            receivedOn: 'inbound',
            outboundState: stateA,
            inboundState: 'OpenSent',
          });
          const b = resolveCollision({
            localId: idB,
            remoteId: idA,
            localAs: asB,
            remoteAs: asA,
            receivedOn: 'inbound',
            outboundState: stateB,
            inboundState: 'OpenSent',
          });
          assert.ok(a.kind === 'close' && b.kind === 'close');
          const aCloses = a.close === 'outbound' ? 'X' : 'Y';
          const bCloses = b.close === 'outbound' ? 'Y' : 'X';
          assert.equal(aCloses, bCloses);
          // …and it is the one initiated by the lower identifier.
          if (idA !== idB) assert.equal(aCloses, idA > idB ? 'Y' : 'X');
        },
      ),
    );
  });
});
