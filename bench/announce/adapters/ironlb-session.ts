import { once } from 'node:events';
import { Session } from '../../../src/bgp/session.ts';
import type { Route } from '../../../src/bgp/route.ts';
import type { AdapterModule, BenchPeer, IronlbAdapter, PhaseTimings } from '../ironlb-adapter.ts';

/**
 * The real ironlb Session (src/bgp/session.ts) as an announce contender: the
 * same code path the speaker uses — setRoutes() diffs the Adj-RIB-Out, packs
 * identical-attribute prefixes into full UPDATEs and writes them under socket
 * back-pressure. setRoutes resolves on the Session's `synced` event (every
 * pending change is on the socket).
 */
class SessionAdapter implements IronlbAdapter {
  #session: Session | undefined;

  start(peer: BenchPeer): void {
    const session = new Session({
      localAs: peer.localAsn,
      peerAs: peer.asn,
      routerId: peer.routerId,
      peerAddress: peer.address,
      peerPort: peer.port,
      localAddress: peer.localAddress,
      holdTimeSeconds: 240,
      families: ['ipv4-unicast', 'ipv6-unicast'],
      connectRetryTimeSeconds: 1,
    });
    this.#session = session;
    // The first setRoutes() call comes after Established; until then nothing is announced.
    session.start();
  }

  async waitEstablished(timeoutMs: number): Promise<void> {
    const session = this.#requireSession();
    if (session.state === 'Established') return;
    await once(session, 'established', { signal: AbortSignal.timeout(timeoutMs) });
  }

  async setRoutes(routes: readonly Route[]): Promise<PhaseTimings> {
    const session = this.#requireSession();
    const started = performance.now();
    const synced = once(session, 'synced');
    session.setRoutes(routes);
    const setMs = performance.now() - started;
    if (session.stats().prefixes.pending > 0) await synced;
    return { setRoutesMs: setMs, untilSyncedMs: performance.now() - started };
  }

  async close(): Promise<void> {
    await this.#session?.close();
  }

  #requireSession(): Session {
    if (this.#session === undefined) throw new Error('start() was not called');
    return this.#session;
  }
}

export const ironlbSessionAdapter: AdapterModule = {
  id: 'ironlb-session',
  label: 'ironlb Session (src/bgp/session.ts)',
  unavailable: () => undefined,
  create: () => Promise.resolve(new SessionAdapter()),
};
