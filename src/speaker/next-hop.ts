import { isIP } from 'node:net';
import type { NodeAddress } from './router-id.ts';

/**
 * The next hop for routes of the other address family than the session's
 * (MP-BGP, e.g. IPv6 Service IPs over the IPv4 loopback session to the
 * node's BIRD): the node's own address of that family. Without it the BGP
 * session falls back to an IPv4-mapped IPv6 address (::ffff:a.b.c.d), which
 * BIRD 2 refuses ("Invalid NEXT_HOP attribute - mismatched address family")
 * and drops the route; RFC 2545 §3 asks for a global IPv6 address anyway.
 * InternalIP first, then ExternalIP; nothing when the node has no address of
 * that family. Pure.
 */
export function crossFamilyNextHops(
  peerAddress: string,
  addresses: readonly NodeAddress[],
): { nextHopIpv4?: string; nextHopIpv6?: string } {
  const peerFamily = isIP(peerAddress);
  const wanted = peerFamily === 4 ? 6 : peerFamily === 6 ? 4 : 0;
  if (wanted === 0) return {};
  for (const type of ['InternalIP', 'ExternalIP']) {
    const found = addresses.find((a) => a.type === type && isIP(a.address) === wanted);
    if (found === undefined) continue;
    return wanted === 6 ? { nextHopIpv6: found.address } : { nextHopIpv4: found.address };
  }
  return {};
}
