import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { BgpState } from '../bgp/fsm.ts';
import type { Route } from '../bgp/route.ts';
import type { CloseOptions, Session, SessionEvents } from '../bgp/session.ts';
import type { SessionOptions } from '../bgp/session-options.ts';
import { memoryLogger } from '../daemon/test-logger.ts';
import { SessionPool, type SessionReport } from './session-pool.ts';
import { sessionSpec, type SessionSpec } from './session-plan.ts';
import { bird, config, ibgpPeer, NS, peer } from './test-fixtures.ts';

/** Records what the pool does with a session; the test moves its state. */
class FakeSession extends EventEmitter<SessionEvents> {
  readonly options: SessionOptions;
  readonly log: string[] = [];
  readonly routeSets: Route[][] = [];
  state: BgpState = 'Idle';
  updates = 0;
  pending = 0;
  closeOptions: CloseOptions | undefined;
  #closed: (() => void) | undefined;
  /** Resolve close() at once (true) or when the test calls finishClose(). */
  closeAtOnce = true;

  constructor(options: SessionOptions) {
    super();
    this.options = options;
  }

  start(): void {
    this.log.push('start');
  }

  setRoutes(routes: Iterable<Route>): void {
    const list = [...routes];
    this.routeSets.push(list);
    this.log.push(`setRoutes(${list.length})`);
    // Written at once, as far as the pool can tell.
    if (this.state === 'Established') queueMicrotask(() => this.emit('synced', counts()));
  }

  close(options: CloseOptions = {}): Promise<void> {
    this.closeOptions = options;
    this.log.push(`close(${JSON.stringify(options)})`);
    if (this.closeAtOnce) return Promise.resolve();
    return new Promise((resolve) => (this.#closed = resolve));
  }

  finishClose(): void {
    this.#closed?.();
  }

  moveTo(state: BgpState, reason = 'test'): void {
    const from = this.state;
    this.state = state;
    this.emit('stateChange', { from, to: state, reason });
  }

  stats(): ReturnType<Session['stats']> {
    return {
      state: this.state,
      messagesIn: { open: 0, update: 0, notification: 0, keepalive: 0, routeRefresh: 0 },
      messagesOut: {
        open: 0,
        update: this.updates,
        notification: 0,
        keepalive: 0,
        routeRefresh: 0,
      },
      prefixes: { ...counts(), pending: this.pending },
      prefixesReceived: 0,
      establishedCount: 0,
      lastDownReason: this.state === 'Established' ? undefined : 'connection refused',
    };
  }
}

function counts() {
  return { desired: 0, announced: 0, pending: 0 };
}

function setup() {
  const sessions: FakeSession[] = [];
  const reports: SessionReport[] = [];
  const ended: Array<[string, number]> = [];
  const replaced: string[] = [];
  const { logger } = memoryLogger('pool');
  const pool = new SessionPool({
    logger,
    createSession: (options) => {
      const session = new FakeSession(options);
      sessions.push(session);
      return session as unknown as Session;
    },
    onReport: (report) => reports.push(report),
    onSessionEnded: (ref, _session, updates) => ended.push([ref, updates]),
    onReplaced: (ref) => replaced.push(ref),
    withdrawTimeoutMs: 50,
  });
  return { pool, sessions, reports, ended, replaced };
}

function specs(...peers: Array<[string, Record<string, unknown>]>): SessionSpec[] {
  const parsed = config({ peers: peers.map(([name, spec]) => peer(name, spec)) });
  return parsed.peers.map((p) => sessionSpec({ ref: `${NS}/${p.name}`, peer: p }, '192.0.2.1'));
}

const route = (prefix: string): Route => ({ prefix, attributes: { communities: ['64698:1'] } });
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('SessionPool', () => {
  it('opens a session per spec, gives it its routes, starts it', async () => {
    const { pool, sessions } = setup();
    const wanted = specs(['bird', bird]);
    pool.apply(wanted, new Map([[`${NS}/bird`, [route('10.0.0.1/32')]]]));
    await tick();
    assert.equal(sessions.length, 1);
    assert.deepEqual(sessions[0]!.log, ['setRoutes(1)', 'start']);
    // Same routes object: not given again.
    const same = new Map([[`${NS}/bird`, [route('10.0.0.1/32')]]]);
    pool.apply(wanted, same);
    pool.apply(wanted, same);
    assert.deepEqual(sessions[0]!.log, ['setRoutes(1)', 'start', 'setRoutes(1)']);
  });

  it('the first session of a graceful-restart peer in this process says it restarted; a replacement does not', async () => {
    const { pool, sessions } = setup();
    pool.apply(specs(['bird', { ...bird, enableGracefulRestart: true }]), new Map());
    pool.apply(
      specs(['bird', { ...bird, enableGracefulRestart: true, gracefulRestartTime: '60s' }]),
      new Map(),
    );
    await tick();
    assert.equal(sessions[0]!.options.gracefulRestart?.restarting, true);
    assert.equal(sessions[1]!.options.gracefulRestart?.restarting, false);
    assert.equal(sessions[1]!.options.gracefulRestart?.restartTimeSeconds, 60);
  });

  it('replaces a changed session with Cease 6/6, starting the new one only once the old one closed', async () => {
    const { pool, sessions, replaced, ended } = setup();
    pool.apply(specs(['bird', bird]), new Map());
    await tick();
    sessions[0]!.closeAtOnce = false;
    sessions[0]!.updates = 7;
    pool.apply(specs(['bird', { ...bird, holdTime: '30s' }]), new Map());
    await tick();
    assert.deepEqual(sessions[0]!.closeOptions, { subcode: 6 });
    assert.deepEqual(replaced, [`${NS}/bird`]);
    assert.ok(!sessions[1]!.log.includes('start'), 'waits for the old connection to close');
    sessions[0]!.finishClose();
    await tick();
    await tick();
    assert.ok(sessions[1]!.log.includes('start'));
    assert.deepEqual(ended, [[`${NS}/bird`, 7]], 'its UPDATEs are handed to the counter');
    assert.equal(pool.session(`${NS}/bird`), sessions[1] as unknown as Session);
  });

  it('closes a session whose peer is gone with Cease 6/3', async () => {
    const { pool, sessions } = setup();
    pool.apply(specs(['bird', bird]), new Map());
    pool.apply([], new Map());
    await tick();
    assert.deepEqual(sessions[0]!.closeOptions, { subcode: 3 });
    assert.equal(pool.size, 0);
  });

  it('reports state changes; a session refused by the options is reported, not thrown', () => {
    const { pool, sessions, reports } = setup();
    pool.apply(specs(['bird', bird]), new Map());
    sessions[0]!.moveTo('Established');
    assert.deepEqual(reports.at(-1), {
      ref: `${NS}/bird`,
      state: 'Established',
      established: true,
      message: undefined,
    });
    sessions[0]!.moveTo('Idle');
    assert.equal(reports.at(-1)?.message, 'connection refused');

    const failing = new SessionPool({
      logger: memoryLogger('pool').logger,
      createSession: () => {
        throw new Error('bad options');
      },
      onReport: (report) => reports.push(report),
    });
    failing.apply(specs(['bird', bird]), new Map());
    assert.match(reports.at(-1)?.message ?? '', /cannot be configured: bad options/);
    assert.deepEqual(failing.samples(), []);
  });

  it('shutdown: graceful-restart peers close without NOTIFICATION; others drain with GRACEFUL_SHUTDOWN, withdraw, then Cease', async () => {
    const { pool, sessions } = setup();
    const wanted = specs(
      ['bird', bird],
      ['ibgp', ibgpPeer],
      ['gr', { ...bird, peerAddress: '127.0.0.3', enableGracefulRestart: true }],
      ['down', { ...bird, peerAddress: '127.0.0.4' }],
    );
    const routes = new Map(wanted.map((s) => [s.ref, [route('10.0.0.1/32')]]));
    pool.apply(wanted, routes);
    await tick();
    const byRef = new Map(wanted.map((s, i) => [s.peer.name, sessions[i]!]));
    for (const name of ['bird', 'ibgp', 'gr']) byRef.get(name)!.moveTo('Established');

    const done = pool.shutdown({
      drainMs: 20,
      keepRoutes: (spec) => spec.peer.enableGracefulRestart,
      message: 'bye',
    });
    await tick();
    assert.deepEqual(byRef.get('gr')!.closeOptions, { notification: false });
    assert.deepEqual(
      byRef.get('down')!.closeOptions,
      { message: 'bye' },
      'not up: nothing to drain',
    );
    const ebgp = byRef.get('bird')!;
    const ibgp = byRef.get('ibgp')!;
    assert.deepEqual(ebgp.routeSets.at(-1), [
      { prefix: '10.0.0.1/32', attributes: { communities: ['64698:1', '65535:0'] } },
    ]);
    assert.equal(ibgp.routeSets.at(-1)?.[0]?.attributes.localPref, 0);
    assert.equal(ebgp.closeOptions, undefined, 'still draining');
    await done;
    for (const session of [ebgp, ibgp]) {
      assert.deepEqual(session.routeSets.at(-1), [], 'withdrawn');
      assert.deepEqual(session.closeOptions, { message: 'bye' });
      assert.ok(
        session.log.indexOf('setRoutes(0)') < session.log.findIndex((l) => l.startsWith('close')),
      );
    }
    pool.apply(wanted, routes);
    assert.equal(sessions.length, 4, 'a stopped pool opens nothing');
  });

  it('samples what the metrics need', async () => {
    const { pool, sessions } = setup();
    pool.apply(specs(['bird', bird]), new Map());
    await tick();
    sessions[0]!.updates = 3;
    sessions[0]!.pending = 2;
    sessions[0]!.moveTo('Established');
    const [sample] = pool.samples();
    assert.equal(sample?.peer, `${NS}/bird`);
    assert.equal(sample?.up, true);
    assert.equal(sample?.updatesSent, 3);
    assert.equal(sample?.pending, 2);
  });
});
