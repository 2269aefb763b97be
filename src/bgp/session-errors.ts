import { defineCatalogue } from '../common/errors.ts';

/** Errors of BGP sessions: configuration, sockets, and the routes they are asked to announce. */
export const BgpSessionErrors = defineCatalogue('bgp-session', {
  IRONLB_ERR_BGP_SESSION_CONFIG: {
    code: 'IRONLB_ERR_BGP_SESSION_CONFIG',
    description:
      'A BGP session configuration value is out of range (ASN, router ID, hold time, keepalive, timers, families).',
  },
  IRONLB_ERR_BGP_SOCKET_OPTION: {
    code: 'IRONLB_ERR_BGP_SOCKET_OPTION',
    description:
      'A socket option Node has no API for (TCP-MD5, TTL, minimum TTL) could not be set through libc, or is not available on this platform.',
  },
  IRONLB_ERR_BGP_LISTENER: {
    code: 'IRONLB_ERR_BGP_LISTENER',
    description:
      'The shared BGP listener could not listen, or a second session registered for the same peer address.',
  },
  IRONLB_ERR_BGP_SESSION_CLOSED: {
    code: 'IRONLB_ERR_BGP_SESSION_CLOSED',
    description: 'The BGP session was closed and cannot be started or given routes again.',
  },
  IRONLB_ERR_ROUTE_PREFIX: {
    code: 'IRONLB_ERR_ROUTE_PREFIX',
    description: 'A route prefix is not an IPv4/IPv6 CIDR, has a bad length, or has host bits set.',
  },
  IRONLB_ERR_ROUTE_NEXT_HOP: {
    code: 'IRONLB_ERR_ROUTE_NEXT_HOP',
    description: 'A route next hop is not an IP address of the same family as its prefix.',
  },
  IRONLB_ERR_ROUTE_COMMUNITY: {
    code: 'IRONLB_ERR_ROUTE_COMMUNITY',
    description: 'A community is neither "a:b" with 16-bit halves nor a known well-known name.',
  },
  IRONLB_ERR_ROUTE_LARGE_COMMUNITY: {
    code: 'IRONLB_ERR_ROUTE_LARGE_COMMUNITY',
    description: 'A large community is not "global:local1:local2" with 32-bit parts.',
  },
  IRONLB_ERR_ROUTE_EXTENDED_COMMUNITY: {
    code: 'IRONLB_ERR_ROUTE_EXTENDED_COMMUNITY',
    description:
      'An extended community is not one of rt:, soo:, lb: or raw: in the documented text form.',
  },
  IRONLB_ERR_ROUTE_ATTRIBUTE: {
    code: 'IRONLB_ERR_ROUTE_ATTRIBUTE',
    description: 'LOCAL_PREF or MED is not an integer from 0 to 4294967295.',
  },
  IRONLB_ERR_ROUTE_CONFLICT: {
    code: 'IRONLB_ERR_ROUTE_CONFLICT',
    description: 'The same prefix was given twice with different attributes.',
  },
});
