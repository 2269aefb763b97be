import { EventEmitter } from 'node:events';
import type net from 'node:net';
import { IronlbError } from '../common/errors.ts';
import { type AddressFamily, addressFamilyOf, type AfiSafi, afiSafiOf } from './address-family.ts';
import { AdjRibOut, type AdjRibOutCounts } from './adj-rib-out.ts';
import { formatBgpIdentifier } from './bgp-identifier.ts';
import { type Clock, systemClock } from './clock.ts';
import { resolveCollision } from './collision.ts';
import {
  type BgpState,
  describeEvent,
  type FsmAction,
  type FsmEvent,
  type FsmState,
  fsmStep,
  incomingConnectionDisposition,
  initialFsmState,
} from './fsm.ts';
import { CeaseSubcode, describeNotification, type Notification } from './notification.ts';
import type { NegotiatedSession, ReceivedOpen } from './open-negotiation.ts';
import {
  type NextHops,
  type OutboundPolicy,
  pathAttributesFor,
  resolveNextHops,
} from './outbound-attributes.ts';
import { type ConnectionDirection, PeerConnection } from './peer-connection.ts';
import { connectToPeer } from './peer-socket.ts';
import type { Route } from './route.ts';
import type { SessionConfig } from './session-config.ts';
import { BgpSessionErrors } from './session-errors.ts';
import {
  type ResolvedSessionOptions,
  resolveSessionOptions,
  type SessionOptions,
} from './session-options.ts';
import { SessionTimers } from './session-timers.ts';
import { UpdateSender } from './update-sender.ts';
import {
  notificationOf,
  offersEnhancedRouteRefresh,
  receivedOpenOf,
  wireContextOf,
  wireNotificationOf,
  wireOpenOf,
} from './wire-mapping.ts';
import { MessageType } from './wire/constants.ts';
import { DEFAULT_WIRE_CONTEXT, type WireContext } from './wire/context.ts';
import { createEndOfRib } from './wire/end-of-rib.ts';
import { isBgpWireError } from './wire/errors.ts';
import { encodeMessage } from './wire/message.ts';
import { keepaliveMessage } from './wire/messages/keepalive.ts';
import { notificationMessage } from './wire/messages/notification.ts';
import { openMessage } from './wire/messages/open.ts';
import type { OpenMessage } from './wire/messages/open.ts';
import { routeRefreshMessage } from './wire/messages/route-refresh.ts';
import { updateMessage } from './wire/messages/update.ts';
import { routeChangesOf } from './wire/route-changes.ts';

/**
 * A BGP session with one peer over real sockets. It drives the pure FSM
 * (fsm.ts) by feeding it socket and message events and carrying out its
 * actions, and keeps the peer in sync with the routes given to setRoutes()
 * (level-triggered, through the Adj-RIB-Out). ironlb only announces: what
 * the peer sends is parsed and validated (RFC 7606), then dropped.
 */

export type MessageKind = 'open' | 'update' | 'notification' | 'keepalive' | 'routeRefresh';
export type MessageCounts = Record<MessageKind, number>;

export interface StateChange {
  readonly from: BgpState;
  readonly to: BgpState;
  /** Human-readable: the NOTIFICATION sent or received, the socket error, … */
  readonly reason: string;
}

export interface EstablishedInfo {
  readonly negotiated: NegotiatedSession;
  readonly localAddress: string;
  readonly remoteAddress: string;
  readonly direction: ConnectionDirection;
  readonly nextHops: NextHops;
  /** RFC 7313 on both sides: route refreshes are bracketed by BoRR/EoRR. */
  readonly enhancedRouteRefresh: boolean;
}

export interface NotificationEvent {
  readonly direction: 'sent' | 'received';
  readonly code: number;
  readonly subcode: number;
  readonly description: string;
}

export interface SessionStats {
  readonly state: BgpState;
  readonly messagesIn: Readonly<MessageCounts>;
  readonly messagesOut: Readonly<MessageCounts>;
  /** Routes wanted, announced to the peer, and changes not yet sent. */
  readonly prefixes: AdjRibOutCounts;
  /** Prefixes the peer announced to us (validated, then dropped). */
  readonly prefixesReceived: number;
  /** How often the session reached Established. */
  readonly establishedCount: number;
  readonly lastDownReason: string | undefined;
}

export interface SessionEvents {
  stateChange: [StateChange];
  established: [EstablishedInfo];
  /** An Established session ended. */
  down: [{ readonly reason: string }];
  notification: [NotificationEvent];
  /** Something the peer did that we tolerate (RFC 7606 soft errors, a refused connection, …). */
  warning: [{ readonly message: string }];
  /** Everything pending reached the socket (after the initial table: End-of-RIB sent). */
  synced: [AdjRibOutCounts];
}

export interface CloseOptions {
  /**
   * false: just close the TCP connection, so a graceful-restart helper keeps
   * our routes (RFC 4724 §4.2). Otherwise a Cease NOTIFICATION goes first.
   */
  readonly notification?: boolean;
  /** The Cease subcode; Administrative Shutdown (2) by default. */
  readonly subcode?: number;
  /** RFC 9003 shutdown communication sent with Administrative Shutdown. */
  readonly message?: string;
}

/** One FSM and its connection: the session's, and briefly a second during a collision. */
interface Driver {
  fsm: FsmState;
  readonly timers: SessionTimers;
  connection: PeerConnection | undefined;
  /** An outgoing connection attempt in progress. */
  connecting: net.Socket | undefined;
  readonly queue: FsmEvent[];
  busy: boolean;
  /** Set once the OPEN exchange fixed it (OpenConfirm). */
  wireContext: WireContext;
  enhancedRouteRefresh: boolean;
  /** Lost a collision: its fall to Idle is not the session's. */
  dumped: boolean;
  discarded: boolean;
}

const DEFAULT_SHUTDOWN_MESSAGE = 'ironlb: session closed';
const KEEPALIVE_BYTES = keepaliveMessage.encode({ type: 'keepalive' });

function zeroCounts(): MessageCounts {
  return { open: 0, update: 0, notification: 0, keepalive: 0, routeRefresh: 0 };
}

const KIND_OF_TYPE: Readonly<Record<number, MessageKind>> = {
  [MessageType.OPEN]: 'open',
  [MessageType.UPDATE]: 'update',
  [MessageType.NOTIFICATION]: 'notification',
  [MessageType.KEEPALIVE]: 'keepalive',
  [MessageType.ROUTE_REFRESH]: 'routeRefresh',
};

export class Session extends EventEmitter<SessionEvents> {
  readonly #options: ResolvedSessionOptions;
  readonly #clock: Clock;
  readonly #rib = new AdjRibOut();
  #config: SessionConfig;
  #primary: Driver;
  #second: Driver | undefined;
  #sender: UpdateSender | undefined;
  #established: EstablishedInfo | undefined;
  /** setRoutes() was called: the routes are known, End-of-RIB may go out. */
  #routesKnown = false;
  #endOfRibPending = new Set<AddressFamily>();
  #unregister: (() => void) | undefined;
  #started = false;
  #stopping = false;
  #closed: Promise<void> | undefined;
  /** The state last reported in a stateChange event. */
  #reportedState: BgpState = 'Idle';
  readonly #closing = new Set<Promise<void>>();
  readonly #in = zeroCounts();
  readonly #out = zeroCounts();
  #prefixesReceived = 0;
  #establishedCount = 0;
  #lastDownReason: string | undefined;
  #seed: number;

  constructor(options: SessionOptions) {
    super();
    this.#options = resolveSessionOptions(options);
    this.#clock = options.clock ?? systemClock;
    this.#config = this.#options.config;
    this.#seed = this.#options.randomSeed;
    this.#primary = this.#newDriver();
  }

  /** The state of the session's FSM (RFC 4271 §8). */
  get state(): BgpState {
    return this.#primary.fsm.state;
  }

  /** Set while Established. */
  get established(): EstablishedInfo | undefined {
    return this.#established;
  }

  get peerAddress(): string {
    return this.#options.transport.peerAddress;
  }

  stats(): SessionStats {
    return {
      state: this.state,
      messagesIn: { ...this.#in },
      messagesOut: { ...this.#out },
      prefixes: this.#rib.counts(),
      prefixesReceived: this.#prefixesReceived,
      establishedCount: this.#establishedCount,
      lastDownReason: this.#lastDownReason,
    };
  }

  /** Starts connecting (or, passive, waiting for the peer); reconnects until close(). */
  start(): void {
    if (this.#closed !== undefined) {
      throw new IronlbError(
        BgpSessionErrors.IRONLB_ERR_BGP_SESSION_CLOSED,
        `the session with ${this.peerAddress} was closed; create a new one`,
      );
    }
    if (this.#started) return;
    this.#started = true;
    const listener = this.#options.listener;
    if (listener !== undefined) {
      this.#unregister = listener.register(this.peerAddress, {
        ...this.#options.listenerSecurity,
        accept: (socket) => this.#onIncoming(socket),
      });
    }
    this.#feed(this.#primary, { type: 'ManualStart', passive: this.#options.passive });
  }

  /**
   * The complete set of routes to announce (level-triggered): the peer is
   * brought to exactly this set, sending only the differences. Throws an
   * IronlbError (IRONLB_ERR_ROUTE_*) for an invalid route and keeps the
   * previous set. Until the first call nothing is sent, not even End-of-RIB,
   * so a restarted speaker does not make a graceful-restart helper drop
   * routes it is about to re-announce.
   */
  setRoutes(routes: Iterable<Route>): void {
    if (this.#closed !== undefined) {
      throw new IronlbError(
        BgpSessionErrors.IRONLB_ERR_BGP_SESSION_CLOSED,
        `the session with ${this.peerAddress} was closed`,
      );
    }
    this.#rib.setDesired(routes);
    this.#routesKnown = true;
    this.#sender?.kick();
  }

  /**
   * Stops the session: Cease (Administrative Shutdown with a shutdown
   * communication by default), a bounded wait for it to be flushed, close.
   * Resolves when the sockets are closed. Idempotent.
   */
  close(options: CloseOptions = {}): Promise<void> {
    if (this.#closed !== undefined) return this.#closed;
    this.#started = true;
    this.#stopping = true;
    this.#unregister?.();
    this.#unregister = undefined;
    const drivers = [this.#second, this.#primary].filter((d) => d !== undefined);
    for (const driver of drivers) {
      if (options.notification === false) {
        this.#feed(driver, { type: 'TcpConnectionFails', reason: 'closed without NOTIFICATION' });
        this.#feed(driver, { type: 'ManualStop' });
      } else if (
        options.subcode !== undefined &&
        options.subcode !== CeaseSubcode.AdministrativeShutdown
      ) {
        this.#feed(driver, {
          type: 'AutomaticStop',
          subcode: options.subcode,
          reason: options.message ?? 'closed',
        });
        this.#feed(driver, { type: 'ManualStop' });
      } else {
        this.#feed(driver, {
          type: 'ManualStop',
          message: options.message ?? DEFAULT_SHUTDOWN_MESSAGE,
        });
      }
      driver.timers.stopAll();
    }
    // A stop queued behind an event being handled runs first; then wait for the flushes.
    this.#closed = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      await Promise.all([...this.#closing]);
    });
    return this.#closed;
  }

  // ---- FSM plumbing ----

  #newDriver(): Driver {
    const seed = this.#seed;
    this.#seed = (Math.imul(this.#seed, 1103515245) + 12345) >>> 0 || 1;
    const driver: Driver = {
      fsm: initialFsmState(this.#config, seed),
      timers: undefined as unknown as SessionTimers,
      connection: undefined,
      connecting: undefined,
      queue: [],
      busy: false,
      wireContext: DEFAULT_WIRE_CONTEXT,
      enhancedRouteRefresh: false,
      dumped: false,
      discarded: false,
    };
    (driver as { timers: SessionTimers }).timers = new SessionTimers(
      this.#clock,
      (event) => this.#feed(driver, event),
      {
        holdExpiryCheck: {
          lastReceivedAt: () => driver.connection?.lastReceivedAt ?? Number.NEGATIVE_INFINITY,
          drainPendingInput: () => driver.connection?.drainPendingInput() ?? Promise.resolve(true),
        },
        onHoldExpiryDeferred: (reason) =>
          this.emit('warning', { message: `hold timer expiry deferred: ${reason}` }),
      },
    );
    return driver;
  }

  /** Feeds one event; events raised while it runs queue behind it (no re-entry). */
  #feed(driver: Driver, event: FsmEvent): void {
    if (driver.discarded) return;
    driver.queue.push(event);
    if (driver.busy) return;
    driver.busy = true;
    try {
      for (let next = driver.queue.shift(); next !== undefined; next = driver.queue.shift()) {
        if (driver.discarded) break;
        this.#step(driver, next);
      }
    } finally {
      driver.busy = false;
    }
    this.#settleDrivers();
  }

  #step(driver: Driver, event: FsmEvent): void {
    const from = driver.fsm.state;
    const step = fsmStep(driver.fsm, event);
    driver.fsm = step.state;
    driver.timers.apply(step.actions);
    if (driver === this.#primary && !driver.dumped && from !== step.state.state) {
      this.#reportState({
        from,
        to: step.state.state,
        reason: this.#reasonFor(driver, event, step.actions),
      });
    }
    for (const action of step.actions) this.#perform(driver, action);
  }

  #perform(driver: Driver, action: FsmAction): void {
    switch (action.type) {
      case 'connect':
        this.#connect(driver);
        break;
      case 'sendOpen': {
        const open = wireOpenOf(action.open, {
          enhancedRouteRefresh: this.#options.enhancedRouteRefresh,
        });
        this.#write(driver, openMessage.encode(open), 'open');
        break;
      }
      case 'sendKeepalive':
        this.#write(driver, KEEPALIVE_BYTES, 'keepalive');
        break;
      case 'sendNotification':
        this.#write(
          driver,
          notificationMessage.encode(wireNotificationOf(action.notification)),
          'notification',
        );
        this.#reportNotification('sent', action.notification);
        break;
      case 'closeConnection':
        this.#release(driver, true);
        break;
      case 'dropConnection':
        this.#release(driver, false);
        break;
      case 'sessionEstablished':
        if (driver === this.#primary) this.#onEstablished(driver, action.negotiated);
        break;
      case 'sessionDown':
        if (driver === this.#primary && !driver.dumped) {
          this.#onDown(action.reason, action.wasEstablished);
        }
        break;
      case 'routeRefreshRequested':
        if (driver === this.#primary) this.#onRouteRefresh(driver, action.family);
        break;
      case 'startTimer':
      case 'stopTimer':
      case 'scheduleReconnect':
        // SessionTimers did these.
        break;
    }
  }

  /** After a step: a collision's loser leaves, a second connection replaces a failed first. */
  #settleDrivers(): void {
    const second = this.#second;
    if (second === undefined) return;
    const idle = (d: Driver): boolean =>
      d.fsm.state === 'Idle' || d.fsm.state === 'Active' || d.fsm.state === 'Connect';
    if (second.dumped || idle(second)) {
      this.#discard(second);
      this.#second = undefined;
      return;
    }
    if ((this.#primary.dumped || this.#primary.fsm.state === 'Idle') && !this.#stopping) {
      this.#promoteSecond(second);
    }
  }

  #promoteSecond(second: Driver): void {
    const old = this.#primary;
    this.#discard(old);
    // The session's memory (passive mode, backoff) moves to the surviving connection.
    second.fsm = {
      ...second.fsm,
      adminUp: old.fsm.adminUp,
      passive: old.fsm.passive,
      consecutiveFailures: old.fsm.consecutiveFailures,
      randomSeed: old.fsm.randomSeed,
    };
    this.#primary = second;
    this.#second = undefined;
    this.#reportState({
      from: this.#reportedState,
      to: second.fsm.state,
      reason: `connection collision: the ${second.connection?.direction ?? 'other'} connection carries the session (RFC 4271 §6.8)`,
    });
  }

  #discard(driver: Driver): void {
    driver.discarded = true;
    driver.timers.stopAll();
    driver.connecting?.destroy();
    driver.connecting = undefined;
    if (driver.connection !== undefined && !driver.connection.closed) {
      this.#track(driver.connection.close(this.#options.closeTimeoutMs));
    }
    driver.connection = undefined;
  }

  #track(closing: Promise<void>): void {
    this.#closing.add(closing);
    void closing.finally(() => this.#closing.delete(closing));
  }

  // ---- connections ----

  #connect(driver: Driver): void {
    if (this.#options.passive || this.#stopping) return;
    let socket: net.Socket;
    try {
      socket = connectToPeer(this.#options.transport);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      queueMicrotask(() => this.#feed(driver, { type: 'TcpConnectionFails', reason }));
      return;
    }
    driver.connecting = socket;
    const onError = (err: NodeJS.ErrnoException): void => {
      if (driver.connecting !== socket) return;
      driver.connecting = undefined;
      socket.destroy();
      this.#feed(driver, { type: 'TcpConnectionFails', reason: err.code ?? err.message });
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      if (driver.connecting !== socket) {
        socket.destroy();
        return;
      }
      driver.connecting = undefined;
      this.#attach(driver, socket, 'outbound');
      this.#feed(driver, { type: 'Tcp_CR_Acked' });
    });
  }

  #onIncoming(socket: net.Socket): void {
    if (this.#stopping) {
      socket.destroy();
      return;
    }
    const primary = this.#primary;
    const disposition = incomingConnectionDisposition(primary.fsm);
    if (!disposition.accept) {
      socket.destroy();
      this.emit('warning', {
        message: `refused a connection from ${this.peerAddress}: ${disposition.reason}`,
      });
      return;
    }
    if (disposition.as === 'primary') {
      // Ours is still connecting (Connect/Active): the peer's connection is up already.
      primary.connecting?.destroy();
      primary.connecting = undefined;
      primary.connection?.destroy();
      this.#attach(primary, socket, 'inbound');
      this.#feed(primary, { type: 'TcpConnectionConfirmed' });
      return;
    }
    if (this.#second !== undefined) {
      socket.destroy();
      this.emit('warning', {
        message: `refused a third connection from ${this.peerAddress} while resolving a collision`,
      });
      return;
    }
    const second = this.#newDriver();
    // Registered once it holds the connection: in Active it would count as failed.
    this.#feed(second, { type: 'ManualStart', passive: true });
    this.#attach(second, socket, 'inbound');
    this.#second = second;
    this.#feed(second, { type: 'TcpConnectionConfirmed' });
  }

  #attach(driver: Driver, socket: net.Socket, direction: ConnectionDirection): void {
    const connection: PeerConnection = new PeerConnection(socket, direction, this.#clock, {
      onData: () => this.#onData(driver, connection),
      onClose: (reason) => {
        if (driver.connection !== connection) return;
        this.#feed(driver, { type: 'TcpConnectionFails', reason });
      },
      onDrain: () => {
        if (driver === this.#primary && driver.connection === connection) this.#sender?.drained();
      },
    });
    driver.connection = connection;
  }

  /** closeConnection (flush the NOTIFICATION first) or dropConnection. */
  #release(driver: Driver, flush: boolean): void {
    driver.connecting?.destroy();
    driver.connecting = undefined;
    const connection = driver.connection;
    driver.connection = undefined;
    driver.wireContext = DEFAULT_WIRE_CONTEXT;
    if (connection === undefined) return;
    if (flush) this.#track(connection.close(this.#options.closeTimeoutMs));
    else connection.destroy();
  }

  #write(driver: Driver, bytes: Buffer, kind: MessageKind): void {
    const connection = driver.connection;
    if (connection === undefined) return;
    connection.write(bytes);
    this.#out[kind]++;
  }

  // ---- input ----

  #onData(driver: Driver, connection: PeerConnection): void {
    while (driver.connection === connection) {
      let frame: Buffer | undefined;
      try {
        frame = connection.reader.next();
      } catch (err) {
        if (!isBgpWireError(err)) throw err;
        this.#feed(driver, {
          type: 'BGPHeaderErr',
          notification: { ...err.notification },
          reason: err.message,
        });
        return;
      }
      if (frame === undefined) return;
      this.#onMessage(driver, frame);
    }
  }

  #onMessage(driver: Driver, frame: Buffer): void {
    const type = frame[18] ?? 0;
    const kind = KIND_OF_TYPE[type];
    if (kind !== undefined) this.#in[kind]++;
    try {
      switch (type) {
        case MessageType.OPEN: {
          const open = openMessage.decode(frame);
          this.#onOpen(driver, open);
          return;
        }
        case MessageType.KEEPALIVE:
          keepaliveMessage.decode(frame);
          this.#feed(driver, { type: 'KeepAliveMsg' });
          return;
        case MessageType.UPDATE: {
          const update = updateMessage.decode(frame, driver.wireContext);
          for (const error of update.errors ?? []) {
            this.emit('warning', {
              message: `UPDATE from ${this.peerAddress}: ${error.message} (RFC 7606 ${error.action})`,
            });
          }
          for (const change of routeChangesOf(update).changes) {
            this.#prefixesReceived += change.announced.length;
          }
          this.#feed(driver, { type: 'UpdateMsg' });
          return;
        }
        case MessageType.NOTIFICATION: {
          const notification = notificationOf(notificationMessage.decode(frame));
          this.#reportNotification('received', notification);
          this.#feed(driver, { type: 'NotifMsg', notification });
          return;
        }
        case MessageType.ROUTE_REFRESH: {
          const refresh = routeRefreshMessage.decode(frame);
          // RFC 7313 §4: BoRR and EoRR from the peer concern its routes, which we do not keep.
          this.#feed(
            driver,
            refresh.subtype === 0
              ? { type: 'RouteRefreshMsg', family: { afi: refresh.afi, safi: refresh.safi } }
              : { type: 'UpdateMsg' },
          );
          return;
        }
        default:
          // MessageReader refuses unknown types (RFC 4271 §6.1) before we get here.
          return;
      }
    } catch (err) {
      if (!isBgpWireError(err)) throw err;
      const event = type === MessageType.OPEN ? 'BGPOpenMsgErr' : 'UpdateMsgErr';
      this.#feed(driver, {
        type: event,
        notification: { ...err.notification },
        reason: err.message,
      });
    }
  }

  #onOpen(driver: Driver, open: OpenMessage): void {
    const received = receivedOpenOf(open);
    const other = driver === this.#primary ? this.#second : this.#primary;
    if (other !== undefined && !other.discarded && this.#collides(driver, other, received)) return;
    this.#feed(driver, { type: 'BGPOpen', open: received });
    if (driver.fsm.negotiated !== undefined) {
      driver.wireContext = wireContextOf(driver.fsm.negotiated);
      driver.enhancedRouteRefresh =
        this.#options.enhancedRouteRefresh && offersEnhancedRouteRefresh(open);
    }
  }

  /**
   * RFC 4271 §6.8: an OPEN arrived while the other connection is past
   * Active. Returns true when the receiving connection lost (and was dumped).
   */
  #collides(driver: Driver, other: Driver, received: ReceivedOpen): boolean {
    const otherState = other.fsm.state;
    if (otherState !== 'OpenSent' && otherState !== 'OpenConfirm' && otherState !== 'Established') {
      return false;
    }
    const mine = driver.connection?.direction;
    const theirs = other.connection?.direction;
    if (mine === undefined || theirs === undefined) return false;
    let loser: Driver;
    let reason: string;
    if (mine === theirs) {
      // Two connections the peer opened: it gave up on the older one, unless that one is up.
      loser = otherState === 'Established' ? driver : other;
      reason =
        otherState === 'Established'
          ? 'the session is already Established on another connection'
          : 'the peer opened a newer connection';
    } else {
      const decision = resolveCollision({
        localId: this.#config.routerId,
        remoteId: received.bgpIdentifier,
        localAs: this.#config.localAs,
        remoteAs: received.peerAs,
        receivedOn: mine,
        outboundState: mine === 'outbound' ? driver.fsm.state : otherState,
        inboundState: mine === 'inbound' ? driver.fsm.state : otherState,
      });
      if (decision.kind === 'none') return false;
      loser = decision.close === mine ? driver : other;
      reason = decision.reason;
    }
    this.emit('warning', {
      message: `connection collision with ${this.peerAddress}: closing the ${loser.connection?.direction ?? ''} connection: ${reason}`,
    });
    loser.dumped = true;
    this.#feed(loser, { type: 'OpenCollisionDump' });
    return loser === driver;
  }

  // ---- Established ----

  #onEstablished(driver: Driver, negotiated: NegotiatedSession): void {
    const connection = driver.connection;
    if (connection === undefined) return;
    this.#establishedCount++;
    const nextHops = resolveNextHops(connection.localAddress, this.#config.routerId, {
      ...(this.#options.nextHopIpv4 !== undefined && { nextHopIpv4: this.#options.nextHopIpv4 }),
      ...(this.#options.nextHopIpv6 !== undefined && { nextHopIpv6: this.#options.nextHopIpv6 }),
    });
    // RFC 4724 §3: the R bit says this process restarted; later sessions of it did not.
    const gr = this.#config.gracefulRestart;
    if (gr?.restarting === true) {
      this.#config = { ...this.#config, gracefulRestart: { ...gr, restarting: false } };
      driver.fsm = { ...driver.fsm, config: this.#config };
    }
    const policy: OutboundPolicy = {
      internal: negotiated.internal,
      localAs: this.#config.localAs,
      nextHops,
    };
    this.#established = {
      negotiated,
      localAddress: connection.localAddress,
      remoteAddress: connection.remoteAddress,
      direction: connection.direction,
      nextHops,
      enhancedRouteRefresh: driver.enhancedRouteRefresh,
    };
    this.#endOfRibPending = new Set(negotiated.families);
    this.#sender = new UpdateSender({
      rib: this.#rib,
      families: negotiated.families,
      ctx: driver.wireContext,
      attributesFor: (attributes, family) => pathAttributesFor(attributes, family, policy),
      write: (bytes, done) => {
        const current = driver.connection;
        if (current === undefined) {
          done();
          return true;
        }
        return current.write(bytes, done);
      },
      onWritten: (messages) => {
        this.#out.update += messages;
        this.#feed(driver, { type: 'UpdateMsgSent' });
      },
      onSynced: () => this.#onSynced(driver),
      onError: (err) =>
        this.emit('warning', {
          message: `routes could not be encoded and stay pending: ${err instanceof Error ? err.message : String(err)}`,
        }),
    });
    this.emit('established', this.#established);
    if (this.#routesKnown) this.#sender.kick();
  }

  #onSynced(driver: Driver): void {
    if (!this.#routesKnown) return;
    if (this.#endOfRibPending.size > 0) {
      // RFC 4724 §2: the initial table is complete.
      for (const family of this.#endOfRibPending) {
        this.#write(driver, encodeMessage(createEndOfRib(family), driver.wireContext), 'update');
      }
      this.#endOfRibPending.clear();
    }
    this.emit('synced', this.#rib.counts());
  }

  #onRouteRefresh(driver: Driver, family: AfiSafi): void {
    const named = addressFamilyOf(family);
    const negotiated = driver.fsm.negotiated;
    // RFC 2918 §4: a refresh for a family that was not negotiated is ignored.
    if (named === undefined || negotiated === undefined || !negotiated.families.includes(named)) {
      this.emit('warning', {
        message: `ignored a ROUTE-REFRESH for AFI ${family.afi} SAFI ${family.safi}: not negotiated`,
      });
      return;
    }
    const sender = this.#sender;
    if (sender === undefined) return;
    const { afi, safi } = afiSafiOf(named);
    const marker = (subtype: number): void =>
      this.#write(
        driver,
        routeRefreshMessage.encode({ type: 'route-refresh', afi, safi, subtype }),
        'routeRefresh',
      );
    // RFC 7313 §4: Beginning and End of Route Refresh around the re-advertisement.
    sender.refresh(
      named,
      driver.enhancedRouteRefresh ? { begin: () => marker(1), end: () => marker(2) } : undefined,
    );
  }

  #onDown(reason: string, wasEstablished: boolean): void {
    this.#lastDownReason = reason;
    if (!wasEstablished) return;
    this.#sender?.stop();
    this.#sender = undefined;
    this.#established = undefined;
    this.#endOfRibPending.clear();
    this.#rib.peerReset();
    this.emit('down', { reason });
  }

  #reportState(change: StateChange): void {
    this.#reportedState = change.to;
    this.emit('stateChange', change);
  }

  #reportNotification(direction: 'sent' | 'received', notification: Notification): void {
    this.emit('notification', {
      direction,
      code: notification.code,
      subcode: notification.subcode,
      description: describeNotification(notification),
    });
  }

  #reasonFor(driver: Driver, event: FsmEvent, actions: readonly FsmAction[]): string {
    for (const action of actions) if (action.type === 'sessionDown') return action.reason;
    const { peerAddress, peerPort } = this.#options.transport;
    switch (event.type) {
      case 'ManualStart':
        return event.passive
          ? `started: waiting for ${peerAddress} to connect`
          : `started: connecting to ${peerAddress} port ${peerPort}`;
      case 'AutomaticStart':
        return driver.fsm.passive
          ? `restarting: waiting for ${peerAddress} to connect`
          : `restarting: connecting to ${peerAddress} port ${peerPort}`;
      case 'ConnectRetryTimer_Expires':
        return `no connection within ${this.#config.connectRetryTimeSeconds} s: connecting again`;
      case 'Tcp_CR_Acked':
        return `connected to ${peerAddress} port ${peerPort} from ${driver.connection?.localAddress ?? '?'}: OPEN sent`;
      case 'TcpConnectionConfirmed':
        return `accepted a connection from ${peerAddress}: OPEN sent`;
      case 'BGPOpen':
        return `OPEN received: AS ${event.open.peerAs}, hold time ${event.open.holdTimeSeconds} s, identifier ${formatBgpIdentifier(event.open.bgpIdentifier)}`;
      case 'KeepAliveMsg':
        return 'KEEPALIVE received: the session is up';
      case 'TcpConnectionFails':
        return `TCP connection failed: ${event.reason}`;
      default:
        return describeEvent(event);
    }
  }
}
