/**
 * The address families ironlb announces. On the wire a family is an AFI/SAFI
 * pair (RFC 4760 §3, IANA registries); inside the library it is a short name,
 * so maps and log lines stay readable.
 */
export type AddressFamily = 'ipv4-unicast' | 'ipv6-unicast';

/** An AFI/SAFI pair as the codec reads it; may name a family we do not know. */
export interface AfiSafi {
  readonly afi: number;
  readonly safi: number;
}

export const AFI_IPV4 = 1;
export const AFI_IPV6 = 2;
export const SAFI_UNICAST = 1;

export const ADDRESS_FAMILIES: readonly AddressFamily[] = ['ipv4-unicast', 'ipv6-unicast'];

export function afiSafiOf(family: AddressFamily): AfiSafi {
  return family === 'ipv4-unicast'
    ? { afi: AFI_IPV4, safi: SAFI_UNICAST }
    : { afi: AFI_IPV6, safi: SAFI_UNICAST };
}

/** The family an AFI/SAFI pair names, or undefined for one we do not support. */
export function addressFamilyOf(pair: AfiSafi): AddressFamily | undefined {
  if (pair.safi !== SAFI_UNICAST) return undefined;
  if (pair.afi === AFI_IPV4) return 'ipv4-unicast';
  if (pair.afi === AFI_IPV6) return 'ipv6-unicast';
  return undefined;
}

export function isAddressFamily(value: unknown): value is AddressFamily {
  return value === 'ipv4-unicast' || value === 'ipv6-unicast';
}
