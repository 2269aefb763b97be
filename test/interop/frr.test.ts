/**
 * Interop with FRR's bgpd on loopback (addresses 127.0.21.x). FRR refuses
 * next hops in 127/8 (martian), so the sessions set documentation next hops.
 */
import { describe, it } from 'node:test';
import { checkAnnouncements } from '../support/peers/conformance.ts';
import { FrrPeer, frrUnavailable } from '../support/peers/frr.ts';
import { listenerOn } from '../support/peers/session-helpers.ts';

const skip = frrUnavailable();
const FRR_PORT = 11179;
const OUR_PORT = 11790;
const NEXT_HOPS = { nextHopIpv4: '192.0.2.254', nextHopIpv6: '2001:db8::254' } as const;

describe('FRR', { skip, timeout: 60_000 }, () => {
  it('eBGP, ours active: routes with their attributes appear; a withdrawal disappears', async (t) => {
    const ours = '127.0.21.2';
    const theirs = '127.0.21.3';
    const frr = new FrrPeer({
      routerId: theirs,
      address: theirs,
      port: FRR_PORT,
      as: 64699,
      peerAddress: ours,
      peerPort: OUR_PORT,
      peerAs: 64698,
      passive: true,
    });
    t.after(() => frr.stop());
    await frr.start();
    await checkAnnouncements({
      peer: frr,
      session: {
        localAs: 64698,
        peerAs: 64699,
        routerId: ours,
        peerAddress: theirs,
        peerPort: FRR_PORT,
        localAddress: ours,
        ...NEXT_HOPS,
      },
      ipv4NextHop: NEXT_HOPS.nextHopIpv4,
    });
  });

  it('iBGP, ours passive (FRR dials): LOCAL_PREF and an empty AS_PATH', async (t) => {
    const ours = '127.0.21.4';
    const theirs = '127.0.21.5';
    const listener = await listenerOn(ours, OUR_PORT);
    t.after(() => listener.close());
    const frr = new FrrPeer({
      routerId: theirs,
      address: theirs,
      port: FRR_PORT,
      as: 64698,
      peerAddress: ours,
      peerPort: OUR_PORT,
      peerAs: 64698,
    });
    t.after(() => frr.stop());
    await frr.start();
    await checkAnnouncements({
      peer: frr,
      session: {
        localAs: 64698,
        peerAs: 64698,
        routerId: ours,
        peerAddress: theirs,
        passive: true,
        listener,
        ...NEXT_HOPS,
      },
      ipv4NextHop: NEXT_HOPS.nextHopIpv4,
    });
  });
});
