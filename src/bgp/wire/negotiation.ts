import { familyOf } from './context.ts';
import type { AddressFamily, WireContext } from './context.ts';
import type { OpenMessage } from './messages/open.ts';

/**
 * Families an OPEN offers: its multiprotocol capabilities, or IPv4 unicast
 * alone when it has none (RFC 4760 §8 keeps plain BGP-4 the default).
 */
export function familiesOf(open: OpenMessage): AddressFamily[] {
  const families: AddressFamily[] = [];
  let anyMultiprotocol = false;
  for (const capability of open.capabilities) {
    if (capability.kind !== 'multiprotocol') continue;
    anyMultiprotocol = true;
    const family = familyOf(capability.afi, capability.safi);
    if (family !== undefined && !families.includes(family)) families.push(family);
  }
  return anyMultiprotocol ? families : ['ipv4-unicast'];
}

/**
 * The wire context of an established session: 4-octet AS numbers when both
 * OPENs carry the capability (RFC 6793 §4), the families both offered
 * (RFC 4760 §8), external when the AS numbers differ.
 */
export function contextFromOpens(
  local: OpenMessage,
  remote: OpenMessage,
  options: { readonly external: boolean },
): WireContext {
  const fourOctet = (open: OpenMessage) =>
    open.capabilities.some((c) => c.kind === 'four-octet-as');
  const remoteFamilies = familiesOf(remote);
  return {
    fourOctetAs: fourOctet(local) && fourOctet(remote),
    external: options.external,
    families: familiesOf(local).filter((family) => remoteFamilies.includes(family)),
  };
}

/** RFC 4271 §4.2: the session's hold time is the smaller of the two (0 = no keepalives). */
export function negotiatedHoldTime(local: OpenMessage, remote: OpenMessage): number {
  return Math.min(local.holdTime, remote.holdTime);
}
