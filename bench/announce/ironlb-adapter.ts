import type { Route } from '../../src/bgp/route.ts';

/**
 * What the announce benchmark needs from an ironlb BGP speaker. The real
 * Session (src/bgp/session.ts, `session.setRoutes(routes)`) plugs in through
 * this; until it is merged, a raw-socket baseline built from the wire codec
 * stands in (adapters/raw-codec.ts). Adapters run in a child process
 * (ironlb-child.ts) so the sender's RSS is its own.
 */

/** Milliseconds per named phase of one setRoutes call ("ribSetMs", "packMs", …). */
export type PhaseTimings = Readonly<Record<string, number>>;

export interface BenchPeer {
  /** The receiving BIRD. */
  readonly address: string;
  readonly port: number;
  readonly asn: number;
  /** Our side. */
  readonly localAddress: string;
  readonly localAsn: number;
  readonly routerId: string;
}

export interface IronlbAdapter {
  /** Starts connecting to the peer (returns at once). */
  start(peer: BenchPeer): void | Promise<void>;
  /** Resolves when the session is Established; rejects on failure or after timeoutMs. */
  waitEstablished(timeoutMs: number): Promise<void>;
  /**
   * The routes to announce from now on (level-triggered: [] withdraws all).
   * Resolves when the resulting UPDATEs are handed to the kernel (written),
   * optionally with the milliseconds spent in each phase (kept in the results).
   */
  setRoutes(routes: readonly Route[]): Promise<PhaseTimings | void>;
  close(): Promise<void>;
}

export interface AdapterModule {
  /** Contender id in the results ("ironlb-codec", "ironlb-session"). */
  readonly id: string;
  /** Shown in tables; say honestly what is measured. */
  readonly label: string;
  /** Why it cannot run on this branch, or undefined. */
  unavailable(): string | undefined;
  create(): Promise<IronlbAdapter>;
}
