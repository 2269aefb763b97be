/**
 * Interop with BIRD 2 on loopback (addresses 127.0.20.x, one pair per test).
 * Each test starts its own BIRD and always stops it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionOptions } from '../../src/bgp/session-options.ts';
import { startAnnounce } from '../support/peers/announce-process.ts';
import { BirdPeer, birdUnavailable } from '../support/peers/bird.ts';
import { waitFor } from '../support/peers/daemon-process.ts';
import { comparable, sortedExpected } from '../support/peers/peer-route.ts';
import {
  attributeRoutes,
  hostRoutes,
  listenerOn,
  RecordedSession,
} from '../support/peers/session-helpers.ts';

const skip = birdUnavailable();
const BIRD_PORT = 11179;
const OUR_PORT = 11790;

/** A BIRD and a session, both stopped after the test whatever happens. */
async function pair(
  t: { after: (fn: () => Promise<void>) => void },
  n: number,
  bird: Partial<ConstructorParameters<typeof BirdPeer>[0]>,
): Promise<{ bird: BirdPeer; ours: string; theirs: string }> {
  const ours = `127.0.20.${2 * n}`;
  const theirs = `127.0.20.${2 * n + 1}`;
  const peer = new BirdPeer({
    routerId: theirs,
    address: theirs,
    port: BIRD_PORT,
    as: 64699,
    peerAddress: ours,
    peerPort: OUR_PORT,
    peerAs: 64698,
    passive: true,
    ...bird,
  });
  t.after(() => peer.stop());
  await peer.start();
  return { bird: peer, ours, theirs };
}

/** Our session to the pair's BIRD (dialing out unless `extra` says otherwise), closed after the test. */
function ourSession(
  t: { after: (fn: () => Promise<void>) => void },
  ours: string,
  theirs: string,
  extra: Partial<SessionOptions> = {},
): RecordedSession {
  const speaker = new RecordedSession({
    localAs: 64698,
    peerAs: 64699,
    routerId: ours,
    peerAddress: theirs,
    peerPort: BIRD_PORT,
    localAddress: ours,
    ...extra,
  });
  t.after(() => speaker.close());
  return speaker;
}

describe('BIRD 2', { skip, timeout: 60_000 }, () => {
  it('eBGP, ours active: IPv4 and IPv6 routes with their attributes appear; a withdrawal disappears', async (t) => {
    const { bird, ours, theirs } = await pair(t, 1, {});
    const speaker = ourSession(t, ours, theirs);
    const { routes, expected, withdrawn } = attributeRoutes(false);
    speaker.session.setRoutes(routes);
    speaker.session.start();
    await speaker.established();
    const seen = await waitFor(
      'all four routes at BIRD',
      async () => {
        const r = await bird.routes();
        return r.length === 4 ? r : undefined;
      },
      { context: () => `${speaker.history()}\n${bird.tail()}` },
    );
    const byPrefix = new Map(seen.map((r) => [r.prefix, r]));
    for (const want of expected) {
      const got = byPrefix.get(want.prefix);
      assert.ok(got, `${want.prefix} at BIRD`);
      assert.deepEqual(comparable(got, want), sortedExpected(want));
    }
    assert.equal(byPrefix.get('198.51.100.1/32')?.nextHop, ours, 'next hop self');
    speaker.session.setRoutes(routes.filter((r) => r.prefix !== withdrawn));
    await waitFor('the withdrawal at BIRD', async () => {
      const r = await bird.routes();
      return r.length === 3 && !r.some((x) => x.prefix === withdrawn) ? true : undefined;
    });
  });

  it('iBGP, ours passive (BIRD dials): LOCAL_PREF given or 100, empty AS_PATH', async (t) => {
    const ours = '127.0.20.4';
    const listener = await listenerOn(ours, OUR_PORT);
    t.after(() => listener.close());
    const { bird, theirs } = await pair(t, 2, { as: 64698, passive: false });
    const speaker = new RecordedSession({
      localAs: 64698,
      peerAs: 64698,
      routerId: ours,
      peerAddress: theirs,
      passive: true,
      listener,
    });
    t.after(() => speaker.close());
    const { routes, expected } = attributeRoutes(true);
    speaker.session.setRoutes(routes);
    speaker.session.start();
    await speaker.established();
    assert.equal(speaker.session.established?.direction, 'inbound');
    const seen = await waitFor('all four routes at BIRD', async () => {
      const r = await bird.routes();
      return r.length === 4 ? r : undefined;
    });
    const byPrefix = new Map(seen.map((r) => [r.prefix, r]));
    for (const want of expected) {
      assert.deepEqual(comparable(byPrefix.get(want.prefix)!, want), sortedExpected(want));
    }
  });

  it('10,000 prefixes announced, changed and withdrawn: BIRD ends with exactly our set', async (t) => {
    const { bird, ours, theirs } = await pair(t, 3, {});
    const speaker = ourSession(t, ours, theirs);
    const exactly = async (want: readonly string[]): Promise<void> => {
      const sorted = [...want].sort();
      await waitFor(
        `BIRD to hold exactly ${want.length} prefixes`,
        async () => {
          const have = (await bird.prefixes()).sort();
          return have.length === sorted.length && have.every((p, i) => p === sorted[i])
            ? true
            : undefined;
        },
        { timeoutMs: 15_000, intervalMs: 100 },
      );
    };
    const all = hostRoutes(1, 10_000, { communities: ['64698:1'] });
    speaker.session.setRoutes(all);
    speaker.session.start();
    await speaker.established();
    await exactly(all.map((r) => r.prefix));
    // Half withdrawn, 2,000 new ones with other attributes.
    const next = [...all.slice(0, 5000), ...hostRoutes(2, 2000, { communities: ['64698:2'] })];
    speaker.session.setRoutes(next);
    await exactly(next.map((r) => r.prefix));
    speaker.session.setRoutes([]);
    await exactly([]);
    assert.deepEqual(speaker.session.stats().prefixes, { desired: 0, announced: 0, pending: 0 });
  });

  it('BIRD killed and restarted: we reconnect and announce again', async (t) => {
    const { bird, ours, theirs } = await pair(t, 4, {});
    const speaker = ourSession(t, ours, theirs);
    speaker.session.setRoutes(hostRoutes(3, 100));
    speaker.session.start();
    await speaker.established();
    await waitFor('100 routes', async () =>
      (await bird.prefixes()).length === 100 ? true : undefined,
    );
    await bird.restart();
    await waitFor(
      'the session to come back with 100 routes',
      async () =>
        speaker.session.stats().establishedCount >= 2 && (await bird.prefixes()).length === 100
          ? true
          : undefined,
      { timeoutMs: 15_000, context: () => speaker.history() },
    );
    assert.ok(speaker.changes.some((c) => c.from === 'Established' && c.to === 'Idle'));
  });

  it('BIRD frozen (SIGSTOP): our hold timer expires, NOTIFICATION 4/0, reconnect after SIGCONT', async (t) => {
    const { bird, ours, theirs } = await pair(t, 5, {});
    const speaker = ourSession(t, ours, theirs, {
      holdTimeSeconds: 3,
    });
    speaker.session.setRoutes(hostRoutes(4, 10));
    speaker.session.start();
    await speaker.established();
    assert.equal(speaker.session.established?.negotiated.holdTimeSeconds, 3);
    bird.process!.pause();
    try {
      await waitFor(
        'hold timer expiry',
        () =>
          speaker.notifications.some((n) => n.direction === 'sent' && n.code === 4)
            ? true
            : undefined,
        // Hold time 3 s; the margin is for a loaded CI machine, not for the protocol.
        { timeoutMs: 15_000, context: () => speaker.history() },
      );
    } finally {
      bird.process!.resume();
    }
    const expiry = speaker.changes.find((c) => c.from === 'Established');
    assert.match(expiry?.reason ?? '', /Hold Timer Expired|hold timer expired/i);
    await waitFor(
      'the session to come back with the routes',
      async () =>
        speaker.session.stats().establishedCount >= 2 && (await bird.prefixes()).length === 10
          ? true
          : undefined,
      { timeoutMs: 15_000, context: () => `${speaker.history()}\n${bird.tail()}` },
    );
  });

  it('TCP-MD5: the right password establishes (ours active, then ours passive)', async (t) => {
    const { bird, ours, theirs } = await pair(t, 6, { password: 'interop-secret' });
    const speaker = ourSession(t, ours, theirs, {
      password: 'interop-secret',
    });
    speaker.session.setRoutes(hostRoutes(5, 3));
    speaker.session.start();
    await speaker.established();
    await waitFor('3 routes', async () =>
      (await bird.prefixes()).length === 3 ? true : undefined,
    );
    await speaker.close();

    // The listener's per-peer key: BIRD dials us.
    const listenerAddress = '127.0.20.14';
    const listener = await listenerOn(listenerAddress, OUR_PORT);
    t.after(() => listener.close());
    const active = await pair(t, 7, { password: 'other-secret', passive: false });
    const passive = new RecordedSession({
      localAs: 64698,
      peerAs: 64699,
      routerId: listenerAddress,
      peerAddress: active.theirs,
      passive: true,
      listener,
      password: 'other-secret',
    });
    t.after(() => passive.close());
    passive.session.start();
    await passive.established();
    assert.equal(passive.session.established?.direction, 'inbound');
    assert.ok(await active.bird.established());
  });

  it('TCP-MD5: a wrong password never establishes', async (t) => {
    const { bird, ours, theirs } = await pair(t, 8, { password: 'right' });
    const speaker = ourSession(t, ours, theirs, {
      password: 'wrong',
    });
    speaker.session.start();
    // Segments with a bad signature are dropped by BIRD's kernel: not even TCP comes up.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.ok(!speaker.changes.some((c) => c.to === 'OpenSent'), speaker.history());
    assert.equal(await bird.established(), false);
  });

  it('GTSM: with ttl security on at BIRD, ours with GTSM establishes, without it does not', async (t) => {
    const { bird, ours, theirs } = await pair(t, 9, { ttlSecurity: true, multihop: 1 });
    const withGtsm = ourSession(t, ours, theirs, {
      ttlSecurity: true,
    });
    withGtsm.session.setRoutes(hostRoutes(6, 2));
    withGtsm.session.start();
    await withGtsm.established();
    await waitFor('2 routes', async () =>
      (await bird.prefixes()).length === 2 ? true : undefined,
    );

    // Another BIRD: a refused connection lingers at BIRD (even our RST is dropped).
    // BIRD sets min TTL 255 on the connection it accepted. Our OPEN may slip in before
    // that (and its OPEN and KEEPALIVE reach us), but all we send later, with the default
    // TTL of 64, is dropped by its kernel: BIRD never gets our KEEPALIVE nor any route.
    // On a starved machine BIRD can set the option so late that even our KEEPALIVE slips
    // through (its race, not ours): one fresh attempt against a fresh BIRD is allowed then.
    const attempt = async (index: number): Promise<{ established: boolean; detail: string }> => {
      const strict = await pair(t, index, { ttlSecurity: true, multihop: 1 });
      const without = new RecordedSession({
        localAs: 64698,
        peerAs: 64699,
        routerId: strict.ours,
        peerAddress: strict.theirs,
        peerPort: BIRD_PORT,
        localAddress: strict.ours,
      });
      t.after(() => without.close());
      without.session.setRoutes(hostRoutes(6, 2));
      without.session.start();
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const established = await strict.bird.established();
      const routes = await strict.bird.prefixes();
      await without.close();
      return { established: established || routes.length > 0, detail: without.history() };
    };
    let result = await attempt(12);
    if (result.established) result = await attempt(14);
    assert.equal(result.established, false, result.detail);
  });

  it('ROUTE-REFRESH (birdc reload in): we send the table again, bracketed by BoRR/EoRR', async (t) => {
    const { bird, ours, theirs } = await pair(t, 10, {});
    const speaker = ourSession(t, ours, theirs);
    speaker.session.setRoutes(hostRoutes(7, 2000));
    speaker.session.start();
    await speaker.established();
    await speaker.synced();
    await waitFor('2000 routes', async () =>
      (await bird.prefixes()).length === 2000 ? true : undefined,
    );
    assert.ok(
      speaker.session.established?.enhancedRouteRefresh,
      'BIRD offers enhanced route refresh',
    );
    const before = speaker.session.stats();
    await bird.birdc('reload in ironlb');
    await waitFor('our answer to the ROUTE-REFRESH', () => {
      const now = speaker.session.stats();
      return now.messagesIn.routeRefresh > before.messagesIn.routeRefresh &&
        now.messagesOut.routeRefresh >= before.messagesOut.routeRefresh + 2
        ? now
        : undefined;
    });
    const after = speaker.session.stats();
    // 2000 IPv4 /32s fill 3 UPDATEs (about 800 per 4096 octets).
    assert.ok(after.messagesOut.update - before.messagesOut.update >= 3, JSON.stringify(after));
    // EoRR did not make BIRD drop anything.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await bird.prefixes()).length, 2000);
  });

  it('both sides active with our listener: one session survives any collision', async (t) => {
    const ours = '127.0.20.22';
    const listener = await listenerOn(ours, OUR_PORT);
    t.after(() => listener.close());
    const { bird, theirs } = await pair(t, 11, { passive: false });
    const speaker = ourSession(t, ours, theirs, {
      listener,
    });
    speaker.session.setRoutes(hostRoutes(8, 5));
    speaker.session.start();
    await speaker.established();
    await waitFor('5 routes', async () =>
      (await bird.prefixes()).length === 5 ? true : undefined,
    );
    // Stable: still the same single session a moment later.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(speaker.session.state, 'Established', speaker.history());
    assert.equal(speaker.session.stats().establishedCount, 1, speaker.history());
    assert.ok(await bird.established());
  });

  it('graceful restart: our speaker killed and restarted, BIRD keeps forwarding, End-of-RIB ends it', async (t) => {
    const { bird, ours, theirs } = await pair(t, 13, { gracefulRestart: true });
    const kept = '192.0.2.77/32';
    const dropped = '192.0.2.78/32';
    const args = [
      '--peer',
      `${theirs}:${BIRD_PORT}`,
      '--local-as',
      '64698',
      '--peer-as',
      '64699',
      '--source',
      ours,
      '--hold-time',
      '9',
      '--connect-retry',
      '1',
      '--graceful-restart',
      '30',
      '--community',
      '64698:77',
      '--prefix',
      kept,
    ];
    const first = startAnnounce([...args, '--prefix', dropped]);
    t.after(() => first.stop());
    await waitFor(
      'both routes at BIRD',
      async () => ((await bird.prefixes()).length === 2 ? true : undefined),
      {
        context: () => first.tail(),
      },
    );

    // Watch BIRD's table for the whole restart: the kept route must be in every sample.
    const samples: string[][] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) samples.push(await bird.prefixes());
    })();
    try {
      await first.kill();
      await waitFor('BIRD to hold our routes as stale (helper mode)', async () =>
        /Neighbor graceful restart active/.test(await bird.protocolInfo()) ? true : undefined,
      );
      assert.equal((await bird.prefixes()).length, 2, 'both routes kept while we are gone');

      // The restarted speaker no longer announces `dropped`: End-of-RIB makes BIRD flush it.
      const second = startAnnounce([...args, '--restarting']);
      t.after(() => second.stop());
      await waitFor(
        'the restarted session to end graceful restart',
        async () => {
          const info = await bird.protocolInfo();
          const prefixes = await bird.prefixes();
          return /BGP state:\s+Established/.test(info) &&
            !/graceful restart active/.test(info) &&
            prefixes.length === 1
            ? true
            : undefined;
        },
        { timeoutMs: 15_000, context: () => `${second.tail()}\n${bird.tail()}` },
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      watching = false;
      await watcher;
    }
    assert.ok(samples.length >= 10, `only ${samples.length} samples of BIRD's table`);
    const missing = samples.filter((prefixes) => !prefixes.includes(kept));
    assert.equal(
      missing.length,
      0,
      `${kept} missing in ${missing.length} of ${samples.length} samples`,
    );
    assert.deepEqual(await bird.prefixes(), [kept]);
    const [route] = await bird.routes();
    assert.deepEqual(route?.communities, ['64698:77']);
  });
});
