import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FsmHarness, peerOpen } from '../../test/support/bgp-fsm-harness.ts';
import { FakeClock } from './fake-clock.ts';
import type { FsmEvent } from './fsm.ts';
import { SessionTimers } from './session-timers.ts';

const sentNotifications = (h: FsmHarness): Array<[number, number, number]> =>
  h.log
    .filter((entry) => entry.action.type === 'sendNotification')
    .map((entry) => {
      const n = entry.action.type === 'sendNotification' ? entry.action.notification : undefined;
      return [entry.at, n?.code ?? -1, n?.subcode ?? -1];
    });

describe('FSM on a FakeClock: hold timer', () => {
  it('expires in OpenSent after the large hold time (240 s) and sends 4/0', () => {
    const h = new FsmHarness();
    h.feed({ type: 'ManualStart', passive: false }, { type: 'Tcp_CR_Acked' });
    h.clock.advance(239_999);
    assert.equal(h.state.state, 'OpenSent');
    h.clock.advance(1);
    assert.equal(h.state.state, 'Idle');
    assert.deepEqual(sentNotifications(h), [[240_000, 4, 0]]);
  });

  it('expires in OpenConfirm after the negotiated hold time, keepaliving until then', () => {
    const h = new FsmHarness();
    h.feed(
      { type: 'ManualStart', passive: false },
      { type: 'Tcp_CR_Acked' },
      { type: 'BGPOpen', open: peerOpen() },
    );
    h.clock.advance(89_999);
    assert.equal(h.state.state, 'OpenConfirm');
    h.clock.advance(1);
    assert.equal(h.state.state, 'Idle');
    assert.deepEqual(sentNotifications(h), [[90_000, 4, 0]]);
    assert.deepEqual(h.timesOf('sendKeepalive'), [0, 30_000, 60_000]);
  });

  it('stays Established while the peer keepalives, and expires 90 s after it falls silent', () => {
    const h = new FsmHarness();
    h.establish();
    for (let t = 0; t < 600_000; t += 30_000) {
      h.clock.advance(30_000);
      h.feed({ type: 'KeepAliveMsg' });
    }
    // An UPDATE counts as a sign of life as much as a KEEPALIVE.
    h.clock.advance(60_000);
    h.feed({ type: 'UpdateMsg' });
    assert.equal(h.state.state, 'Established');
    const silentFrom = h.clock.now();
    h.clock.advance(89_999);
    assert.equal(h.state.state, 'Established');
    h.clock.advance(1);
    assert.equal(h.state.state, 'Idle');
    assert.deepEqual(sentNotifications(h), [[silentFrom + 90_000, 4, 0]]);
    const down = h.actionsOfType('sessionDown');
    assert.equal(down.length, 1);
    assert.equal(down[0]!.wasEstablished, true);
    assert.equal(down[0]!.reason, 'hold timer expired: nothing received from the peer for 90 s');
  });

  it('uses the smaller of both hold times', () => {
    const ours = new FsmHarness({ holdTimeSeconds: 30 });
    ours.establish(peerOpen({ holdTimeSeconds: 90 }));
    ours.clock.advance(30_000);
    assert.equal(ours.state.state, 'Idle');

    const theirs = new FsmHarness({ holdTimeSeconds: 90 });
    theirs.establish(peerOpen({ holdTimeSeconds: 9 }));
    theirs.clock.advance(8_999);
    assert.equal(theirs.state.state, 'Established');
    theirs.clock.advance(1);
    assert.equal(theirs.state.state, 'Idle');
  });

  it('runs neither hold nor keepalive timer for hold time 0', () => {
    const h = new FsmHarness();
    h.establish(peerOpen({ holdTimeSeconds: 0 }));
    assert.equal(h.timers.isRunning('hold'), false);
    assert.equal(h.timers.isRunning('keepalive'), false);
    h.clock.advance(3_600_000);
    assert.equal(h.state.state, 'Established');
    assert.deepEqual(h.timesOf('sendKeepalive'), [0], 'only the KEEPALIVE that answers the OPEN');
  });
});

describe('FSM on a FakeClock: keepalive cadence', () => {
  it('sends a KEEPALIVE every third of the negotiated hold time', () => {
    const h = new FsmHarness();
    h.establish(peerOpen({ holdTimeSeconds: 9 }));
    for (let i = 0; i < 10; i++) {
      h.clock.advance(3_000);
      h.feed({ type: 'KeepAliveMsg' });
    }
    assert.deepEqual(
      h.timesOf('sendKeepalive'),
      Array.from({ length: 11 }, (_, i) => i * 3_000),
    );
  });

  it('uses a configured keepalive interval when it is shorter', () => {
    const h = new FsmHarness({ keepaliveTimeSeconds: 1 });
    h.establish();
    h.clock.advance(5_000);
    assert.deepEqual(h.timesOf('sendKeepalive'), [0, 1_000, 2_000, 3_000, 4_000, 5_000]);
  });
});

describe('FSM on a FakeClock: restarts', () => {
  it('restarts after the backoff delay, with growing delays while the peer refuses', () => {
    const h = new FsmHarness();
    h.feed({ type: 'ManualStart', passive: false });
    const connects: number[] = [];
    for (let i = 0; i < 5; i++) {
      h.feed({ type: 'TcpConnectionFails', reason: 'ECONNREFUSED' });
      const delay = h.timers.remainingMs('reconnect');
      assert.ok(delay !== undefined);
      h.clock.advance(delay);
      assert.equal(h.state.state, 'Connect');
      connects.push(h.clock.now());
    }
    const gaps = connects.map((t, i) => t - (connects[i - 1] ?? 0));
    for (let i = 1; i < gaps.length; i++) assert.ok(gaps[i]! > gaps[i - 1]!, gaps.join(','));
  });

  it('forgets failures once a session has been Established for resetAfterMs', () => {
    const h = new FsmHarness({ holdTimeSeconds: 0, backoff: { resetAfterMs: 60_000 } });
    h.feed({ type: 'ManualStart', passive: false });
    for (let i = 0; i < 3; i++) {
      h.feed({ type: 'TcpConnectionFails', reason: 'ECONNREFUSED' });
      h.clock.advance(h.timers.remainingMs('reconnect') ?? 0);
    }
    assert.equal(h.state.consecutiveFailures, 3);
    h.feed(
      { type: 'Tcp_CR_Acked' },
      { type: 'BGPOpen', open: peerOpen() },
      { type: 'KeepAliveMsg' },
    );
    h.clock.advance(59_999);
    assert.equal(h.state.consecutiveFailures, 3);
    h.clock.advance(1);
    assert.equal(h.state.consecutiveFailures, 0);
  });

  it('retries the connection every ConnectRetryTime while it hangs in Connect', () => {
    const h = new FsmHarness({ connectRetryTimeSeconds: 5 });
    h.feed({ type: 'ManualStart', passive: false });
    h.clock.advance(15_000);
    assert.deepEqual(h.timesOf('connect'), [0, 5_000, 10_000, 15_000]);
  });
});

describe('SessionTimers', () => {
  it('restarts, stops and reports timers, and ignores other actions', () => {
    const clock = new FakeClock();
    const events: FsmEvent[] = [];
    const timers = new SessionTimers(clock, (e) => events.push(e));
    timers.apply([
      { type: 'startTimer', timer: 'connectRetry', durationMs: 100 },
      { type: 'sendKeepalive' },
      { type: 'scheduleReconnect', delayMs: 50, attempt: 1 },
      { type: 'startTimer', timer: 'backoffReset', durationMs: 10 },
    ]);
    clock.advance(40);
    timers.apply([{ type: 'startTimer', timer: 'connectRetry', durationMs: 100 }]);
    assert.equal(timers.remainingMs('connectRetry'), 100);
    clock.advance(60);
    assert.deepEqual(events, [{ type: 'BackoffResetTimer_Expires' }, { type: 'AutomaticStart' }]);
    assert.equal(timers.isRunning('reconnect'), false);
    assert.equal(timers.remainingMs('reconnect'), undefined);
    timers.stopAll();
    clock.advance(1_000);
    assert.equal(events.length, 2);
    assert.equal(clock.pendingCount, 0);
  });
});

describe('SessionTimers: false hold-expiry guard', () => {
  it('does not expire when draining the socket reads a KEEPALIVE', async () => {
    const h: FsmHarness = new FsmHarness(
      {},
      {
        holdExpiryCheck: {
          lastReceivedAt: () => 0,
          drainPendingInput: () => {
            // The KEEPALIVE that sat unread while the loop was blocked.
            h.feed({ type: 'KeepAliveMsg' });
            return Promise.resolve(true);
          },
        },
      },
    );
    h.establish();
    await h.clock.advanceAsync(90_000);
    assert.equal(h.state.state, 'Established');
    assert.equal(h.timers.remainingMs('hold'), 90_000);
  });

  it('re-arms for the rest of the hold time when input arrived after the timer was set', async () => {
    let lastReceivedAt = 0;
    const deferred: string[] = [];
    const h = new FsmHarness(
      {},
      {
        holdExpiryCheck: {
          lastReceivedAt: () => lastReceivedAt,
          drainPendingInput: () => Promise.resolve(true),
        },
        onHoldExpiryDeferred: (reason) => deferred.push(reason),
      },
    );
    h.establish();
    await h.clock.advanceAsync(50_000);
    lastReceivedAt = 50_000; // part of a large UPDATE, not yet a whole message
    await h.clock.advanceAsync(40_000);
    assert.equal(h.state.state, 'Established');
    assert.equal(deferred.length, 1);
    await h.clock.advanceAsync(49_999);
    assert.equal(h.state.state, 'Established');
    await h.clock.advanceAsync(1);
    assert.equal(h.state.state, 'Idle');
    assert.deepEqual(sentNotifications(h), [[140_000, 4, 0]]);
  });

  it('expires when the peer is silent, and waits when input could not be drained', async () => {
    let drained = false;
    const h = new FsmHarness(
      {},
      {
        holdExpiryCheck: {
          lastReceivedAt: () => 0,
          drainPendingInput: () =>
            drained ? Promise.resolve(true) : Promise.reject(new Error('paused')),
        },
      },
    );
    h.establish();
    await h.clock.advanceAsync(90_000);
    assert.equal(h.state.state, 'Established', 'unread input may hold a KEEPALIVE');
    drained = true;
    await h.clock.advanceAsync(100);
    assert.equal(h.state.state, 'Idle');
  });

  it('abandons a check when the hold timer was stopped meanwhile', async () => {
    let release: (drained: boolean) => void = () => undefined;
    const h = new FsmHarness(
      {},
      {
        holdExpiryCheck: {
          lastReceivedAt: () => 0,
          drainPendingInput: () => new Promise<boolean>((resolve) => (release = resolve)),
        },
      },
    );
    h.establish();
    await h.clock.advanceAsync(90_000);
    h.feed({ type: 'ManualStop' });
    release(true);
    await h.clock.advanceAsync(0);
    assert.deepEqual(
      h.actionsOfType('sendNotification').map((a) => [a.notification.code, a.notification.subcode]),
      [[6, 2]],
      'only the Cease of the stop, no Hold Timer Expired',
    );
  });
});

describe('FSM on a FakeClock: UPDATEs we send', () => {
  it('postpone the next KEEPALIVE (RFC 4271 §8.2.2)', () => {
    const h = new FsmHarness();
    h.establish(peerOpen({ holdTimeSeconds: 9 }));
    h.clock.advance(2_000);
    h.feed({ type: 'UpdateMsgSent' });
    h.clock.advance(2_999);
    assert.deepEqual(h.timesOf('sendKeepalive'), [0]);
    h.clock.advance(1);
    assert.deepEqual(h.timesOf('sendKeepalive'), [0, 5_000]);
  });
});
