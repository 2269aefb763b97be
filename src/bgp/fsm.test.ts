import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { peerOpen, TEST_CONFIG } from '../../test/support/bgp-fsm-harness.ts';
import {
  type BgpState,
  type FsmAction,
  type FsmEvent,
  type FsmState,
  type FsmTimer,
  describeEvent,
  fsmRun,
  fsmStep,
  incomingConnectionDisposition,
  initialFsmState,
} from './fsm.ts';
import { encodeShutdownCommunication, notification } from './notification.ts';
import { sessionConfig } from './session-config.ts';

const config = sessionConfig(TEST_CONFIG);
const stopped = initialFsmState(config, 7);

type Setup = 'Idle/stopped' | 'Idle/waiting' | 'Active/dialling' | Exclude<BgpState, 'Idle'>;

const SETUPS: Readonly<Record<Setup, readonly FsmEvent[]>> = {
  'Idle/stopped': [],
  'Idle/waiting': [
    { type: 'ManualStart', passive: false },
    { type: 'TcpConnectionFails', reason: 'ECONNREFUSED' },
  ],
  Connect: [{ type: 'ManualStart', passive: false }],
  Active: [{ type: 'ManualStart', passive: true }],
  // Active after a failed connection of an active session (OpenSent + TcpConnectionFails).
  'Active/dialling': [
    { type: 'ManualStart', passive: false },
    { type: 'Tcp_CR_Acked' },
    { type: 'TcpConnectionFails', reason: 'ECONNRESET' },
  ],
  OpenSent: [{ type: 'ManualStart', passive: false }, { type: 'Tcp_CR_Acked' }],
  OpenConfirm: [
    { type: 'ManualStart', passive: false },
    { type: 'Tcp_CR_Acked' },
    { type: 'BGPOpen', open: peerOpen() },
  ],
  Established: [
    { type: 'ManualStart', passive: false },
    { type: 'Tcp_CR_Acked' },
    { type: 'BGPOpen', open: peerOpen() },
    { type: 'KeepAliveMsg' },
  ],
};

/** A state reached the way a session would reach it, with ConnectRetryCounter 5 to see changes. */
function inState(setup: Setup): FsmState {
  return { ...fsmRun(stopped, SETUPS[setup]).state, connectRetryCounter: 5 };
}

const ev = {
  manualStart: { type: 'ManualStart', passive: false },
  manualStartPassive: { type: 'ManualStart', passive: true },
  manualStop: { type: 'ManualStop', message: 'maintenance' },
  automaticStart: { type: 'AutomaticStart' },
  automaticStop: { type: 'AutomaticStop', subcode: 6, reason: 'peer settings changed' },
  connectRetry: { type: 'ConnectRetryTimer_Expires' },
  hold: { type: 'HoldTimer_Expires' },
  keepaliveTimer: { type: 'KeepaliveTimer_Expires' },
  backoffReset: { type: 'BackoffResetTimer_Expires' },
  tcpValid: { type: 'TcpConnection_Valid' },
  tcpInvalid: { type: 'Tcp_CR_Invalid' },
  tcpAcked: { type: 'Tcp_CR_Acked' },
  tcpConfirmed: { type: 'TcpConnectionConfirmed' },
  tcpFails: { type: 'TcpConnectionFails', reason: 'ECONNRESET' },
  open: { type: 'BGPOpen', open: peerOpen() },
  openBadAs: { type: 'BGPOpen', open: peerOpen({ peerAs: 65000 }) },
  headerErr: {
    type: 'BGPHeaderErr',
    notification: notification(1, 2, Uint8Array.of(0, 5)),
    reason: 'length 5',
  },
  openErr: { type: 'BGPOpenMsgErr', notification: notification(2, 4), reason: 'parameter 9' },
  collision: { type: 'OpenCollisionDump' },
  notifVersion: { type: 'NotifMsg', notification: notification(2, 1, Uint8Array.of(0, 3)) },
  notifCease: {
    type: 'NotifMsg',
    notification: notification(6, 2, encodeShutdownCommunication('maintenance')),
  },
  keepaliveMsg: { type: 'KeepAliveMsg' },
  updateMsg: { type: 'UpdateMsg' },
  updateErr: { type: 'UpdateMsgErr', notification: notification(3, 1), reason: 'bad attrs' },
  routeRefresh: { type: 'RouteRefreshMsg', family: { afi: 1, safi: 1 } },
  updateSent: { type: 'UpdateMsgSent' },
} as const satisfies Record<string, FsmEvent>;

type EventName = keyof typeof ev;

interface Row {
  readonly from: Setup;
  readonly event: EventName;
  readonly to: BgpState;
  /** The NOTIFICATION sent, as [code, subcode]; none when absent. */
  readonly sends?: readonly [number, number];
  /** What happens to ConnectRetryCounter (5 before). Unchanged when absent. */
  readonly counter?: 'reset' | '+1';
  /** An automatic restart is scheduled. */
  readonly reconnect?: boolean;
  /** No action at all. */
  readonly ignored?: boolean;
  /** Action types that must be among the actions. */
  readonly with?: readonly FsmAction['type'][];
}

const IGNORED_EVERYWHERE_OPEN: readonly EventName[] = [
  'updateSent',
  'manualStart',
  'automaticStart',
  'backoffReset',
  'tcpValid',
  'tcpInvalid',
  'tcpAcked',
  'tcpConfirmed',
];

const ROWS: readonly Row[] = [
  // Idle (RFC 4271 §8.2.2): only starts do something.
  {
    from: 'Idle/stopped',
    event: 'manualStart',
    to: 'Connect',
    counter: 'reset',
    with: ['connect', 'startTimer'],
  },
  {
    from: 'Idle/stopped',
    event: 'manualStartPassive',
    to: 'Active',
    counter: 'reset',
    with: ['startTimer'],
  },
  { from: 'Idle/stopped', event: 'automaticStart', to: 'Idle', ignored: true },
  { from: 'Idle/stopped', event: 'manualStop', to: 'Idle', with: ['stopTimer'] },
  {
    from: 'Idle/waiting',
    event: 'automaticStart',
    to: 'Connect',
    counter: 'reset',
    with: ['connect'],
  },
  {
    from: 'Idle/waiting',
    event: 'manualStart',
    to: 'Connect',
    counter: 'reset',
    with: ['connect'],
  },
  ...(
    [
      'connectRetry',
      'hold',
      'keepaliveTimer',
      'tcpAcked',
      'tcpConfirmed',
      'tcpFails',
      'open',
      'notifCease',
      'keepaliveMsg',
      'updateMsg',
      'collision',
      'automaticStop',
    ] as const
  ).map((event): Row => ({ from: 'Idle/waiting', event, to: 'Idle', ignored: true })),

  // Connect
  { from: 'Connect', event: 'manualStart', to: 'Connect', ignored: true },
  { from: 'Connect', event: 'updateSent', to: 'Connect', ignored: true },
  { from: 'Connect', event: 'automaticStart', to: 'Connect', ignored: true },
  { from: 'Connect', event: 'tcpValid', to: 'Connect', ignored: true },
  { from: 'Connect', event: 'tcpInvalid', to: 'Connect', ignored: true },
  { from: 'Connect', event: 'manualStop', to: 'Idle', counter: 'reset', with: ['dropConnection'] },
  {
    from: 'Connect',
    event: 'connectRetry',
    to: 'Connect',
    with: ['dropConnection', 'connect', 'startTimer'],
  },
  { from: 'Connect', event: 'tcpAcked', to: 'OpenSent', with: ['sendOpen'] },
  { from: 'Connect', event: 'tcpConfirmed', to: 'OpenSent', with: ['sendOpen'] },
  { from: 'Connect', event: 'tcpFails', to: 'Idle', reconnect: true },
  ...(
    [
      'hold',
      'keepaliveTimer',
      'open',
      'notifCease',
      'notifVersion',
      'keepaliveMsg',
      'updateMsg',
      'updateErr',
      'collision',
      'routeRefresh',
      'headerErr',
      'openErr',
      'automaticStop',
    ] as const
  ).map((event): Row => ({ from: 'Connect', event, to: 'Idle', counter: '+1', reconnect: true })),

  // Active
  { from: 'Active', event: 'manualStart', to: 'Active', ignored: true },
  { from: 'Active', event: 'tcpValid', to: 'Active', ignored: true },
  { from: 'Active', event: 'manualStop', to: 'Idle', counter: 'reset' },
  // A passive session keeps listening and never dials.
  { from: 'Active', event: 'connectRetry', to: 'Active', with: ['startTimer'] },
  {
    from: 'Active/dialling',
    event: 'connectRetry',
    to: 'Connect',
    with: ['connect', 'startTimer'],
  },
  { from: 'Active', event: 'tcpAcked', to: 'OpenSent', with: ['sendOpen'] },
  { from: 'Active', event: 'tcpConfirmed', to: 'OpenSent', with: ['sendOpen'] },
  { from: 'Active', event: 'tcpFails', to: 'Idle', counter: '+1', reconnect: true },
  ...(['hold', 'open', 'notifCease', 'keepaliveMsg', 'updateMsg'] as const).map((event): Row => ({
    from: 'Active',
    event,
    to: 'Idle',
    counter: '+1',
    reconnect: true,
  })),

  // OpenSent
  ...IGNORED_EVERYWHERE_OPEN.map((event): Row => ({
    from: 'OpenSent',
    event,
    to: 'OpenSent',
    ignored: true,
  })),
  { from: 'OpenSent', event: 'manualStop', to: 'Idle', sends: [6, 2], counter: 'reset' },
  {
    from: 'OpenSent',
    event: 'automaticStop',
    to: 'Idle',
    sends: [6, 6],
    counter: '+1',
    reconnect: true,
  },
  { from: 'OpenSent', event: 'hold', to: 'Idle', sends: [4, 0], counter: '+1', reconnect: true },
  { from: 'OpenSent', event: 'tcpFails', to: 'Active', with: ['dropConnection', 'startTimer'] },
  { from: 'OpenSent', event: 'open', to: 'OpenConfirm', with: ['sendKeepalive', 'startTimer'] },
  {
    from: 'OpenSent',
    event: 'openBadAs',
    to: 'Idle',
    sends: [2, 2],
    counter: '+1',
    reconnect: true,
  },
  {
    from: 'OpenSent',
    event: 'headerErr',
    to: 'Idle',
    sends: [1, 2],
    counter: '+1',
    reconnect: true,
  },
  { from: 'OpenSent', event: 'openErr', to: 'Idle', sends: [2, 4], counter: '+1', reconnect: true },
  { from: 'OpenSent', event: 'collision', to: 'Idle', sends: [6, 7], counter: '+1' },
  { from: 'OpenSent', event: 'notifVersion', to: 'Idle', reconnect: true },
  { from: 'OpenSent', event: 'notifCease', to: 'Idle', counter: '+1', reconnect: true },
  ...(['connectRetry', 'keepaliveTimer', 'keepaliveMsg', 'updateMsg', 'routeRefresh'] as const).map(
    (event): Row => ({
      from: 'OpenSent',
      event,
      to: 'Idle',
      sends: [5, 1],
      counter: '+1',
      reconnect: true,
    }),
  ),
  {
    from: 'OpenSent',
    event: 'updateErr',
    to: 'Idle',
    sends: [3, 1],
    counter: '+1',
    reconnect: true,
  },

  // OpenConfirm
  ...IGNORED_EVERYWHERE_OPEN.map((event): Row => ({
    from: 'OpenConfirm',
    event,
    to: 'OpenConfirm',
    ignored: true,
  })),
  { from: 'OpenConfirm', event: 'manualStop', to: 'Idle', sends: [6, 2], counter: 'reset' },
  {
    from: 'OpenConfirm',
    event: 'automaticStop',
    to: 'Idle',
    sends: [6, 6],
    counter: '+1',
    reconnect: true,
  },
  { from: 'OpenConfirm', event: 'hold', to: 'Idle', sends: [4, 0], counter: '+1', reconnect: true },
  {
    from: 'OpenConfirm',
    event: 'keepaliveTimer',
    to: 'OpenConfirm',
    with: ['sendKeepalive', 'startTimer'],
  },
  { from: 'OpenConfirm', event: 'tcpFails', to: 'Idle', counter: '+1', reconnect: true },
  { from: 'OpenConfirm', event: 'notifVersion', to: 'Idle', reconnect: true },
  { from: 'OpenConfirm', event: 'notifCease', to: 'Idle', counter: '+1', reconnect: true },
  {
    from: 'OpenConfirm',
    event: 'keepaliveMsg',
    to: 'Established',
    with: ['sessionEstablished', 'startTimer'],
  },
  { from: 'OpenConfirm', event: 'collision', to: 'Idle', sends: [6, 7], counter: '+1' },
  {
    from: 'OpenConfirm',
    event: 'headerErr',
    to: 'Idle',
    sends: [1, 2],
    counter: '+1',
    reconnect: true,
  },
  {
    from: 'OpenConfirm',
    event: 'openErr',
    to: 'Idle',
    sends: [2, 4],
    counter: '+1',
    reconnect: true,
  },
  {
    from: 'OpenConfirm',
    event: 'updateErr',
    to: 'Idle',
    sends: [3, 1],
    counter: '+1',
    reconnect: true,
  },
  ...(['connectRetry', 'open', 'updateMsg', 'routeRefresh'] as const).map((event): Row => ({
    from: 'OpenConfirm',
    event,
    to: 'Idle',
    sends: [5, 2],
    counter: '+1',
    reconnect: true,
  })),

  // Established
  ...IGNORED_EVERYWHERE_OPEN.filter((e) => e !== 'backoffReset' && e !== 'updateSent').map(
    (event): Row => ({
      from: 'Established',
      event,
      to: 'Established',
      ignored: true,
    }),
  ),
  { from: 'Established', event: 'manualStop', to: 'Idle', sends: [6, 2], counter: 'reset' },
  {
    from: 'Established',
    event: 'automaticStop',
    to: 'Idle',
    sends: [6, 6],
    counter: '+1',
    reconnect: true,
  },
  { from: 'Established', event: 'hold', to: 'Idle', sends: [4, 0], counter: '+1', reconnect: true },
  { from: 'Established', event: 'updateSent', to: 'Established', with: ['startTimer'] },
  {
    from: 'Established',
    event: 'keepaliveTimer',
    to: 'Established',
    with: ['sendKeepalive', 'startTimer'],
  },
  { from: 'Established', event: 'keepaliveMsg', to: 'Established', with: ['startTimer'] },
  { from: 'Established', event: 'updateMsg', to: 'Established', with: ['startTimer'] },
  {
    from: 'Established',
    event: 'routeRefresh',
    to: 'Established',
    with: ['startTimer', 'routeRefreshRequested'],
  },
  { from: 'Established', event: 'tcpFails', to: 'Idle', counter: '+1', reconnect: true },
  { from: 'Established', event: 'notifVersion', to: 'Idle', counter: '+1', reconnect: true },
  { from: 'Established', event: 'notifCease', to: 'Idle', counter: '+1', reconnect: true },
  {
    from: 'Established',
    event: 'updateErr',
    to: 'Idle',
    sends: [3, 1],
    counter: '+1',
    reconnect: true,
  },
  {
    from: 'Established',
    event: 'headerErr',
    to: 'Idle',
    sends: [1, 2],
    counter: '+1',
    reconnect: true,
  },
  { from: 'Established', event: 'collision', to: 'Idle', sends: [6, 7], counter: '+1' },
  ...(['connectRetry', 'open'] as const).map((event): Row => ({
    from: 'Established',
    event,
    to: 'Idle',
    sends: [5, 3],
    counter: '+1',
    reconnect: true,
  })),
];

describe('fsmStep: RFC 4271 §8.2.2 transitions', () => {
  for (const row of ROWS) {
    const label = `${row.from} + ${row.event} → ${row.to}${row.sends ? ` sending ${row.sends.join('/')}` : ''}`;
    it(label, () => {
      const before = inState(row.from);
      const { state, actions } = fsmStep(before, ev[row.event]);
      const types = actions.map((a) => a.type);
      assert.equal(state.state, row.to);

      if (row.ignored === true) {
        assert.deepEqual(actions, []);
        assert.deepEqual(state, before);
        return;
      }

      const sent = actions.filter((a) => a.type === 'sendNotification');
      if (row.sends === undefined) {
        assert.deepEqual(sent, [], 'no NOTIFICATION');
      } else {
        assert.equal(sent.length, 1);
        assert.deepEqual([sent[0]!.notification.code, sent[0]!.notification.subcode], row.sends);
        // A NOTIFICATION is flushed before closing (RFC 4271 §6: close after sending).
        assert.equal(types[types.indexOf('sendNotification') + 1], 'closeConnection');
      }

      const expectedCounter =
        row.counter === 'reset' ? 0 : row.counter === '+1' ? 6 : before.connectRetryCounter;
      assert.equal(state.connectRetryCounter, expectedCounter, 'ConnectRetryCounter');

      assert.equal(types.includes('scheduleReconnect'), row.reconnect === true, 'reconnect');
      for (const type of row.with ?? [])
        assert.ok(types.includes(type), `expected ${type} in ${types.join(', ')}`);

      if (row.to === 'Idle' && !row.from.startsWith('Idle')) {
        const downs = actions.filter((a) => a.type === 'sessionDown');
        assert.equal(downs.length, 1, 'one sessionDown');
        assert.equal(downs[0]!.wasEstablished, row.from === 'Established');
        assert.equal(state.lastDownReason, downs[0]!.reason);
        assert.equal(state.negotiated, undefined);
        if (row.sends === undefined)
          assert.ok(types.includes('dropConnection'), 'connection dropped');
        for (const timer of ['connectRetry', 'hold', 'keepalive'] as const) {
          assert.ok(
            actions.some((a) => a.type === 'stopTimer' && a.timer === timer),
            `${timer} stopped`,
          );
        }
      }
    });
  }
});

describe('fsmStep: details', () => {
  it('sends our OPEN and arms the 240 s OpenSent hold timer on connect', () => {
    const { actions } = fsmStep(inState('Connect'), ev.tcpAcked);
    assert.deepEqual(actions, [
      { type: 'stopTimer', timer: 'connectRetry' },
      {
        type: 'sendOpen',
        open: {
          version: 4,
          myAs: 64698,
          myAsField: 64698,
          holdTimeSeconds: 90,
          bgpIdentifier: 0x0a000001,
          capabilities: {
            families: [
              { afi: 1, safi: 1 },
              { afi: 2, safi: 1 },
            ],
            fourOctetAs: true,
            routeRefresh: true,
            gracefulRestart: undefined,
          },
        },
      },
      { type: 'startTimer', timer: 'hold', durationMs: 240_000 },
    ]);
  });

  it('switches to the negotiated hold time in OpenConfirm, and to no timers for hold time 0', () => {
    const opened = fsmStep(inState('OpenSent'), {
      type: 'BGPOpen',
      open: peerOpen({ holdTimeSeconds: 9 }),
    });
    assert.deepEqual(opened.actions, [
      { type: 'stopTimer', timer: 'connectRetry' },
      { type: 'sendKeepalive' },
      { type: 'startTimer', timer: 'keepalive', durationMs: 3000 },
      { type: 'startTimer', timer: 'hold', durationMs: 9000 },
    ]);
    const zero = fsmStep(inState('OpenSent'), {
      type: 'BGPOpen',
      open: peerOpen({ holdTimeSeconds: 0 }),
    });
    assert.deepEqual(zero.actions, [
      { type: 'stopTimer', timer: 'connectRetry' },
      { type: 'sendKeepalive' },
      { type: 'stopTimer', timer: 'hold' },
    ]);
    const established = fsmStep(zero.state, ev.keepaliveMsg);
    assert.equal(established.state.state, 'Established');
    assert.ok(!established.actions.some((a) => a.type === 'startTimer' && a.timer === 'hold'));
    assert.deepEqual(fsmStep(established.state, ev.keepaliveMsg).actions, []);
  });

  it('answers a bad OPEN with the exact NOTIFICATION of RFC 4271 §6.2 / RFC 5492', () => {
    const cases: Array<[Partial<ReturnType<typeof peerOpen>>, number, number[]]> = [
      [{ version: 3 }, 1, [0, 4]],
      [{ peerAs: 1 }, 2, []],
      [{ bgpIdentifier: 0 }, 3, []],
      [{ bgpIdentifier: 0xe0000005 }, 3, []],
      [{ holdTimeSeconds: 2 }, 6, []],
      [
        {
          capabilities: {
            families: [{ afi: 2, safi: 128 }],
            fourOctetAs: true,
            routeRefresh: true,
            gracefulRestart: undefined,
          },
        },
        7,
        [1, 4, 0, 1, 0, 1, 1, 4, 0, 2, 0, 1],
      ],
    ];
    for (const [overrides, subcode, data] of cases) {
      const { state, actions } = fsmStep(inState('OpenSent'), {
        type: 'BGPOpen',
        open: peerOpen(overrides),
      });
      assert.equal(state.state, 'Idle');
      const sent = actions.find((a) => a.type === 'sendNotification')?.notification;
      assert.deepEqual(
        sent && [sent.code, sent.subcode, [...sent.data]],
        [2, subcode, data],
        JSON.stringify(overrides),
      );
    }
  });

  it('reports the negotiated parameters when Established', () => {
    const { actions } = fsmStep(inState('OpenConfirm'), ev.keepaliveMsg);
    const established = actions.find((a) => a.type === 'sessionEstablished');
    assert.ok(established);
    assert.equal(established.negotiated.holdTimeSeconds, 90);
    assert.equal(established.negotiated.keepaliveIntervalMs, 30_000);
    assert.deepEqual(established.negotiated.families, ['ipv4-unicast', 'ipv6-unicast']);
    assert.ok(
      actions.some(
        (a) => a.type === 'startTimer' && a.timer === 'backoffReset' && a.durationMs === 60_000,
      ),
    );
  });

  it('gives readable reasons for going down', () => {
    const reason = (setup: Setup, event: FsmEvent): string | undefined =>
      fsmStep(inState(setup), event).state.lastDownReason;
    assert.equal(
      reason('Established', ev.notifCease),
      "NOTIFICATION received: Cease/Administrative Shutdown: 'maintenance'",
    );
    assert.equal(
      reason('Established', ev.hold),
      'hold timer expired: nothing received from the peer for 90 s',
    );
    assert.equal(
      reason('OpenSent', ev.hold),
      'hold timer expired: nothing received from the peer for 240 s',
    );
    assert.equal(
      reason('OpenSent', ev.openBadAs),
      "NOTIFICATION sent: OPEN Message Error/Bad Peer AS: the peer's AS is 65000, configured is 64699",
    );
    assert.equal(
      reason('Established', ev.manualStop),
      "NOTIFICATION sent: Cease/Administrative Shutdown: 'maintenance'",
    );
    assert.equal(reason('Connect', ev.manualStop), 'stopped by the operator: maintenance');
    assert.equal(reason('Connect', { type: 'ManualStop' }), 'stopped by the operator');
    assert.equal(reason('Connect', ev.tcpFails), 'TCP connection failed: ECONNRESET');
    assert.equal(
      reason('OpenSent', ev.updateMsg),
      'NOTIFICATION sent: Finite State Machine Error/Receive Unexpected Message in OpenSent State: UPDATE received',
    );
    assert.equal(
      reason('Established', ev.updateErr),
      'NOTIFICATION sent: UPDATE Message Error/Malformed Attribute List: bad attrs',
    );
    assert.equal(
      reason('OpenConfirm', ev.automaticStop),
      'NOTIFICATION sent: Cease/Other Configuration Change: peer settings changed',
    );
    assert.equal(reason('Connect', ev.hold), 'unexpected hold timer expiry in Connect state');
    assert.equal(reason('Active', ev.automaticStop), 'stopped: peer settings changed');
    assert.equal(reason('Connect', ev.headerErr), 'message error before OPEN: length 5');
    assert.match(
      reason('OpenConfirm', ev.collision) ?? '',
      /^NOTIFICATION sent: Cease\/Connection Collision Resolution: /,
    );
  });

  it('puts the operator message into the Cease data (RFC 9003)', () => {
    const { actions } = fsmStep(inState('Established'), ev.manualStop);
    const sent = actions.find((a) => a.type === 'sendNotification');
    assert.deepEqual([...(sent?.notification.data ?? [])], [11, ...Buffer.from('maintenance')]);
    const plain = fsmStep(inState('Established'), { type: 'ManualStop' }).actions.find(
      (a) => a.type === 'sendNotification',
    );
    assert.equal(plain?.notification.data.length, 0);
  });

  it('does not restart after ManualStop, and ManualStop in Idle cancels a pending restart', () => {
    const stoppedAfter = fsmStep(inState('Established'), ev.manualStop).state;
    assert.equal(stoppedAfter.adminUp, false);
    assert.deepEqual(fsmStep(stoppedAfter, ev.automaticStart).actions, []);
    const waiting = inState('Idle/waiting');
    assert.equal(waiting.adminUp, true);
    const cancelled = fsmStep(waiting, ev.manualStop);
    assert.deepEqual(cancelled.actions, [{ type: 'stopTimer', timer: 'reconnect' }]);
    assert.equal(fsmStep(cancelled.state, ev.automaticStart).state.state, 'Idle');
  });

  it('restarts in the mode of the last ManualStart', () => {
    const passive = fsmRun(stopped, [ev.manualStartPassive, ev.tcpFails]).state;
    const restarted = fsmStep(passive, ev.automaticStart);
    assert.equal(restarted.state.state, 'Active');
    assert.ok(!restarted.actions.some((a) => a.type === 'connect'));
  });

  it('passes ROUTE-REFRESH on with its family', () => {
    const { actions } = fsmStep(inState('Established'), ev.routeRefresh);
    assert.ok(
      actions.some(
        (a) => a.type === 'routeRefreshRequested' && a.family.afi === 1 && a.family.safi === 1,
      ),
    );
  });

  it('grows the reconnect delay with each failure and forgets failures after a stable session', () => {
    let state = fsmRun(stopped, [ev.manualStart]).state;
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      const step = fsmRun(state, [ev.tcpFails, ev.automaticStart]);
      const reconnect = step.actions.find((a) => a.type === 'scheduleReconnect');
      assert.ok(reconnect);
      assert.equal(reconnect.attempt, i + 1);
      delays.push(reconnect.delayMs);
      state = step.state;
    }
    const bases = [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000];
    delays.forEach((delay, i) => {
      assert.ok(delay <= bases[i]! && delay >= bases[i]! * 0.75, `attempt ${i + 1}: ${delay}`);
    });

    // Established, but down again before backoffReset: the count goes on.
    const established = fsmRun(state, [ev.tcpAcked, ev.open, ev.keepaliveMsg]).state;
    const early = fsmStep(established, ev.tcpFails).actions.find(
      (a) => a.type === 'scheduleReconnect',
    );
    assert.equal(early?.attempt, 9);
    // Established long enough: the next failure starts over.
    const stable = fsmStep(established, ev.backoffReset).state;
    assert.equal(stable.consecutiveFailures, 0);
    const fresh = fsmStep(stable, ev.tcpFails).actions.find((a) => a.type === 'scheduleReconnect');
    assert.equal(fresh?.attempt, 1);
    // A ManualStart also starts over.
    assert.equal(fsmRun(state, [ev.manualStop, ev.manualStart]).state.consecutiveFailures, 0);
  });

  it('is deterministic for a seed and jitters differently for different seeds', () => {
    const delay = (seed: number): number | undefined =>
      fsmRun(initialFsmState(config, seed), [ev.manualStart, ev.tcpFails]).actions.find(
        (a) => a.type === 'scheduleReconnect',
      )?.delayMs;
    assert.equal(delay(1), delay(1));
    const distinct = new Set([1, 2, 3, 4, 5, 6, 7, 8].map(delay));
    assert.ok(distinct.size > 1);
  });

  it('names events briefly for reasons', () => {
    assert.deepEqual(
      [
        ev.notifCease,
        ev.collision,
        ev.tcpFails,
        ev.updateErr,
        ev.keepaliveTimer,
        ev.automaticStop,
      ].map(describeEvent),
      [
        'NOTIFICATION received',
        'collision dump',
        'TCP failure (ECONNRESET)',
        'malformed UPDATE received',
        'keepalive timer expiry',
        'AutomaticStop',
      ],
    );
  });

  it('says where an incoming connection goes', () => {
    assert.deepEqual(incomingConnectionDisposition(stopped), {
      accept: false,
      reason: 'the session is stopped',
    });
    assert.deepEqual(incomingConnectionDisposition(inState('Idle/waiting')), {
      accept: false,
      reason: 'the session is waiting before it restarts',
    });
    assert.deepEqual(incomingConnectionDisposition(inState('Active')), {
      accept: true,
      as: 'primary',
    });
    assert.deepEqual(incomingConnectionDisposition(inState('OpenConfirm')), {
      accept: true,
      as: 'second',
    });
  });
});

describe('fsmStep: invariants over random event sequences', () => {
  const events = fc.constantFrom(...Object.values(ev));
  const holdTimes = fc.constantFrom(0, 3, 9, 90);

  it('keeps timers consistent with the state and reports every fall to Idle once', () => {
    fc.assert(
      fc.property(fc.array(events, { maxLength: 60 }), holdTimes, (sequence, peerHold) => {
        let state = initialFsmState(config, 3);
        const running = new Set<FsmTimer>();
        for (const raw of sequence) {
          const event: FsmEvent =
            raw.type === 'BGPOpen' && raw.open.peerAs === 64699
              ? { type: 'BGPOpen', open: peerOpen({ holdTimeSeconds: peerHold }) }
              : raw;
          const before = state.state;
          // A fired timer is no longer running (the actions may start it again).
          if (event.type === 'HoldTimer_Expires') running.delete('hold');
          if (event.type === 'ConnectRetryTimer_Expires') running.delete('connectRetry');
          if (event.type === 'KeepaliveTimer_Expires') running.delete('keepalive');
          if (event.type === 'AutomaticStart') running.delete('reconnect');
          if (event.type === 'BackoffResetTimer_Expires') running.delete('backoffReset');
          const step = fsmStep(state, event);
          state = step.state;
          for (const action of step.actions) {
            if (action.type === 'startTimer') running.add(action.timer);
            if (action.type === 'stopTimer') running.delete(action.timer);
            if (action.type === 'scheduleReconnect') running.add('reconnect');
          }

          const downs = step.actions.filter((a) => a.type === 'sessionDown').length;
          assert.equal(downs, before !== 'Idle' && state.state === 'Idle' ? 1 : 0);
          const hold = state.negotiated?.holdTimeSeconds ?? 0;
          switch (state.state) {
            case 'Idle':
              for (const timer of running) assert.equal(timer, 'reconnect');
              if (!state.adminUp) assert.ok(!running.has('reconnect'));
              break;
            case 'Connect':
              assert.ok(running.has('connectRetry'));
              assert.ok(!running.has('hold') && !running.has('keepalive'));
              break;
            case 'OpenSent':
              assert.ok(running.has('hold'), 'OpenSent always watches for a silent peer');
              break;
            case 'OpenConfirm':
            case 'Established':
              assert.equal(running.has('hold'), hold > 0, `${state.state} hold with ${hold}`);
              assert.equal(running.has('keepalive'), hold > 0);
              assert.ok(!running.has('connectRetry'));
              break;
            case 'Active':
              break;
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('fsmStep: passive sessions', () => {
  it('never dial: the connect retry timer only restarts, also after a failed session', () => {
    const listening = inState('Active');
    const step = fsmStep(listening, ev.connectRetry);
    assert.deepEqual(step.actions, [
      {
        type: 'startTimer',
        timer: 'connectRetry',
        durationMs: config.connectRetryTimeSeconds * 1000,
      },
    ]);
    // Accepted, failed in OpenSent, back to Active: still passive.
    const failed = fsmRun(listening, [ev.tcpConfirmed, ev.tcpFails]).state;
    assert.equal(failed.state, 'Active');
    assert.ok(!fsmStep(failed, ev.connectRetry).actions.some((a) => a.type === 'connect'));
  });
});
