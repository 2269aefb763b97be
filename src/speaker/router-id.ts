import { createHash } from 'node:crypto';
import { isIP } from 'node:net';

/** One entry of a Node's status.addresses. */
export interface NodeAddress {
  readonly type: string;
  readonly address: string;
}

/** status.addresses of a Node (model object or plain JSON); never throws. */
export function nodeAddresses(node: unknown): NodeAddress[] {
  const status = (node as { status?: { addresses?: unknown } } | undefined)?.status;
  const list = status?.addresses;
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry: unknown) => {
    const { type, address } = (entry ?? {}) as { type?: unknown; address?: unknown };
    return typeof type === 'string' && typeof address === 'string' ? [{ type, address }] : [];
  });
}

/** A usable BGP identifier: IPv4, not 0.0.0.0, not multicast (RFC 6286 / our session's check). */
function usableIdentifier(address: string): boolean {
  if (isIP(address) !== 4) return false;
  const first = Number(address.split('.')[0]);
  return address !== '0.0.0.0' && first < 224;
}

/**
 * The router ID a speaker uses when the BGPPeer sets none, deterministically:
 * the node's first IPv4 InternalIP (then ExternalIP), as MetalLB does; on
 * IPv6-only nodes (or before the Node is known) four bytes of SHA-256 of the
 * node name, as an IPv4-shaped identifier outside 0/8 and 224/4. The same
 * node always gets the same ID, so a restart does not look like a new router.
 */
export function defaultRouterId(nodeName: string, addresses: readonly NodeAddress[]): string {
  for (const type of ['InternalIP', 'ExternalIP']) {
    const found = addresses.find((a) => a.type === type && usableIdentifier(a.address));
    if (found !== undefined) return found.address;
  }
  const digest = createHash('sha256').update(nodeName).digest();
  // First octet 1-223: never 0 (invalid identifier) nor multicast.
  const first = 1 + ((digest[0] ?? 0) % 223);
  return [first, digest[1] ?? 0, digest[2] ?? 0, digest[3] ?? 1].join('.');
}
