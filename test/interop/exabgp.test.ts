/**
 * Interop with ExaBGP on loopback (addresses 127.0.23.x): its JSON API
 * shows exactly what we sent.
 */
import { describe, it } from 'node:test';
import { checkAnnouncements } from '../support/peers/conformance.ts';
import { ExabgpPeer, exabgpUnavailable } from '../support/peers/exabgp.ts';
import { listenerOn, sessionToward } from '../support/peers/session-helpers.ts';

const skip = exabgpUnavailable();
const EXABGP_PORT = 11179;
const OUR_PORT = 11790;

function exabgp(n: number, as: number, passive: boolean): ExabgpPeer {
  const ours = `127.0.23.${2 * n}`;
  const theirs = `127.0.23.${2 * n + 1}`;
  return new ExabgpPeer({
    routerId: theirs,
    address: theirs,
    port: EXABGP_PORT,
    as,
    peerAddress: ours,
    peerPort: OUR_PORT,
    peerAs: 64698,
    passive,
  });
}

describe('ExaBGP', { skip, timeout: 60_000 }, () => {
  it('eBGP, ours active: routes with their attributes appear; a withdrawal disappears', async (t) => {
    const peer = exabgp(1, 64699, true);
    t.after(() => peer.stop());
    await peer.start();
    await checkAnnouncements({
      peer,
      session: sessionToward(peer.options),
      ipv4NextHop: peer.options.peerAddress,
    });
  });

  it('iBGP, ours passive (ExaBGP dials): LOCAL_PREF and an empty AS_PATH', async (t) => {
    const peer = exabgp(2, 64698, false);
    const listener = await listenerOn(peer.options.peerAddress, OUR_PORT);
    t.after(() => listener.close());
    t.after(() => peer.stop());
    await peer.start();
    await checkAnnouncements({
      peer,
      session: {
        localAs: 64698,
        peerAs: 64698,
        routerId: peer.options.peerAddress,
        peerAddress: peer.options.address,
        passive: true,
        listener,
      },
      ipv4NextHop: peer.options.peerAddress,
    });
  });
});
