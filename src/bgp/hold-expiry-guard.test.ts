import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decideHoldExpiry, UNDRAINED_RECHECK_MS } from './hold-expiry-guard.ts';

describe('decideHoldExpiry', () => {
  it('expires when the peer has been silent for the hold time and input is drained', () => {
    assert.deepEqual(
      decideHoldExpiry({
        lastReceivedAt: 0,
        now: 90_000,
        holdTimeMs: 90_000,
        pendingInputDrained: true,
      }),
      { kind: 'expired', silentForMs: 90_000 },
    );
  });

  it('re-arms for the remaining time when something arrived after the timer was set', () => {
    // The loop was blocked; the timer fired late; draining read a KEEPALIVE at 100 s.
    const decision = decideHoldExpiry({
      lastReceivedAt: 100_000,
      now: 130_000,
      holdTimeMs: 90_000,
      pendingInputDrained: true,
    });
    assert.equal(decision.kind, 'rearm');
    assert.equal(decision.kind === 'rearm' && decision.delayMs, 60_000);
  });

  it('does not expire while input is still unread, and looks again shortly', () => {
    const decision = decideHoldExpiry({
      lastReceivedAt: 0,
      now: 200_000,
      holdTimeMs: 90_000,
      pendingInputDrained: false,
    });
    assert.deepEqual(decision.kind === 'rearm' && decision.delayMs, UNDRAINED_RECHECK_MS);
  });

  it('reads a clock that went backwards as "just heard"', () => {
    const decision = decideHoldExpiry({
      lastReceivedAt: 5_000,
      now: 1_000,
      holdTimeMs: 3_000,
      pendingInputDrained: true,
    });
    assert.deepEqual(decision.kind === 'rearm' && decision.delayMs, 3_000);
  });

  it('re-arms exactly until lastReceivedAt + hold, and expires only after it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e9 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 3000, max: 65_535_000 }),
        (lastReceivedAt, elapsed, holdTimeMs) => {
          const now = lastReceivedAt + elapsed;
          const decision = decideHoldExpiry({
            lastReceivedAt,
            now,
            holdTimeMs,
            pendingInputDrained: true,
          });
          if (elapsed >= holdTimeMs) {
            assert.equal(decision.kind, 'expired');
          } else {
            assert.equal(decision.kind, 'rearm');
            assert.equal(
              decision.kind === 'rearm' && now + decision.delayMs,
              lastReceivedAt + holdTimeMs,
            );
          }
        },
      ),
    );
  });
});
