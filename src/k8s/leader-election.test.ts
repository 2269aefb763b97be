import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { CoordinationV1Api, type V1Lease } from '@kubernetes/client-node';
import { memoryLogger } from '../daemon/test-logger.ts';
import { startApiServer, type TestApiServer } from '../../test/support/api-server/index.ts';
import { startClientProxy, type ClientProxy } from '../../test/support/http-proxy.ts';
import { waitFor } from '../../test/support/controller-fixtures.ts';
import { LeaderElector } from './leader-election.ts';

/** One candidate: an elector behind its own proxy, and what it saw. */
interface Candidate {
  readonly name: string;
  readonly elector: LeaderElector;
  readonly proxy: ClientProxy;
  readonly stop: AbortController;
  readonly running: Promise<void>;
  /** Leader signals it was given, newest last. */
  readonly terms: AbortSignal[];
  readonly changes: boolean[];
  /** When each term started and when its signal aborted (performance.now()). */
  readonly termStarts: number[];
  readonly termAborts: number[];
  termEnded: number;
}

const timings = { leaseDurationMs: 2000, renewDeadlineMs: 1200, retryPeriodMs: 100 };

describe('LeaderElector on a Lease of the test API server', () => {
  let server: TestApiServer;
  let leaseName: string;
  const candidates: Candidate[] = [];
  let counter = 0;

  before(async () => {
    server = await startApiServer();
  });
  after(async () => {
    await server.close();
  });
  afterEach(async () => {
    for (const candidate of candidates.splice(0)) {
      candidate.stop.abort();
      await candidate.running;
      await candidate.proxy.close();
    }
  });

  async function candidate(
    name: string,
    termWork?: (signal: AbortSignal) => Promise<void>,
  ): Promise<Candidate> {
    const proxy = await startClientProxy(server.url);
    const stop = new AbortController();
    const self: Candidate = {
      name,
      proxy,
      stop,
      terms: [],
      changes: [],
      termStarts: [],
      termAborts: [],
      termEnded: 0,
      elector: new LeaderElector({
        kubeConfig: proxy.kubeConfig(),
        namespace: 'default',
        name: leaseName,
        identity: name,
        logger: memoryLogger(name).logger,
        ...timings,
        onLeadershipChange: (leading) => self.changes.push(leading),
      }),
      running: Promise.resolve(),
    };
    (self as { running: Promise<void> }).running = self.elector.run(stop.signal, async (signal) => {
      self.terms.push(signal);
      self.termStarts.push(performance.now());
      signal.addEventListener('abort', () => self.termAborts.push(performance.now()));
      if (termWork !== undefined) await termWork(signal);
      else await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      self.termEnded++;
    });
    candidates.push(self);
    return self;
  }

  const readLease = (): V1Lease | undefined =>
    server.store.get('coordination.k8s.io/v1', 'Lease', leaseName, 'default');

  const leaders = (): string[] => candidates.filter((c) => c.elector.isLeader()).map((c) => c.name);

  it('elects exactly one of two candidates and keeps it while it renews', async () => {
    leaseName = `lease-${++counter}`;
    const a = await candidate('a');
    const b = await candidate('b');
    await waitFor('a leader', () => leaders().length === 1);
    const leader = leaders()[0]!;
    assert.equal(readLease()?.spec?.holderIdentity, leader);
    // Several renewals later: the same single leader, never two.
    const renewTime = readLease()?.spec?.renewTime;
    await waitFor('renewals', () => readLease()?.spec?.renewTime !== renewTime);
    for (let i = 0; i < 10; i++) {
      assert.deepEqual(leaders(), [leader]);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const [winner, loser] = leader === 'a' ? [a, b] : [b, a];
    assert.equal(winner.terms.length, 1);
    assert.equal(loser.terms.length, 0);
    assert.deepEqual(winner.changes, [true]);
    assert.equal(readLease()?.spec?.leaseDurationSeconds, 2);
    assert.equal(winner.elector.observedHolder, winner.name);
  });

  it('releases the lease on shutdown after the term has stopped; the other takes over at once', async () => {
    leaseName = `lease-${++counter}`;
    const order: string[] = [];
    const a = await candidate('a', async (signal) => {
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      // In-flight writes finish before the lease goes.
      await new Promise((resolve) => setTimeout(resolve, 50));
      order.push(`term ended; lease holder ${readLease()?.spec?.holderIdentity ?? ''}`);
    });
    await waitFor('a leads', () => a.elector.isLeader());
    const b = await candidate('b');
    a.stop.abort();
    await a.running;
    assert.deepEqual(order, ['term ended; lease holder a']);
    assert.equal(a.terms[0]!.aborted, true);
    assert.equal(a.elector.isLeader(), false);
    const released = readLease()!;
    assert.ok(released.spec?.holderIdentity === '' || released.spec?.holderIdentity === 'b');
    // A released lease is taken without waiting for it to expire.
    await waitFor('b leads', () => b.elector.isLeader(), timings.leaseDurationMs);
    assert.equal(readLease()?.spec?.holderIdentity, 'b');
    assert.ok((readLease()?.spec?.leaseTransitions ?? 0) >= 1);
  });

  it('a leader whose renewals fail steps down at the renew deadline; the other takes over after the lease expires', async () => {
    leaseName = `lease-${++counter}`;
    const a = await candidate('a');
    await waitFor('a leads', () => a.elector.isLeader());
    const b = await candidate('b');
    await waitFor('b has seen the lease', () => b.elector.observedHolder === 'a');
    a.proxy.cut();
    await waitFor('a steps down', () => a.terms[0]!.aborted, 3 * timings.renewDeadlineMs);
    assert.equal(a.elector.isLeader(), false);
    assert.deepEqual(a.changes, [true, false]);
    assert.match(String(a.terms[0]!.reason), /lost leadership/);
    await waitFor('b leads', () => b.elector.isLeader(), 4 * timings.leaseDurationMs);
    // Never two leaders: a's term had ended before b's began.
    assert.ok(a.termAborts[0]! < b.termStarts[0]!);
    assert.equal(readLease()?.spec?.holderIdentity, 'b');
    // Back on the network, a sees b's lease and stays a follower.
    a.proxy.restore();
    await waitFor('a has seen b', () => a.elector.observedHolder === 'b');
    assert.equal(a.elector.isLeader(), false);
    assert.equal(a.terms.length, 1);
  });

  it('a leader that finds someone else in the lease steps down at once', async () => {
    leaseName = `lease-${++counter}`;
    const a = await candidate('a');
    await waitFor('a leads', () => a.elector.isLeader());
    const lease = readLease()!;
    server.store.put({
      ...lease,
      spec: { ...lease.spec, holderIdentity: 'intruder', leaseDurationSeconds: 30 },
    });
    await waitFor('a steps down', () => !a.elector.isLeader());
    assert.equal(a.terms[0]!.aborted, true);
  });

  it('leads again after winning back a lease it lost, without overlapping terms', async () => {
    leaseName = `lease-${++counter}`;
    let running = 0;
    let overlap = false;
    const a = await candidate('a', async (signal) => {
      running++;
      if (running > 1) overlap = true;
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, 300));
      running--;
    });
    await waitFor('a leads', () => a.elector.isLeader());
    a.proxy.cut();
    await waitFor('a steps down', () => a.terms[0]!.aborted, 3 * timings.renewDeadlineMs);
    a.proxy.restore();
    // Its own name is still in the lease: it renews and leads again, after the first term ended.
    await waitFor('a leads again', () => a.terms.length === 2, 3000);
    assert.equal(a.termEnded, 1);
    assert.equal(overlap, false);
  });

  it('counts the lease API through the client proxy (requests go where they should)', async () => {
    leaseName = `lease-${++counter}`;
    const a = await candidate('a');
    await waitFor('a leads', () => a.elector.isLeader());
    const coordination = server.kubeConfig().makeApiClient(CoordinationV1Api);
    const lease = await coordination.readNamespacedLease({ name: leaseName, namespace: 'default' });
    assert.equal(lease.spec?.holderIdentity, 'a');
    assert.ok(a.proxy.requests.some((r) => r.method === 'POST' && r.url.includes('/leases')));
    assert.ok(a.proxy.writes().every((r) => r.url.includes('/leases')));
  });
});
