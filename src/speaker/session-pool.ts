import { once } from 'node:events';
import type { BgpState } from '../bgp/fsm.ts';
import { CeaseSubcode } from '../bgp/notification.ts';
import type { Route } from '../bgp/route.ts';
import { Session } from '../bgp/session.ts';
import type { SessionOptions } from '../bgp/session-options.ts';
import { describeError } from '../common/errors.ts';
import type { Logger } from '../daemon/logger.ts';
import { gracefulShutdownRoutes } from './graceful-shutdown.ts';
import type { SessionSample } from './metrics.ts';
import { planSessions, type SessionSpec } from './session-plan.ts';

/** Where a session stands, as the speaker reports it (BGPPeer status, logs). */
export interface SessionReport {
  readonly ref: string;
  readonly state: BgpState;
  readonly established: boolean;
  /** Why it is not Established (the last reason it went down, or why it cannot start). */
  readonly message: string | undefined;
}

export interface SessionPoolOptions {
  readonly logger: Logger;
  /** Builds a session (tests pass a fake); `new Session(options)` by default. */
  readonly createSession?: (options: SessionOptions) => Session;
  /** A session's state changed (for the BGPPeer status). */
  readonly onReport?: (report: SessionReport) => void;
  /** A session is about to be dropped: its final UPDATE count (for the counter). */
  readonly onSessionEnded?: (ref: string, session: object, updatesSent: number) => void;
  /** A session was replaced because its BGPPeer changed. */
  readonly onReplaced?: (ref: string) => void;
  /** Longest wait for a withdrawal to be written before the Cease (ms). */
  readonly withdrawTimeoutMs?: number;
}

interface Entry {
  spec: SessionSpec;
  /** Undefined when the options were refused (see `problem`). */
  session: Session | undefined;
  problem: string | undefined;
  routes: readonly Route[];
  /** Resolves when the session this one replaces has closed, then this one starts. */
  ready: Promise<void>;
}

/** How the speaker stops its sessions (see docs/speaker.md, graceful shutdown). */
export interface ShutdownPlan {
  /** RFC 8326 drain before the withdrawal, for sessions that are drained. */
  readonly drainMs: number;
  /** True: keep the peer's copy of our routes (graceful restart): close without NOTIFICATION. */
  readonly keepRoutes: (spec: SessionSpec) => boolean;
  /** The RFC 9003 shutdown communication sent with the Cease. */
  readonly message: string;
  /** Cuts waits short (the shutdown deadline). */
  readonly signal?: AbortSignal;
}

/**
 * The speaker's BGP sessions, one per BGPPeer selected for this node: opened,
 * replaced (Cease "Other Configuration Change", RFC 4486) and closed (Cease
 * "Peer De-configured") as the peers change, and fed the routes each must
 * carry (level-triggered: setRoutes with the whole set, the session sends the
 * difference). A replacement starts only once the old connection is closed,
 * so the peer does not see two connections from us at once.
 */
export class SessionPool {
  readonly #options: SessionPoolOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #closing = new Set<Promise<void>>();
  /** Peers whose first session of this process has been created (RFC 4724 R bit). */
  readonly #seen = new Set<string>();
  #stopped = false;

  constructor(options: SessionPoolOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#entries.size;
  }

  session(ref: string): Session | undefined {
    return this.#entries.get(ref)?.session;
  }

  spec(ref: string): SessionSpec | undefined {
    return this.#entries.get(ref)?.spec;
  }

  refs(): string[] {
    return [...this.#entries.keys()];
  }

  /** Per session, for the metrics at scrape time. */
  samples(): SessionSample[] {
    return [...this.#entries.entries()].flatMap(([ref, entry]) => {
      if (entry.session === undefined) return [];
      const stats = entry.session.stats();
      return [
        {
          peer: ref,
          session: entry.session,
          up: stats.state === 'Established',
          updatesSent: stats.messagesOut.update,
          announced: stats.prefixes.announced,
          pending: stats.prefixes.pending,
        },
      ];
    });
  }

  report(ref: string): SessionReport | undefined {
    const entry = this.#entries.get(ref);
    if (entry === undefined) return undefined;
    if (entry.session === undefined) {
      return { ref, state: 'Idle', established: false, message: entry.problem };
    }
    const state = entry.session.state;
    return {
      ref,
      state,
      established: state === 'Established',
      message: state === 'Established' ? undefined : entry.session.stats().lastDownReason,
    };
  }

  /**
   * Brings the sessions to `specs` and gives each its routes (`routes` by
   * ref; a missing entry means none). Sessions are opened only here, so the
   * first routes a session gets are a complete set (no premature End-of-RIB).
   */
  apply(specs: readonly SessionSpec[], routes: ReadonlyMap<string, readonly Route[]>): void {
    if (this.#stopped) return;
    const running = new Map([...this.#entries].map(([ref, entry]) => [ref, entry.spec]));
    const plan = planSessions(running, specs);
    const { logger } = this.#options;
    for (const ref of plan.close) {
      logger.info(
        { peer: ref },
        'closing the session: the BGPPeer is gone or no longer selects this node',
      );
      void this.#retire(ref, { subcode: CeaseSubcode.PeerDeconfigured });
    }
    for (const { spec, changed } of plan.replace) {
      logger.info(
        { peer: spec.ref, changed },
        `replacing the session: ${changed.join(', ')} changed`,
      );
      const previous = this.#retire(spec.ref, { subcode: CeaseSubcode.OtherConfigurationChange });
      this.#options.onReplaced?.(spec.ref);
      this.#open(spec, previous);
    }
    for (const spec of plan.create) this.#open(spec, Promise.resolve());
    for (const spec of specs) {
      const entry = this.#entries.get(spec.ref);
      if (entry === undefined) continue;
      entry.spec = spec;
      this.#setRoutes(entry, routes.get(spec.ref) ?? []);
    }
  }

  #open(spec: SessionSpec, previousClosed: Promise<void>): void {
    const { logger } = this.#options;
    const gracefulRestart = spec.options.gracefulRestart;
    const options: SessionOptions = {
      ...spec.options,
      // RFC 4724 §3: the first session after this process started says it restarted,
      // so a helper that kept our routes does not wait for our End-of-RIB before its own.
      ...(gracefulRestart !== undefined && {
        gracefulRestart: { ...gracefulRestart, restarting: !this.#seen.has(spec.ref) },
      }),
    };
    this.#seen.add(spec.ref);
    let session: Session | undefined;
    let problem: string | undefined;
    try {
      session = (this.#options.createSession ?? ((o) => new Session(o)))(options);
    } catch (err) {
      problem = `the session cannot be configured: ${describeError(err)}`;
      logger.error({ peer: spec.ref, err: describeError(err) }, problem);
    }
    const entry: Entry = { spec, session, problem, routes: [], ready: previousClosed };
    this.#entries.set(spec.ref, entry);
    if (session === undefined) {
      this.#options.onReport?.(this.report(spec.ref)!);
      return;
    }
    this.#listen(spec.ref, session);
    entry.ready = previousClosed.then(() => {
      if (this.#stopped || this.#entries.get(spec.ref)?.session !== session) return;
      session.start();
      logger.info(
        {
          peer: spec.ref,
          address: spec.options.peerAddress,
          port: spec.options.peerPort,
          myASN: spec.options.localAs,
          peerASN: spec.options.peerAs,
          routerId: spec.options.routerId,
        },
        'session started',
      );
    });
  }

  #listen(ref: string, session: Session): void {
    const logger = this.#options.logger.child({ peer: ref });
    const report = (): void => {
      if (this.#entries.get(ref)?.session !== session) return;
      this.#options.onReport?.(this.report(ref)!);
    };
    session.on('stateChange', (change) => {
      logger.debug(change, `${change.from} → ${change.to}`);
      report();
    });
    session.on('established', (info) => {
      logger.info(
        {
          localAddress: info.localAddress,
          remoteAddress: info.remoteAddress,
          holdTime: info.negotiated.holdTimeSeconds,
          gracefulRestart: info.negotiated.gracefulRestart !== undefined,
        },
        'session established',
      );
    });
    session.on('down', (event) => logger.warn(event, `session down: ${event.reason}`));
    session.on('notification', (n) =>
      logger.info(n, `NOTIFICATION ${n.direction}: ${n.description}`),
    );
    session.on('warning', (w) => logger.warn(w, w.message));
  }

  #setRoutes(entry: Entry, routes: readonly Route[]): void {
    if (entry.routes === routes || entry.session === undefined) return;
    try {
      entry.session.setRoutes(routes);
      entry.routes = routes;
    } catch (err) {
      // Routes come from a validated configuration; if one is refused anyway, keep the last set.
      this.#options.logger.error(
        { peer: entry.spec.ref, err: describeError(err) },
        'routes refused by the session; the previous routes stay',
      );
    }
  }

  /** Closes and forgets a session; resolves when its socket is closed. */
  #retire(ref: string, close: { subcode: number; message?: string }): Promise<void> {
    const entry = this.#entries.get(ref);
    this.#entries.delete(ref);
    const session = entry?.session;
    if (session === undefined) return Promise.resolve();
    return this.#track(
      session.close(close).finally(() => {
        this.#options.onSessionEnded?.(ref, session, session.stats().messagesOut.update);
      }),
    );
  }

  #track(closing: Promise<void>): Promise<void> {
    const tracked = closing.catch((err: unknown) => {
      this.#options.logger.warn({ err: describeError(err) }, 'closing a session failed');
    });
    this.#closing.add(tracked);
    void tracked.finally(() => this.#closing.delete(tracked));
    return tracked;
  }

  /**
   * Stops every session (see ShutdownPlan): sessions whose routes are kept
   * close at once without NOTIFICATION; the others announce their routes
   * with GRACEFUL_SHUTDOWN (and LOCAL_PREF 0 toward iBGP peers) for the drain
   * period, then withdraw everything, then send Cease (Administrative
   * Shutdown, with the message). Resolves when every socket is closed.
   */
  async shutdown(plan: ShutdownPlan): Promise<void> {
    this.#stopped = true;
    const { logger } = this.#options;
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    const draining: Entry[] = [];
    const closes: Promise<void>[] = [];
    const end = (entry: Entry, session: Session, close: Promise<void>): Promise<void> =>
      this.#track(
        close.finally(() =>
          this.#options.onSessionEnded?.(
            entry.spec.ref,
            session,
            session.stats().messagesOut.update,
          ),
        ),
      );
    for (const entry of entries) {
      const session = entry.session;
      if (session === undefined) continue;
      if (plan.keepRoutes(entry.spec)) {
        logger.info(
          { peer: entry.spec.ref },
          'graceful restart: closing without NOTIFICATION so the peer keeps our routes',
        );
        closes.push(end(entry, session, session.close({ notification: false })));
      } else if (session.state === 'Established' && entry.routes.length > 0) {
        session.setRoutes(gracefulShutdownRoutes(entry.routes, entry.spec.peer.ibgp));
        draining.push(entry);
      } else {
        closes.push(end(entry, session, session.close({ message: plan.message })));
      }
    }
    if (draining.length > 0) {
      logger.info(
        { peers: draining.map((e) => e.spec.ref), drainMs: plan.drainMs },
        'draining: routes re-announced with GRACEFUL_SHUTDOWN (RFC 8326)',
      );
      await abortableSleep(plan.drainMs, plan.signal);
      await Promise.all(
        draining.map(async (entry) => {
          const session = entry.session!;
          session.setRoutes([]);
          await this.#written(session, plan.signal);
          logger.info({ peer: entry.spec.ref }, 'routes withdrawn; sending Cease');
          closes.push(end(entry, session, session.close({ message: plan.message })));
        }),
      );
    }
    await Promise.all([...closes, ...this.#closing]);
  }

  /** Resolves once what was given to setRoutes has been written (or the session is down), bounded. */
  async #written(session: Session, signal: AbortSignal | undefined): Promise<void> {
    if (session.state !== 'Established' || session.stats().prefixes.pending === 0) return;
    const done = new AbortController();
    const timer = setTimeout(() => done.abort(), this.#options.withdrawTimeoutMs ?? 2000);
    const stop = signal === undefined ? done.signal : AbortSignal.any([done.signal, signal]);
    try {
      await Promise.race([
        once(session, 'synced', { signal: stop }),
        once(session, 'down', { signal: stop }),
      ]);
    } catch {
      // Timed out or cut short: the Cease follows anyway.
    } finally {
      clearTimeout(timer);
      done.abort();
    }
  }
}

function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true || ms <= 0) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
