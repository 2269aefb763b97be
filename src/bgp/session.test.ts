import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it, type TestContext } from 'node:test';
import {
  dialSession,
  modernCapabilities,
  type PeerLink,
  ScriptedPeer,
} from '../../test/support/scripted-peer.ts';
import { isIronlbError } from '../common/errors.ts';
import { BgpListener } from './bgp-listener.ts';
import { FakeClock } from './fake-clock.ts';
import { Session, type StateChange } from './session.ts';
import type { SessionOptions } from './session-options.ts';
import { BgpSessionErrors } from './session-errors.ts';
import type { BgpMessage } from './wire/message.ts';
import type { UpdateMessage } from './wire/messages/update.ts';
import { routeChangesOf } from './wire/route-changes.ts';

// Loopback addresses of this file: 127.0.30.x.
const OURS = '127.0.30.1';
const PEER = '127.0.30.2';

interface Harness {
  readonly peer: ScriptedPeer;
  readonly session: Session;
  readonly changes: StateChange[];
  readonly warnings: string[];
}

async function harness(
  t: TestContext,
  options: Partial<SessionOptions> = {},
  peerAddress = PEER,
): Promise<Harness> {
  const peer = await ScriptedPeer.listen(peerAddress);
  t.after(() => peer.close());
  const session = new Session({
    localAs: 64698,
    peerAs: 64699,
    routerId: '10.0.0.1',
    peerAddress,
    peerPort: peer.port,
    localAddress: OURS,
    connectRetryTimeSeconds: 1,
    closeTimeoutMs: 200,
    backoff: { initialDelayMs: 10, maxDelayMs: 50, jitter: 0 },
    ...options,
  });
  t.after(() => session.close({ notification: false }));
  const changes: StateChange[] = [];
  const warnings: string[] = [];
  session.on('stateChange', (c) => changes.push(c));
  session.on('warning', (w) => warnings.push(w.message));
  return { peer, session, changes, warnings };
}

/** Starts the session and completes the OPEN exchange on the peer's side. */
async function establish(
  h: Harness,
  open: {
    as?: number;
    id?: string;
    holdTime?: number;
    extra?: Parameters<typeof modernCapabilities>[1];
    /** Decode as an internal peer (LOCAL_PREF kept). */
    internal?: boolean;
  } = {},
): Promise<{ link: PeerLink; ourOpen: BgpMessage }> {
  h.session.start();
  const link = await h.peer.accept();
  if (open.internal === true) link.ctx = { fourOctetAs: true, external: false };
  const as = open.as ?? 64699;
  const established = once(h.session, 'established');
  const ourOpen = await link.handshake({
    as,
    id: open.id ?? '10.0.0.2',
    holdTime: open.holdTime ?? 90,
    capabilities: modernCapabilities(as, open.extra),
  });
  await established;
  return { link, ourOpen };
}

function updates(messages: readonly BgpMessage[]): UpdateMessage[] {
  return messages.filter((m): m is UpdateMessage => m.type === 'update');
}

/** Prefixes announced and withdrawn over a list of UPDATEs, End-of-RIBs counted apart. */
function summarise(messages: readonly BgpMessage[]): {
  announced: string[];
  withdrawn: string[];
  endOfRib: number;
} {
  const announced: string[] = [];
  const withdrawn: string[] = [];
  let endOfRib = 0;
  for (const update of updates(messages)) {
    const { changes } = routeChangesOf(update);
    if (changes.length === 0) endOfRib++;
    for (const change of changes) {
      announced.push(...change.announced);
      withdrawn.push(...change.withdrawn);
    }
  }
  return { announced: announced.sort(), withdrawn: withdrawn.sort(), endOfRib };
}

const isEndOfRibFor = (family: 'ipv4' | 'ipv6') => (m: BgpMessage) =>
  m.type === 'update' &&
  m.nlri.length === 0 &&
  m.withdrawn.length === 0 &&
  (family === 'ipv4'
    ? Object.keys(m.attributes).length === 0
    : m.attributes.mpUnreach?.family === 'ipv6-unicast' &&
      m.attributes.mpUnreach.withdrawn.length === 0);

describe('Session', { timeout: 20_000 }, () => {
  it('opens with our capabilities, announces the routes, then End-of-RIB per family', async (t) => {
    const h = await harness(t, { gracefulRestart: { restartTimeSeconds: 120, restarting: true } });
    h.session.setRoutes([
      { prefix: '192.0.2.1/32', attributes: { communities: ['64698:1'] } },
      { prefix: '192.0.2.2/32', attributes: { communities: ['64698:1'] } },
      { prefix: '2001:db8::1/128', attributes: {} },
    ]);
    const { link, ourOpen } = await establish(h);
    assert.equal(ourOpen.type, 'open');
    if (ourOpen.type !== 'open') return;
    assert.equal(ourOpen.myAs, 64698);
    assert.equal(ourOpen.bgpIdentifier, '10.0.0.1');
    const kinds = ourOpen.capabilities.map((c) => c.kind);
    for (const kind of [
      'multiprotocol',
      'route-refresh',
      'enhanced-route-refresh',
      'graceful-restart',
      'four-octet-as',
    ]) {
      assert.ok(kinds.includes(kind as never), kind);
    }
    const gr = ourOpen.capabilities.find((c) => c.kind === 'graceful-restart');
    assert.deepEqual(gr, {
      kind: 'graceful-restart',
      restarting: true,
      notification: false,
      restartTime: 120,
      families: [
        { afi: 1, safi: 1, forwardingState: true },
        { afi: 2, safi: 1, forwardingState: true },
      ],
    });

    const messages = await link.receiveUntil(isEndOfRibFor('ipv6'));
    // Both End-of-RIBs come after every route.
    const summary = summarise(messages);
    assert.deepEqual(summary.announced, ['192.0.2.1/32', '192.0.2.2/32', '2001:db8::1/128']);
    assert.equal(summary.endOfRib, 2);
    assert.ok(isEndOfRibFor('ipv4')(messages.at(-2)!));

    // eBGP: AS_PATH [64698], next hop self, no LOCAL_PREF; IPv6 gets the IPv4-mapped next hop.
    const [v4, v6] = updates(messages);
    assert.deepEqual(v4?.attributes.asPath, [{ type: 'sequence', asns: [64698] }]);
    assert.equal(v4?.attributes.nextHop, OURS);
    assert.equal(v4?.attributes.localPref, undefined);
    assert.deepEqual(v4?.attributes.communities, [64698 * 65536 + 1]);
    assert.equal(v6?.attributes.mpReach?.family, 'ipv6-unicast');
    assert.equal(
      v6?.attributes.mpReach?.family === 'ipv6-unicast' && v6.attributes.mpReach.nextHop,
      '::ffff:7f00:1e01',
    );

    const stats = h.session.stats();
    assert.deepEqual(stats.prefixes, { desired: 3, announced: 3, pending: 0 });
    assert.equal(stats.messagesOut.open, 1);
    assert.equal(stats.messagesOut.update, 4);
    assert.equal(stats.establishedCount, 1);
    assert.deepEqual(
      h.changes.map((c) => c.to),
      ['Connect', 'OpenSent', 'OpenConfirm', 'Established'],
    );

    // Level-triggered: only the difference goes out.
    h.session.setRoutes([
      { prefix: '192.0.2.1/32', attributes: { communities: ['64698:1'] } },
      { prefix: '2001:db8::1/128', attributes: {} },
    ]);
    const withdrawal = summarise([await link.receive()]);
    assert.deepEqual(withdrawal, { announced: [], withdrawn: ['192.0.2.2/32'], endOfRib: 0 });
  });

  it('iBGP: LOCAL_PREF (100 unless given), empty AS_PATH; configured next hops', async (t) => {
    const h = await harness(t, {
      peerAs: 64698,
      nextHopIpv4: '192.0.2.254',
      nextHopIpv6: '2001:db8::fe',
    });
    h.session.setRoutes([
      { prefix: '198.51.100.1/32', attributes: { localPref: 300 } },
      { prefix: '198.51.100.2/32', attributes: {} },
      { prefix: '2001:db8::2/128', attributes: { nextHop: '2001:db8::77' } },
    ]);
    const { link } = await establish(h, { as: 64698, internal: true });
    const messages = await link.receiveUntil(isEndOfRibFor('ipv6'));
    const byPrefs = updates(messages).filter((u) => u.nlri.length > 0);
    const prefs = byPrefs
      .map((u) => [u.nlri[0], u.attributes.localPref, u.attributes.nextHop])
      .sort();
    assert.deepEqual(prefs, [
      ['198.51.100.1/32', 300, '192.0.2.254'],
      ['198.51.100.2/32', 100, '192.0.2.254'],
    ]);
    for (const update of byPrefs) assert.deepEqual(update.attributes.asPath, []);
    const v6 = updates(messages).find((u) => u.attributes.mpReach !== undefined);
    assert.equal(
      v6?.attributes.mpReach?.family === 'ipv6-unicast' && v6.attributes.mpReach.nextHop,
      '2001:db8::77',
    );
  });

  it('sends nothing, not even End-of-RIB, before the first setRoutes()', async (t) => {
    const h = await harness(t);
    const { link } = await establish(h);
    await assert.rejects(link.receive(300), /no message/);
    h.session.setRoutes([]);
    const messages = await link.receiveUntil(isEndOfRibFor('ipv6'));
    assert.deepEqual(summarise(messages), { announced: [], withdrawn: [], endOfRib: 2 });
  });

  it('refuses invalid routes with a clear error and keeps announcing the last good set', async (t) => {
    const h = await harness(t);
    h.session.setRoutes([{ prefix: '192.0.2.1/32', attributes: {} }]);
    const { link } = await establish(h);
    await link.receiveUntil(isEndOfRibFor('ipv6'));
    assert.throws(
      () =>
        h.session.setRoutes([
          { prefix: '192.0.2.9/32', attributes: {} },
          { prefix: '192.0.2.1/24', attributes: {} },
        ]),
      (err: unknown) =>
        isIronlbError(err, BgpSessionErrors.IRONLB_ERR_ROUTE_PREFIX) &&
        /did you mean 192\.0\.2\.0\/24/.test(err.message),
    );
    assert.deepEqual(h.session.stats().prefixes, { desired: 1, announced: 1, pending: 0 });
    await assert.rejects(link.receive(200), /no message/);
  });

  it('answers ROUTE-REFRESH with the table between BoRR and EoRR (RFC 7313)', async (t) => {
    const h = await harness(t);
    h.session.setRoutes([
      { prefix: '192.0.2.1/32', attributes: {} },
      { prefix: '2001:db8::1/128', attributes: {} },
    ]);
    const { link } = await establish(h, { extra: [{ kind: 'enhanced-route-refresh' }] });
    await link.receiveUntil(isEndOfRibFor('ipv6'));
    assert.equal(h.session.established?.enhancedRouteRefresh, true);
    link.send({ type: 'route-refresh', afi: 1, safi: 1, subtype: 0 });
    const answer = await link.receiveUntil((m) => m.type === 'route-refresh' && m.subtype === 2);
    assert.deepEqual(
      answer.map((m) => (m.type === 'route-refresh' ? `rr${m.subtype}` : m.type)),
      ['rr1', 'update', 'rr2'],
    );
    assert.deepEqual(summarise(answer).announced, ['192.0.2.1/32']);
    // A family that was not negotiated is ignored (RFC 2918 §4).
    link.send({ type: 'route-refresh', afi: 25, safi: 70, subtype: 0 });
    await assert.rejects(link.receive(200), /no message/);
    assert.ok(h.warnings.some((w) => /ROUTE-REFRESH for AFI 25/.test(w)));
    // The peer's own BoRR/EoRR concern its routes: nothing to answer.
    link.send({ type: 'route-refresh', afi: 1, safi: 1, subtype: 1 });
    await assert.rejects(link.receive(200), /no message/);
    assert.equal(h.session.state, 'Established');
  });

  it('re-sends without BoRR/EoRR when the peer lacks enhanced route refresh', async (t) => {
    const h = await harness(t);
    h.session.setRoutes([{ prefix: '2001:db8::1/128', attributes: {} }]);
    const { link } = await establish(h);
    await link.receiveUntil(isEndOfRibFor('ipv6'));
    link.send({ type: 'route-refresh', afi: 2, safi: 1, subtype: 0 });
    assert.deepEqual(summarise([await link.receive()]).announced, ['2001:db8::1/128']);
    await assert.rejects(link.receive(200), /no message/);
  });

  it('a NOTIFICATION from the peer ends the session; it reconnects and re-announces', async (t) => {
    const h = await harness(t);
    h.session.setRoutes([{ prefix: '192.0.2.1/32', attributes: {} }]);
    const { link } = await establish(h);
    await link.receiveUntil(isEndOfRibFor('ipv6'));
    const down = once(h.session, 'down');
    link.send({
      type: 'notification',
      code: 6,
      subcode: 2,
      data: Buffer.from([3, 0x61, 0x62, 0x63]),
    });
    const [event] = (await down) as [{ reason: string }];
    assert.equal(event.reason, "NOTIFICATION received: Cease/Administrative Shutdown: 'abc'");
    assert.equal(h.session.stats().prefixes.announced, 0);
    const again = await h.peer.accept();
    await again.handshake({ as: 64699, id: '10.0.0.2' });
    const messages = await again.receiveUntil(isEndOfRibFor('ipv6'));
    assert.deepEqual(summarise(messages).announced, ['192.0.2.1/32']);
    assert.equal(h.session.stats().establishedCount, 2);
  });

  it('a malformed UPDATE from the peer is answered with its NOTIFICATION; RFC 7606 soft errors are tolerated', async (t) => {
    const h = await harness(t);
    h.session.setRoutes([]);
    const { link } = await establish(h);
    await link.receiveUntil(isEndOfRibFor('ipv6'));
    // ORIGIN missing: treat-as-withdraw, the session stays.
    link.send({
      type: 'update',
      withdrawn: [],
      attributes: { asPath: [{ type: 'sequence', asns: [64699] }], nextHop: PEER },
      nlri: ['203.0.113.0/24'],
    });
    // A valid one, counted.
    link.send({
      type: 'update',
      withdrawn: [],
      attributes: { origin: 'igp', asPath: [{ type: 'sequence', asns: [64699] }], nextHop: PEER },
      nlri: ['203.0.113.128/25'],
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(h.session.state, 'Established');
    assert.ok(
      h.warnings.some((w) => /treat-as-withdraw/.test(w)),
      h.warnings.join('\n'),
    );
    assert.equal(h.session.stats().prefixesReceived, 1);
    // An UPDATE whose attribute length overruns the message: session reset (RFC 7606 §4).
    const broken = Buffer.from('ffffffffffffffffffffffffffffffff001b02000000ff400101004002', 'hex');
    broken.writeUInt16BE(broken.length, 16);
    link.send(broken);
    const notification = await link.receiveUntil((m) => m.type === 'notification');
    const sent = notification.at(-1);
    assert.equal(sent?.type === 'notification' && sent.code, 3);
    await link.closed();
    assert.notEqual(h.session.state, 'Established');
  });

  it('close() sends Cease with a shutdown communication; notification: false just closes', async (t) => {
    const h = await harness(t);
    const { link } = await establish(h);
    await h.session.close({ message: 'maintenance' });
    const message = await link.receive();
    assert.equal(message.type, 'notification');
    if (message.type !== 'notification') return;
    assert.deepEqual([message.code, message.subcode], [6, 2]);
    assert.equal(message.data.subarray(1).toString(), 'maintenance');
    await link.closed();
    assert.equal(h.session.state, 'Idle');
    assert.throws(
      () => h.session.setRoutes([]),
      (err: unknown) => isIronlbError(err, BgpSessionErrors.IRONLB_ERR_BGP_SESSION_CLOSED),
    );
    assert.throws(
      () => h.session.start(),
      (err: unknown) => isIronlbError(err, BgpSessionErrors.IRONLB_ERR_BGP_SESSION_CLOSED),
    );

    const quiet = await harness(t, {}, '127.0.30.3');
    const other = await establish(quiet);
    await quiet.session.close({ notification: false });
    await other.link.closed();
    assert.deepEqual(
      other.link.drain().filter((m) => m.type === 'notification'),
      [],
    );

    const deconfigured = await harness(t, {}, '127.0.30.4');
    const third = await establish(deconfigured);
    await deconfigured.session.close({ subcode: 3 });
    const cease = await third.link.receive();
    assert.equal(cease.type === 'notification' && `${cease.code}/${cease.subcode}`, '6/3');
  });

  it('hold timer: silence for the hold time sends NOTIFICATION 4/0 (fake clock)', async (t) => {
    const clock = new FakeClock();
    const h = await harness(t, { clock, holdTimeSeconds: 3 });
    const { link } = await establish(h, { holdTime: 3 });
    const notifications: string[] = [];
    h.session.on('notification', (n) =>
      notifications.push(`${n.direction} ${n.code}/${n.subcode}`),
    );
    // Keepalives every second; the peer stays silent.
    await clock.advanceAsync(2000);
    assert.equal(h.session.state, 'Established');
    const keepalives = await link.receiveUntil((m) => m.type === 'keepalive');
    assert.equal(keepalives.length, 1);
    // A KEEPALIVE from the peer restarts the hold timer.
    link.send({ type: 'keepalive' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await clock.advanceAsync(2500);
    assert.equal(h.session.state, 'Established');
    const idle = once(h.session, 'down');
    await clock.advanceAsync(600);
    // The guard yields to the event loop before declaring expiry.
    await idle;
    assert.deepEqual(notifications, ['sent 4/0']);
    const expiry = h.changes.find((c) => c.from === 'Established');
    assert.match(
      expiry?.reason ?? '',
      /hold timer expired: nothing received from the peer for 3 s/,
    );
    const expired = await link.receiveUntil((m) => m.type === 'notification');
    const last = expired.at(-1);
    assert.equal(last?.type === 'notification' && `${last.code}/${last.subcode}`, '4/0');
  });

  it('passive: accepts the peer from a listener, refuses strangers, never dials', async (t) => {
    const listener = new BgpListener({ address: OURS, port: 0 });
    await listener.listen();
    t.after(() => listener.close());
    const refused: string[] = [];
    listener.on('refused', (r) => refused.push(`${r.remoteAddress}: ${r.reason}`));
    const h = await harness(t, { passive: true, listener, peerPort: 9 }, '127.0.30.5');
    h.session.setRoutes([{ prefix: '192.0.2.5/32', attributes: {} }]);
    h.session.start();
    assert.equal(h.session.state, 'Active');
    // A stranger is closed at once.
    const stranger = await dialSession('127.0.30.6', OURS, listener.port);
    await stranger.closed();
    assert.deepEqual(refused, ['127.0.30.6: no session is configured for it']);
    // The peer gets the session.
    const link = await dialSession('127.0.30.5', OURS, listener.port);
    const established = once(h.session, 'established');
    await link.handshake({ as: 64699, id: '10.0.0.2' });
    await established;
    assert.equal(h.session.established?.direction, 'inbound');
    const messages = await link.receiveUntil(isEndOfRibFor('ipv6'));
    assert.deepEqual(summarise(messages).announced, ['192.0.2.5/32']);
    assert.equal(h.peer.connections, 0);
  });

  it('connection collision: the connection opened by the higher identifier stays (RFC 4271 §6.8)', async (t) => {
    const listener = new BgpListener({ address: '127.0.30.7', port: 0 });
    await listener.listen();
    t.after(() => listener.close());
    const h = await harness(t, { listener, localAddress: '127.0.30.7' }, '127.0.30.8');
    h.session.setRoutes([{ prefix: '192.0.2.8/32', attributes: {} }]);
    h.session.start();
    // Our connection reaches the peer, which answers nothing yet and dials us too.
    const outbound = await h.peer.accept();
    assert.equal((await outbound.receive()).type, 'open');
    const inbound = await dialSession('127.0.30.8', '127.0.30.7', listener.port);
    assert.equal((await inbound.receive()).type, 'open');
    // The peer's identifier is higher: its connection (our inbound) wins.
    const established = once(h.session, 'established');
    inbound.sendOpen({ as: 64699, id: '10.0.0.9' });
    outbound.sendOpen({ as: 64699, id: '10.0.0.9' });
    const cease = await outbound.receiveUntil((m) => m.type === 'notification');
    const dumped = cease.at(-1);
    assert.equal(dumped?.type === 'notification' && `${dumped.code}/${dumped.subcode}`, '6/7');
    assert.equal((await inbound.receive()).type, 'keepalive');
    inbound.send({ type: 'keepalive' });
    await established;
    assert.equal(h.session.established?.direction, 'inbound');
    const messages = await inbound.receiveUntil(isEndOfRibFor('ipv6'));
    assert.deepEqual(summarise(messages).announced, ['192.0.2.8/32']);
    assert.equal(h.session.stats().establishedCount, 1);
  });

  it('over IPv6: next hop self is the local IPv6 address; IPv4 routes get the router ID', async (t) => {
    const h = await harness(t, { localAddress: '::1' }, '::1');
    h.session.setRoutes([
      { prefix: '2001:db8::5/128', attributes: {} },
      { prefix: '192.0.2.5/32', attributes: {} },
    ]);
    const { link } = await establish(h);
    const messages = await link.receiveUntil(isEndOfRibFor('ipv6'));
    const v6 = updates(messages).find((u) => u.attributes.mpReach !== undefined);
    assert.equal(
      v6?.attributes.mpReach?.family === 'ipv6-unicast' && v6.attributes.mpReach.nextHop,
      '::1',
    );
    const v4 = updates(messages).find((u) => u.nlri.length > 0);
    assert.equal(v4?.attributes.nextHop, '10.0.0.1');
    assert.deepEqual(h.session.established?.nextHops, { ipv4: '10.0.0.1', ipv6: '::1' });
  });

  it('validates its options, listing every problem', () => {
    assert.throws(
      () =>
        new Session({
          localAs: 0,
          peerAs: 64699,
          routerId: '10.0.0.1',
          peerAddress: 'nowhere',
          peerPort: 70000,
          localAddress: '2001:db8::1',
          passive: true,
          password: 'x'.repeat(81),
          ttlSecurity: { minTtl: 0 },
          multihopTtl: 256,
          nextHopIpv4: '2001:db8::1',
          closeTimeoutMs: -1,
        }),
      (err: unknown) => {
        if (!isIronlbError(err, BgpSessionErrors.IRONLB_ERR_BGP_SESSION_CONFIG)) return false;
        for (const part of [
          'localAs 0',
          'peerAddress "nowhere"',
          'peerPort 70000',
          'needs a listener',
          'password must be 1-80 octets',
          'ttlSecurity.minTtl 0',
          'multihopTtl 256',
          'nextHopIpv4',
          'closeTimeoutMs',
        ]) {
          assert.ok(err.message.includes(part), `${part} in ${err.message}`);
        }
        return true;
      },
    );
    assert.throws(
      () =>
        new Session({
          localAs: 1,
          peerAs: 2,
          routerId: '10.0.0.1',
          peerAddress: '192.0.2.1',
          localAddress: '2001:db8::1',
        }),
      /different families/,
    );
  });
});
