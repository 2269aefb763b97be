import { Afi, Safi } from './constants.ts';

/** The address families this codec parses into prefixes; others are kept as raw bytes. */
export type AddressFamily = 'ipv4-unicast' | 'ipv6-unicast';

export interface AfiSafi {
  readonly afi: number;
  readonly safi: number;
}

/**
 * What the session negotiated, which changes how bytes are read and written
 * (like GoBGP's marshalling options). Pure data: the session derives it from
 * the two OPEN messages (see `contextFromOpens`).
 */
export interface WireContext {
  /** Both sides advertised the 4-octet AS capability (RFC 6793 §3): AS numbers are 4 octets. */
  readonly fourOctetAs: boolean;
  /**
   * The peer is in another AS. Changes error handling only: LOCAL_PREF from
   * an external peer is discarded (RFC 7606 §7.5) and confederation segments
   * are malformed (RFC 7606 §7.2).
   */
  readonly external: boolean;
  /**
   * The families negotiated with multiprotocol capabilities (RFC 4760 §8).
   * MP_REACH/MP_UNREACH for any other family are discarded. Absent: accept all.
   */
  readonly families?: readonly AddressFamily[];
}

/** A context for a modern peer: 4-octet AS, external, any family. */
export const DEFAULT_WIRE_CONTEXT: WireContext = { fourOctetAs: true, external: true };

export function createWireContext(options: Partial<WireContext> = {}): WireContext {
  return { ...DEFAULT_WIRE_CONTEXT, ...options };
}

export function familyOf(afi: number, safi: number): AddressFamily | undefined {
  if (safi !== Safi.UNICAST) return undefined;
  if (afi === Afi.IPV4) return 'ipv4-unicast';
  if (afi === Afi.IPV6) return 'ipv6-unicast';
  return undefined;
}

export function afiSafiOf(family: AddressFamily): AfiSafi {
  return family === 'ipv4-unicast'
    ? { afi: Afi.IPV4, safi: Safi.UNICAST }
    : { afi: Afi.IPV6, safi: Safi.UNICAST };
}
