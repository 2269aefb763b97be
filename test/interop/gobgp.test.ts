/**
 * Interop with GoBGP (gobgpd) on loopback (addresses 127.0.22.x). GoBGP
 * treats next hops in 127/8 as invalid, so the sessions set a documentation
 * IPv4 next hop (IPv6 keeps the IPv4-mapped default). gobgpd dials only
 * after 5–10 s, so most tests keep it passive.
 */
import { describe, it } from 'node:test';
import { checkAnnouncements } from '../support/peers/conformance.ts';
import { GobgpPeer, gobgpUnavailable } from '../support/peers/gobgp.ts';
import { listenerOn, sessionToward } from '../support/peers/session-helpers.ts';

const skip = gobgpUnavailable();
const GOBGP_PORT = 11179;
const OUR_PORT = 11790;
const NEXT_HOP = '192.0.2.253';

function gobgp(n: number, as: number, passive: boolean): GobgpPeer {
  const ours = `127.0.22.${2 * n}`;
  const theirs = `127.0.22.${2 * n + 1}`;
  return new GobgpPeer({
    routerId: theirs,
    address: theirs,
    port: GOBGP_PORT,
    apiPort: 50052,
    as,
    peerAddress: ours,
    peerPort: OUR_PORT,
    peerAs: 64698,
    passive,
  });
}

describe('GoBGP', { skip, timeout: 60_000 }, () => {
  it('eBGP, ours active: routes with their attributes appear; a withdrawal disappears', async (t) => {
    const peer = gobgp(1, 64699, true);
    t.after(() => peer.stop());
    await peer.start();
    await checkAnnouncements({
      peer,
      session: {
        ...sessionToward(peer.options),
        nextHopIpv4: NEXT_HOP,
      },
      ipv4NextHop: NEXT_HOP,
    });
  });

  it('iBGP, ours active: LOCAL_PREF and an empty AS_PATH', async (t) => {
    const peer = gobgp(2, 64698, true);
    t.after(() => peer.stop());
    await peer.start();
    await checkAnnouncements({
      peer,
      session: {
        ...sessionToward(peer.options),
        nextHopIpv4: NEXT_HOP,
      },
      ipv4NextHop: NEXT_HOP,
    });
  });

  it('eBGP, ours passive: gobgpd dials (after its 5–10 s start delay)', async (t) => {
    const peer = gobgp(3, 64699, false);
    const listener = await listenerOn(peer.options.peerAddress, OUR_PORT);
    t.after(() => listener.close());
    t.after(() => peer.stop());
    await peer.start();
    await checkAnnouncements({
      peer,
      session: {
        localAs: 64698,
        peerAs: 64699,
        routerId: peer.options.peerAddress,
        peerAddress: peer.options.address,
        passive: true,
        listener,
        nextHopIpv4: NEXT_HOP,
      },
      ipv4NextHop: NEXT_HOP,
      timeoutMs: 15_000,
    });
  });
});
