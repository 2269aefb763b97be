/**
 * Helpers for interop tests: a Session with short timers, waits on its
 * events with a bound, and the route sets the tests announce.
 */
import { once } from 'node:events';
import { BgpListener } from '../../../src/bgp/bgp-listener.ts';
import type { Route } from '../../../src/bgp/route.ts';
import { Session, type SessionEvents, type StateChange } from '../../../src/bgp/session.ts';
import type { SessionOptions } from '../../../src/bgp/session-options.ts';
import type { ExpectedRoute } from './peer-route.ts';

/** Short timers for tests: a 3 s hold time, 1 s between attempts. */
export const FAST: Partial<SessionOptions> = {
  holdTimeSeconds: 3,
  connectRetryTimeSeconds: 1,
  backoff: { initialDelayMs: 200, maxDelayMs: 1000, jitter: 0.1 },
  closeTimeoutMs: 500,
};

/** A session that records its state changes and notifications for assertions. */
/** What a test peer driver knows of the pairing: its own end and ours. */
export interface PeerPairing {
  readonly address: string;
  readonly port: number;
  readonly as: number;
  readonly peerAddress: string;
  readonly peerAs: number;
}

/** Session options for our active end toward a test peer: its address and AS, ours from its view. */
export function sessionToward(peer: PeerPairing): SessionOptions {
  return {
    localAs: peer.peerAs,
    peerAs: peer.as,
    routerId: peer.peerAddress,
    peerAddress: peer.address,
    peerPort: peer.port,
    localAddress: peer.peerAddress,
  };
}

export class RecordedSession {
  readonly session: Session;
  readonly changes: StateChange[] = [];
  readonly notifications: SessionEvents['notification'][0][] = [];
  readonly warnings: string[] = [];

  constructor(options: SessionOptions) {
    this.session = new Session({ ...FAST, ...options });
    this.session.on('stateChange', (change) => this.changes.push(change));
    this.session.on('notification', (n) => this.notifications.push(n));
    this.session.on('warning', (w) => this.warnings.push(w.message));
  }

  /** The recorded history, for failure messages. */
  history(): string {
    return [
      ...this.changes.map((c) => `${c.from} → ${c.to}: ${c.reason}`),
      ...this.warnings.map((w) => `warning: ${w}`),
    ].join('\n');
  }

  /** Resolves once Established (now or later); bounded. */
  async established(timeoutMs = 10_000): Promise<void> {
    if (this.session.state === 'Established') return;
    await withTimeout(
      once(this.session, 'established'),
      timeoutMs,
      () => `Established\n${this.history()}`,
    );
  }

  /** Resolves once everything pending is written (End-of-RIB included); bounded. */
  async synced(timeoutMs = 10_000): Promise<void> {
    const counts = this.session.stats().prefixes;
    if (this.session.state === 'Established' && counts.pending === 0 && counts.announced > 0)
      return;
    await withTimeout(once(this.session, 'synced'), timeoutMs, () => `synced\n${this.history()}`);
  }

  close(): Promise<void> {
    return this.session.close({ message: 'test done' });
  }
}

export async function withTimeout<T>(
  promise: Promise<T>,
  timeoutMs: number,
  what: () => string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`)),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A listener on an address and port for passive tests; close it in `after`. */
export async function listenerOn(address: string, port: number): Promise<BgpListener> {
  const listener = new BgpListener({ address, port });
  await listener.listen();
  return listener;
}

/** Host routes 10.N.x.y/32 (N = `block`), `count` of them, sharing one attributes object. */
export function hostRoutes(
  block: number,
  count: number,
  attributes: Route['attributes'] = {},
): Route[] {
  const routes: Route[] = [];
  for (let i = 0; i < count; i++) {
    routes.push({ prefix: `10.${block}.${(i >> 8) & 0xff}.${i & 0xff}/32`, attributes });
  }
  return routes;
}

/** The mixed set every daemon test announces: IPv4 and IPv6 with all attribute kinds. */
export function attributeRoutes(internal: boolean): {
  routes: Route[];
  expected: ExpectedRoute[];
  withdrawn: string;
} {
  const routes: Route[] = [
    {
      prefix: '198.51.100.1/32',
      attributes: {
        communities: ['64698:64699', 'no-export'],
        largeCommunities: ['64698:1:2', '4200000001:7:8'],
        med: 50,
        ...(internal && { localPref: 250 }),
      },
    },
    { prefix: '198.51.100.0/28', attributes: { communities: ['65000:1'] } },
    {
      prefix: '2001:db8:100::1/128',
      attributes: {
        communities: ['64698:6'],
        largeCommunities: ['64698:6:6'],
        ...(internal && { localPref: 300 }),
      },
    },
    { prefix: '2001:db8:200::/64', attributes: {} },
  ];
  const asPath = internal ? [] : [64698];
  const expected: ExpectedRoute[] = [
    {
      prefix: '198.51.100.1/32',
      asPath,
      communities: ['64698:64699', '65535:65281'],
      largeCommunities: ['64698:1:2', '4200000001:7:8'],
      med: 50,
      ...(internal && { localPref: 250 }),
    },
    {
      prefix: '198.51.100.0/28',
      asPath,
      communities: ['65000:1'],
      largeCommunities: [],
      ...(internal && { localPref: 100 }),
    },
    {
      prefix: '2001:db8:100::1/128',
      asPath,
      communities: ['64698:6'],
      largeCommunities: ['64698:6:6'],
      ...(internal && { localPref: 300 }),
    },
    {
      prefix: '2001:db8:200::/64',
      asPath,
      communities: [],
      largeCommunities: [],
      ...(internal && { localPref: 100 }),
    },
  ];
  return { routes, expected, withdrawn: '198.51.100.0/28' };
}
