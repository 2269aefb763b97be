import type { AfiSafi } from './address-family.ts';
import { backoffDelayMs, nextRandom } from './backoff.ts';
import {
  CeaseSubcode,
  describeNotification,
  encodeShutdownCommunication,
  FsmErrorSubcode,
  type Notification,
  notification,
  NotificationCode,
  notificationName,
  OpenMessageErrorSubcode,
} from './notification.ts';
import {
  checkReceivedOpen,
  type LocalOpen,
  localOpen,
  type NegotiatedSession,
  type ReceivedOpen,
} from './open-negotiation.ts';
import type { SessionConfig } from './session-config.ts';

/**
 * The BGP finite state machine of RFC 4271 §8 as a pure step function:
 * `fsmStep(state, event)` returns the next state and the actions (data) the
 * session layer carries out — send, (re)start or stop timers, connect, close.
 * One FSM runs per TCP connection; a connection collision briefly has two, and
 * resolveCollision() (collision.ts) says which one gets OpenCollisionDump.
 *
 * Not implemented (optional in RFC 4271 §8.1): DelayOpen, DampPeerOscillations
 * (the reconnect backoff replaces it), SendNOTIFICATIONwithoutOPEN,
 * CollisionDetectEstablishedState, TrackTcpState.
 */

export type BgpState = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';

/**
 * connectRetry, hold and keepalive are RFC 4271 §10's timers. reconnect holds
 * the FSM in Idle before the next automatic start (scheduleReconnect);
 * backoffReset fires once a session has stayed Established long enough to
 * forget earlier failures.
 */
export type FsmTimer = 'connectRetry' | 'hold' | 'keepalive' | 'reconnect' | 'backoffReset';

/** Events of RFC 4271 §8.1, named as there, plus ROUTE-REFRESH and the backoff reset. */
export type FsmEvent =
  /** Events 1 and 4: the operator starts the session, actively or passively (listen first). */
  | { readonly type: 'ManualStart'; readonly passive: boolean }
  /** Event 2; the message goes into Cease/Administrative Shutdown (RFC 9003). */
  | { readonly type: 'ManualStop'; readonly message?: string }
  /** Events 3/5: the reconnect delay is over; the passive flag of the last ManualStart applies. */
  | { readonly type: 'AutomaticStart' }
  /** Event 8: the session decides to stop, e.g. Cease/Other Configuration Change. */
  | { readonly type: 'AutomaticStop'; readonly subcode: number; readonly reason: string }
  | { readonly type: 'ConnectRetryTimer_Expires' }
  | { readonly type: 'HoldTimer_Expires' }
  | { readonly type: 'KeepaliveTimer_Expires' }
  | { readonly type: 'BackoffResetTimer_Expires' }
  /** Event 14: an incoming connection for this peer was accepted (it is tracked by the session). */
  | { readonly type: 'TcpConnection_Valid' }
  /** Event 15: an incoming connection was refused. */
  | { readonly type: 'Tcp_CR_Invalid' }
  /** Event 16: our outgoing connection is up. */
  | { readonly type: 'Tcp_CR_Acked' }
  /** Event 17: the peer's incoming connection is up and is this FSM's connection. */
  | { readonly type: 'TcpConnectionConfirmed' }
  /** Event 18: the connection failed or was closed; the reason is the socket's ("ECONNREFUSED"). */
  | { readonly type: 'TcpConnectionFails'; readonly reason: string }
  /** Event 19: a well-formed OPEN; its contents are checked here (RFC 4271 §6.2). */
  | { readonly type: 'BGPOpen'; readonly open: ReceivedOpen }
  /** Events 21, 22, 28: the codec found an error and says which NOTIFICATION to send. */
  | { readonly type: 'BGPHeaderErr'; readonly notification: Notification; readonly reason: string }
  | { readonly type: 'BGPOpenMsgErr'; readonly notification: Notification; readonly reason: string }
  | { readonly type: 'UpdateMsgErr'; readonly notification: Notification; readonly reason: string }
  /** Event 23: collision resolution chose to close this connection. */
  | { readonly type: 'OpenCollisionDump' }
  /** Events 24 and 25: a NOTIFICATION arrived; 2/1 is the version error of event 24. */
  | { readonly type: 'NotifMsg'; readonly notification: Notification }
  | { readonly type: 'KeepAliveMsg' }
  | { readonly type: 'UpdateMsg' }
  /** RFC 2918 ROUTE-REFRESH (or RFC 7313 BoRR/EoRR: the session filters). */
  | { readonly type: 'RouteRefreshMsg'; readonly family: AfiSafi }
  /** We wrote UPDATEs: RFC 4271 §8.2.2 restarts the KeepaliveTimer, an UPDATE proves us alive too. */
  | { readonly type: 'UpdateMsgSent' };

export type FsmAction =
  /** Open a TCP connection to the peer. */
  | { readonly type: 'connect' }
  | { readonly type: 'sendOpen'; readonly open: LocalOpen }
  | { readonly type: 'sendKeepalive' }
  | { readonly type: 'sendNotification'; readonly notification: Notification }
  /** Start the timer, or restart it when it runs. */
  | { readonly type: 'startTimer'; readonly timer: FsmTimer; readonly durationMs: number }
  | { readonly type: 'stopTimer'; readonly timer: FsmTimer }
  /** Close after the queued bytes (the NOTIFICATION) are written; bound it with a timeout. */
  | { readonly type: 'closeConnection' }
  /** Close now, discarding anything unwritten (also aborts a pending connect). */
  | { readonly type: 'dropConnection' }
  | { readonly type: 'sessionEstablished'; readonly negotiated: NegotiatedSession }
  /** Entered Idle from another state: the attempt or session ended, and why. */
  | { readonly type: 'sessionDown'; readonly reason: string; readonly wasEstablished: boolean }
  /** Feed AutomaticStart after delayMs (timer "reconnect"); attempt counts consecutive failures. */
  | { readonly type: 'scheduleReconnect'; readonly delayMs: number; readonly attempt: number }
  /** The peer asked for our routes again: re-send the Adj-RIB-Out for this family. */
  | { readonly type: 'routeRefreshRequested'; readonly family: AfiSafi };

export interface FsmState {
  readonly state: BgpState;
  readonly config: SessionConfig;
  /** Between ManualStart and ManualStop: only then does Idle restart automatically. */
  readonly adminUp: boolean;
  /**
   * From the last ManualStart: only accept connections, never dial (RFC 4271
   * PassiveTcpEstablishment, kept for the whole session as BIRD and FRR do).
   */
  readonly passive: boolean;
  /** RFC 4271 §8 ConnectRetryCounter, for status and metrics. */
  readonly connectRetryCounter: number;
  /** Failures since the last session that stayed up for backoff.resetAfterMs; drives the backoff. */
  readonly consecutiveFailures: number;
  /** xorshift32 state for the backoff jitter, so this stays pure and repeatable. */
  readonly randomSeed: number;
  /** Set from OpenConfirm on, cleared in Idle. */
  readonly negotiated: NegotiatedSession | undefined;
  /** The reason of the last sessionDown, for status. */
  readonly lastDownReason: string | undefined;
}

export interface FsmStep {
  readonly state: FsmState;
  readonly actions: readonly FsmAction[];
}

export function initialFsmState(config: SessionConfig, randomSeed = 1): FsmState {
  return {
    state: 'Idle',
    config,
    adminUp: false,
    passive: false,
    connectRetryCounter: 0,
    consecutiveFailures: 0,
    randomSeed: randomSeed >>> 0,
    negotiated: undefined,
    lastDownReason: undefined,
  };
}

export function fsmStep(s: FsmState, event: FsmEvent): FsmStep {
  switch (s.state) {
    case 'Idle':
      return idle(s, event);
    case 'Connect':
    case 'Active':
      return connectOrActive(s, event);
    case 'OpenSent':
      return openSent(s, event);
    case 'OpenConfirm':
      return openConfirm(s, event);
    case 'Established':
      return established(s, event);
  }
}

/** Runs several events in order; handy for tests and for replaying. */
export function fsmRun(s: FsmState, events: readonly FsmEvent[]): FsmStep {
  let state = s;
  const actions: FsmAction[] = [];
  for (const event of events) {
    const step = fsmStep(state, event);
    state = step.state;
    actions.push(...step.actions);
  }
  return { state, actions };
}

const stay = (s: FsmState, ...actions: FsmAction[]): FsmStep => ({ state: s, actions });

// RFC 4271 §8.2.2, Idle state.
function idle(s: FsmState, event: FsmEvent): FsmStep {
  switch (event.type) {
    case 'ManualStart':
      return start(
        { ...s, adminUp: true, passive: event.passive, consecutiveFailures: 0 },
        event.passive,
      );
    case 'AutomaticStart':
      // A reconnect that fires after ManualStop must not restart the session.
      return s.adminUp ? start(s, s.passive) : stay(s);
    case 'ManualStop':
      // Ignored by RFC 4271 in Idle; here it also cancels a pending automatic restart.
      return stay({ ...s, adminUp: false }, { type: 'stopTimer', timer: 'reconnect' });
    default:
      return stay(s);
  }
}

function start(s: FsmState, passive: boolean): FsmStep {
  const actions: FsmAction[] = [
    { type: 'stopTimer', timer: 'reconnect' },
    { type: 'startTimer', timer: 'connectRetry', durationMs: connectRetryMs(s) },
  ];
  if (!passive) actions.push({ type: 'connect' });
  return {
    state: { ...s, state: passive ? 'Active' : 'Connect', connectRetryCounter: 0 },
    actions,
  };
}

// RFC 4271 §8.2.2, Connect and Active states (they differ only in ConnectRetryTimer_Expires
// and TcpConnectionFails).
function connectOrActive(s: FsmState, event: FsmEvent): FsmStep {
  switch (event.type) {
    case 'ManualStart':
    case 'AutomaticStart':
    case 'BackoffResetTimer_Expires':
    case 'UpdateMsgSent':
    case 'TcpConnection_Valid':
    case 'Tcp_CR_Invalid':
      return stay(s);
    case 'ManualStop':
      return toIdle(s, {
        reason: event.message
          ? `stopped by the operator: ${event.message}`
          : 'stopped by the operator',
        counter: 'reset',
        manual: true,
      });
    case 'ConnectRetryTimer_Expires': {
      // A passive session never dials (like BIRD's and FRR's `passive`): RFC 4271 would
      // connect here, its PassiveTcpEstablishment only delaying the first attempt.
      if (s.state === 'Active' && s.passive) {
        return stay(s, {
          type: 'startTimer',
          timer: 'connectRetry',
          durationMs: connectRetryMs(s),
        });
      }
      const restart: FsmAction[] = [
        { type: 'startTimer', timer: 'connectRetry', durationMs: connectRetryMs(s) },
        { type: 'connect' },
      ];
      // In Connect the attempt in progress is abandoned first.
      if (s.state === 'Connect') restart.unshift({ type: 'dropConnection' });
      return { state: { ...s, state: 'Connect' }, actions: restart };
    }
    case 'Tcp_CR_Acked':
    case 'TcpConnectionConfirmed':
      return {
        state: { ...s, state: 'OpenSent' },
        actions: [
          { type: 'stopTimer', timer: 'connectRetry' },
          { type: 'sendOpen', open: localOpen(s.config) },
          // RFC 4271 §8.2.2: "a large value" (4 minutes suggested) until the peer's OPEN.
          {
            type: 'startTimer',
            timer: 'hold',
            durationMs: s.config.openSentHoldTimeSeconds * 1000,
          },
        ],
      };
    case 'TcpConnectionFails':
      // Connect: to Idle without counting (RFC 4271); Active: counted.
      return toIdle(s, {
        reason: `TCP connection failed: ${event.reason}`,
        counter: s.state === 'Active' ? 'increment' : 'keep',
      });
    case 'NotifMsg':
      return toIdle(s, {
        reason: `NOTIFICATION received: ${describeNotification(event.notification)}`,
        counter: 'increment',
      });
    case 'AutomaticStop':
      return toIdle(s, { reason: `stopped: ${event.reason}`, counter: 'increment' });
    case 'BGPHeaderErr':
    case 'BGPOpenMsgErr':
      // Without SendNOTIFICATIONwithoutOPEN no NOTIFICATION goes out before our OPEN.
      return toIdle(s, {
        reason: `message error before OPEN: ${event.reason}`,
        counter: 'increment',
      });
    case 'HoldTimer_Expires':
    case 'KeepaliveTimer_Expires':
    case 'BGPOpen':
    case 'UpdateMsgErr':
    case 'OpenCollisionDump':
    case 'KeepAliveMsg':
    case 'UpdateMsg':
    case 'RouteRefreshMsg':
      return toIdle(s, {
        reason: `unexpected ${describeEvent(event)} in ${s.state} state`,
        counter: 'increment',
      });
  }
}

// RFC 4271 §8.2.2, OpenSent state.
function openSent(s: FsmState, event: FsmEvent): FsmStep {
  switch (event.type) {
    case 'BGPOpen': {
      const check = checkReceivedOpen(s.config, event.open);
      if (!check.ok) {
        return toIdle(s, {
          reason: `NOTIFICATION sent: ${check.reason}`,
          send: check.notification,
          counter: 'increment',
        });
      }
      const { negotiated } = check;
      const actions: FsmAction[] = [
        { type: 'stopTimer', timer: 'connectRetry' },
        { type: 'sendKeepalive' },
      ];
      // RFC 4271 §8.2.2: with a negotiated hold time of zero neither timer runs.
      if (negotiated.holdTimeSeconds > 0) {
        actions.push(
          { type: 'startTimer', timer: 'keepalive', durationMs: negotiated.keepaliveIntervalMs },
          { type: 'startTimer', timer: 'hold', durationMs: negotiated.holdTimeSeconds * 1000 },
        );
      } else {
        actions.push({ type: 'stopTimer', timer: 'hold' });
      }
      return { state: { ...s, state: 'OpenConfirm', negotiated }, actions };
    }
    case 'TcpConnectionFails':
      // RFC 4271 §8.2.2: back to Active, listening, and retry when the ConnectRetryTimer fires.
      return {
        state: { ...s, state: 'Active' },
        actions: [
          { type: 'dropConnection' },
          { type: 'stopTimer', timer: 'hold' },
          { type: 'startTimer', timer: 'connectRetry', durationMs: connectRetryMs(s) },
        ],
      };
    default:
      return commonOpenStates(s, event, FsmErrorSubcode.UnexpectedMessageInOpenSent);
  }
}

// RFC 4271 §8.2.2, OpenConfirm state.
function openConfirm(s: FsmState, event: FsmEvent): FsmStep {
  switch (event.type) {
    case 'KeepAliveMsg': {
      const negotiated = s.negotiated;
      if (negotiated === undefined) throw new Error('OpenConfirm without negotiated parameters');
      const actions: FsmAction[] = [];
      if (negotiated.holdTimeSeconds > 0) {
        actions.push({
          type: 'startTimer',
          timer: 'hold',
          durationMs: negotiated.holdTimeSeconds * 1000,
        });
      }
      actions.push(
        { type: 'startTimer', timer: 'backoffReset', durationMs: s.config.backoff.resetAfterMs },
        { type: 'sessionEstablished', negotiated },
      );
      return { state: { ...s, state: 'Established' }, actions };
    }
    default:
      return commonOpenStates(s, event, FsmErrorSubcode.UnexpectedMessageInOpenConfirm);
  }
}

// RFC 4271 §8.2.2, Established state.
function established(s: FsmState, event: FsmEvent): FsmStep {
  switch (event.type) {
    case 'KeepAliveMsg':
    case 'UpdateMsg':
      return stay(s, ...restartHoldTimer(s));
    case 'RouteRefreshMsg':
      // Every message from the peer proves it alive.
      return stay(s, ...restartHoldTimer(s), {
        type: 'routeRefreshRequested',
        family: event.family,
      });
    case 'BackoffResetTimer_Expires':
      return stay({ ...s, consecutiveFailures: 0 });
    case 'UpdateMsgSent':
      return stay(s, ...keepaliveTimer(s));
    default:
      return commonOpenStates(s, event, FsmErrorSubcode.UnexpectedMessageInEstablished);
  }
}

/** What OpenSent, OpenConfirm and Established do alike, once a connection carries BGP. */
function commonOpenStates(s: FsmState, event: FsmEvent, fsmErrorSubcode: number): FsmStep {
  switch (event.type) {
    // A second connection (the TCP events) is tracked by the session (collision.ts), not
    // here; UpdateMsgSent matters only in Established, which handles it itself.
    case 'ManualStart':
    case 'AutomaticStart':
    case 'BackoffResetTimer_Expires':
    case 'TcpConnection_Valid':
    case 'Tcp_CR_Invalid':
    case 'Tcp_CR_Acked':
    case 'TcpConnectionConfirmed':
    case 'UpdateMsgSent':
      return stay(s);
    case 'ManualStop': {
      const data = event.message ? encodeShutdownCommunication(event.message) : undefined;
      const cease = notification(NotificationCode.Cease, CeaseSubcode.AdministrativeShutdown, data);
      return toIdle(s, {
        reason: `NOTIFICATION sent: ${describeNotification(cease)}`,
        send: cease,
        counter: 'reset',
        manual: true,
      });
    }
    case 'AutomaticStop': {
      const cease = notification(NotificationCode.Cease, event.subcode);
      return toIdle(s, {
        reason: `NOTIFICATION sent: ${describeNotification(cease)}: ${event.reason}`,
        send: cease,
        counter: 'increment',
      });
    }
    case 'HoldTimer_Expires': {
      const seconds =
        s.state === 'OpenSent'
          ? s.config.openSentHoldTimeSeconds
          : (s.negotiated?.holdTimeSeconds ?? s.config.holdTimeSeconds);
      return toIdle(s, {
        reason: `hold timer expired: nothing received from the peer for ${seconds} s`,
        send: notification(NotificationCode.HoldTimerExpired, 0),
        counter: 'increment',
      });
    }
    case 'KeepaliveTimer_Expires':
      if (s.state === 'OpenSent') return fsmError(s, event, fsmErrorSubcode);
      return stay(s, { type: 'sendKeepalive' }, ...keepaliveTimer(s));
    case 'OpenCollisionDump': {
      const cease = notification(
        NotificationCode.Cease,
        CeaseSubcode.ConnectionCollisionResolution,
      );
      // The other connection carries on; the session discards this FSM, so no reconnect.
      return toIdle(s, {
        reason: `NOTIFICATION sent: ${describeNotification(cease)}: the other connection to the peer won (RFC 4271 §6.8)`,
        send: cease,
        counter: 'increment',
        reconnect: false,
      });
    }
    case 'NotifMsg': {
      // RFC 4271 §8.2.2 Event 24: a version error is not counted as a failed attempt.
      const versionError =
        event.notification.code === NotificationCode.OpenMessageError &&
        event.notification.subcode === OpenMessageErrorSubcode.UnsupportedVersionNumber;
      // In OpenSent RFC 4271 lists Event 25 among the events answered with an FSM
      // error; we do not answer a NOTIFICATION — its sender closes the connection
      // right after it (RFC 4271 §6) and nobody would read ours.
      return toIdle(s, {
        reason: `NOTIFICATION received: ${describeNotification(event.notification)}`,
        counter: versionError && s.state !== 'Established' ? 'keep' : 'increment',
      });
    }
    case 'BGPHeaderErr':
    case 'BGPOpenMsgErr':
    case 'UpdateMsgErr':
      // RFC 4271 §6: the error the codec found is reported as such, in every state
      // (RFC 4271 §8.2.2 would send an FSM error for these in Established).
      return toIdle(s, {
        reason: `NOTIFICATION sent: ${notificationName(event.notification.code, event.notification.subcode)}: ${event.reason}`,
        send: event.notification,
        counter: 'increment',
      });
    case 'TcpConnectionFails':
      // OpenConfirm and Established; OpenSent falls back to Active instead.
      return toIdle(s, { reason: `TCP connection failed: ${event.reason}`, counter: 'increment' });
    // Messages and timers that have no place in this state (KEEPALIVE and UPDATE
    // before OpenConfirm/Established, a second OPEN, a stray ConnectRetryTimer).
    case 'ConnectRetryTimer_Expires':
    case 'BGPOpen':
    case 'KeepAliveMsg':
    case 'UpdateMsg':
    case 'RouteRefreshMsg':
      return fsmError(s, event, fsmErrorSubcode);
  }
}

/** RFC 4271 §8.2.2 "any other event", with the subcodes of RFC 6608 §3. */
function fsmError(s: FsmState, event: FsmEvent, subcode: number): FsmStep {
  const error = notification(NotificationCode.FiniteStateMachineError, subcode);
  return toIdle(s, {
    reason: `NOTIFICATION sent: ${describeNotification(error)}: ${describeEvent(event)}`,
    send: error,
    counter: 'increment',
  });
}

interface IdleTransition {
  readonly reason: string;
  /** The NOTIFICATION to send before closing; without one the connection is dropped. */
  readonly send?: Notification;
  /** What happens to the ConnectRetryCounter. */
  readonly counter: 'increment' | 'reset' | 'keep';
  /** An operator stop: no automatic restart. */
  readonly manual?: boolean;
  /** Schedule an automatic restart (default: unless manual). */
  readonly reconnect?: boolean;
}

/** Every path to Idle: release the connection and timers, report, and maybe plan a restart. */
function toIdle(s: FsmState, t: IdleTransition): FsmStep {
  const actions: FsmAction[] = [];
  if (t.send !== undefined) {
    actions.push({ type: 'sendNotification', notification: t.send }, { type: 'closeConnection' });
  } else {
    actions.push({ type: 'dropConnection' });
  }
  for (const timer of ['connectRetry', 'hold', 'keepalive', 'backoffReset'] as const) {
    actions.push({ type: 'stopTimer', timer });
  }
  actions.push({
    type: 'sessionDown',
    reason: t.reason,
    wasEstablished: s.state === 'Established',
  });

  const counter =
    t.counter === 'reset'
      ? 0
      : t.counter === 'increment'
        ? s.connectRetryCounter + 1
        : s.connectRetryCounter;
  let next: FsmState = {
    ...s,
    state: 'Idle',
    adminUp: t.manual === true ? false : s.adminUp,
    connectRetryCounter: counter,
    negotiated: undefined,
    lastDownReason: t.reason,
  };
  if (t.manual !== true && t.reconnect !== false && next.adminUp) {
    const attempt = next.consecutiveFailures + 1;
    const random = nextRandom(next.randomSeed);
    const delayMs = backoffDelayMs(next.config.backoff, attempt, random.value);
    next = { ...next, consecutiveFailures: attempt, randomSeed: random.seed };
    actions.push({ type: 'scheduleReconnect', delayMs, attempt });
  }
  return { state: next, actions };
}

function restartHoldTimer(s: FsmState): FsmAction[] {
  const seconds = s.negotiated?.holdTimeSeconds ?? 0;
  return seconds > 0 ? [{ type: 'startTimer', timer: 'hold', durationMs: seconds * 1000 }] : [];
}

function keepaliveTimer(s: FsmState): FsmAction[] {
  const interval = s.negotiated?.keepaliveIntervalMs ?? 0;
  return interval > 0 ? [{ type: 'startTimer', timer: 'keepalive', durationMs: interval }] : [];
}

function connectRetryMs(s: FsmState): number {
  return s.config.connectRetryTimeSeconds * 1000;
}

/** Short words for an event in a reason string. */
export function describeEvent(event: FsmEvent): string {
  switch (event.type) {
    case 'BGPOpen':
      return 'OPEN received';
    case 'KeepAliveMsg':
      return 'KEEPALIVE received';
    case 'UpdateMsg':
      return 'UPDATE received';
    case 'RouteRefreshMsg':
      return 'ROUTE-REFRESH received';
    case 'NotifMsg':
      return 'NOTIFICATION received';
    case 'UpdateMsgErr':
      return 'malformed UPDATE received';
    case 'HoldTimer_Expires':
      return 'hold timer expiry';
    case 'KeepaliveTimer_Expires':
      return 'keepalive timer expiry';
    case 'ConnectRetryTimer_Expires':
      return 'connect retry timer expiry';
    case 'OpenCollisionDump':
      return 'collision dump';
    case 'TcpConnectionFails':
      return `TCP failure (${event.reason})`;
    default:
      return event.type;
  }
}

/**
 * Whether the session should take an incoming TCP connection for this peer:
 * refused while Idle (stopped, or holding off before a restart); otherwise
 * accepted — as this FSM's connection in Connect/Active (TcpConnectionConfirmed),
 * as a second connection for collision resolution from OpenSent on.
 */
export function incomingConnectionDisposition(
  s: FsmState,
):
  | { readonly accept: false; readonly reason: string }
  | { readonly accept: true; readonly as: 'primary' | 'second' } {
  switch (s.state) {
    case 'Idle':
      return {
        accept: false,
        reason: s.adminUp ? 'the session is waiting before it restarts' : 'the session is stopped',
      };
    case 'Connect':
    case 'Active':
      return { accept: true, as: 'primary' };
    case 'OpenSent':
    case 'OpenConfirm':
    case 'Established':
      return { accept: true, as: 'second' };
  }
}
