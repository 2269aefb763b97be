/**
 * The check every daemon gets: a session (ours active or passive, eBGP or
 * iBGP) announces IPv4 and IPv6 routes with communities, large communities,
 * MED and LOCAL_PREF; the daemon must show exactly those; a withdrawal must
 * disappear from it.
 */
import assert from 'node:assert/strict';
import type { SessionOptions } from '../../../src/bgp/session-options.ts';
import { waitFor } from './daemon-process.ts';
import { comparable, type PeerDaemon, sortedExpected } from './peer-route.ts';
import { attributeRoutes, RecordedSession } from './session-helpers.ts';

export interface ConformanceCase {
  readonly peer: PeerDaemon;
  readonly session: SessionOptions;
  /** The IPv4 next hop the daemon should show. */
  readonly ipv4NextHop: string;
  readonly timeoutMs?: number;
}

/** Runs the check; the caller stops the daemon. Closes the session itself. */
export async function checkAnnouncements(c: ConformanceCase): Promise<RecordedSession> {
  const internal = c.session.localAs === c.session.peerAs;
  const speaker = new RecordedSession(c.session);
  try {
    const { routes, expected, withdrawn } = attributeRoutes(internal);
    speaker.session.setRoutes(routes);
    speaker.session.start();
    await speaker.established(c.timeoutMs ?? 10_000);
    const context = (): string => `${speaker.history()}\n${c.peer.tail()}`;
    const seen = await waitFor(
      `all four routes at ${c.peer.name}`,
      async () => {
        const r = await c.peer.routes();
        return r.length === expected.length ? r : undefined;
      },
      { context },
    );
    const byPrefix = new Map(seen.map((r) => [r.prefix, r]));
    for (const want of expected) {
      const got = byPrefix.get(want.prefix);
      assert.ok(got, `${want.prefix} at ${c.peer.name}: ${JSON.stringify(seen)}`);
      assert.deepEqual(
        comparable(got, want),
        sortedExpected(want),
        `${want.prefix} at ${c.peer.name}`,
      );
    }
    assert.equal(byPrefix.get('198.51.100.1/32')?.nextHop, c.ipv4NextHop, 'IPv4 next hop');
    speaker.session.setRoutes(routes.filter((r) => r.prefix !== withdrawn));
    await waitFor(
      `the withdrawal of ${withdrawn} at ${c.peer.name}`,
      async () => {
        const r = await c.peer.routes();
        return r.length === expected.length - 1 && !r.some((x) => x.prefix === withdrawn)
          ? true
          : undefined;
      },
      { context },
    );
    assert.ok(await c.peer.established(), `${c.peer.name} reports the session Established`);
    return speaker;
  } finally {
    await speaker.close();
  }
}
