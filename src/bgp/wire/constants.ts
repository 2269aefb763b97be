/**
 * BGP-4 numbers from the RFCs and the IANA registries, as `as const` objects
 * (no enums: Node runs our TypeScript by stripping types). Names follow the
 * RFC wording so that grepping the RFC for a name finds the rule.
 */

/** RFC 4271 §4.1: 16 octets of all ones, then 2 octets length, then 1 octet type. */
export const HEADER_LENGTH = 19;
export const MARKER_LENGTH = 16;
/** RFC 4271 §4.1: no BGP message may be longer (we do not negotiate RFC 8654 extended messages). */
export const MAX_MESSAGE_LENGTH = 4096;
/** RFC 4271 §4.2: the fixed part of an OPEN message, header included. */
export const OPEN_MIN_LENGTH = 29;
/** RFC 4271 §4.3: header + withdrawn routes length + total path attribute length. */
export const UPDATE_MIN_LENGTH = 23;
/** RFC 4271 §4.5: header + error code + error subcode. */
export const NOTIFICATION_MIN_LENGTH = 21;
/** RFC 4271 §4.4: a KEEPALIVE is the header alone. */
export const KEEPALIVE_LENGTH = 19;
/** RFC 2918 §3: header + AFI (2) + reserved/subtype (1) + SAFI (1). */
export const ROUTE_REFRESH_LENGTH = 23;

/** RFC 4271 §4.1 message types, plus ROUTE-REFRESH (RFC 2918 §3). */
export const MessageType = {
  OPEN: 1,
  UPDATE: 2,
  NOTIFICATION: 3,
  KEEPALIVE: 4,
  ROUTE_REFRESH: 5,
} as const;
export type MessageTypeCode = (typeof MessageType)[keyof typeof MessageType];

/** RFC 4271 §4.2: the only BGP version. */
export const BGP_VERSION = 4;
/** RFC 6793 §9: the 2-octet stand-in for a 4-octet AS number. */
export const AS_TRANS = 23456;

/** RFC 4271 §4.5 error codes, plus ROUTE-REFRESH Message Error (RFC 7313 §5). */
export const ErrorCode = {
  MESSAGE_HEADER: 1,
  OPEN_MESSAGE: 2,
  UPDATE_MESSAGE: 3,
  HOLD_TIMER_EXPIRED: 4,
  FINITE_STATE_MACHINE: 5,
  CEASE: 6,
  ROUTE_REFRESH_MESSAGE: 7,
} as const;

/** RFC 4271 §6.1. */
export const MessageHeaderErrorSubcode = {
  CONNECTION_NOT_SYNCHRONIZED: 1,
  BAD_MESSAGE_LENGTH: 2,
  BAD_MESSAGE_TYPE: 3,
} as const;

/** RFC 4271 §6.2, RFC 5492 §5 (Unsupported Capability), RFC 9234 §4.2 (Role Mismatch). */
export const OpenMessageErrorSubcode = {
  UNSPECIFIC: 0,
  UNSUPPORTED_VERSION_NUMBER: 1,
  BAD_PEER_AS: 2,
  BAD_BGP_IDENTIFIER: 3,
  UNSUPPORTED_OPTIONAL_PARAMETER: 4,
  /** Deprecated (RFC 4271 §4.5); listed so that it is named when received. */
  AUTHENTICATION_FAILURE: 5,
  UNACCEPTABLE_HOLD_TIME: 6,
  UNSUPPORTED_CAPABILITY: 7,
  ROLE_MISMATCH: 11,
} as const;

/** RFC 4271 §6.3. */
export const UpdateMessageErrorSubcode = {
  MALFORMED_ATTRIBUTE_LIST: 1,
  UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE: 2,
  MISSING_WELL_KNOWN_ATTRIBUTE: 3,
  ATTRIBUTE_FLAGS_ERROR: 4,
  ATTRIBUTE_LENGTH_ERROR: 5,
  INVALID_ORIGIN_ATTRIBUTE: 6,
  /** Deprecated (RFC 4271 §4.5). */
  AS_ROUTING_LOOP: 7,
  INVALID_NEXT_HOP_ATTRIBUTE: 8,
  OPTIONAL_ATTRIBUTE_ERROR: 9,
  INVALID_NETWORK_FIELD: 10,
  MALFORMED_AS_PATH: 11,
} as const;

/** RFC 6608 §4. */
export const FsmErrorSubcode = {
  UNSPECIFIED: 0,
  UNEXPECTED_MESSAGE_IN_OPENSENT: 1,
  UNEXPECTED_MESSAGE_IN_OPENCONFIRM: 2,
  UNEXPECTED_MESSAGE_IN_ESTABLISHED: 3,
} as const;

/** RFC 4486 §4, RFC 8538 §3 (Hard Reset), RFC 9384 §4 (BFD Down). */
export const CeaseSubcode = {
  MAXIMUM_NUMBER_OF_PREFIXES_REACHED: 1,
  ADMINISTRATIVE_SHUTDOWN: 2,
  PEER_DECONFIGURED: 3,
  ADMINISTRATIVE_RESET: 4,
  CONNECTION_REJECTED: 5,
  OTHER_CONFIGURATION_CHANGE: 6,
  CONNECTION_COLLISION_RESOLUTION: 7,
  OUT_OF_RESOURCES: 8,
  HARD_RESET: 9,
  BFD_DOWN: 10,
} as const;

/** RFC 7313 §5. */
export const RouteRefreshErrorSubcode = {
  INVALID_MESSAGE_LENGTH: 1,
} as const;

/** RFC 7313 §3: the former reserved octet of ROUTE-REFRESH. */
export const RouteRefreshSubtype = {
  NORMAL: 0,
  BEGINNING_OF_ROUTE_REFRESH: 1,
  END_OF_ROUTE_REFRESH: 2,
} as const;

/** RFC 4271 §4.2 / RFC 5492 §4 / RFC 9072 §2 optional parameter types. */
export const OptionalParameterType = {
  CAPABILITIES: 2,
  /** RFC 9072 §2: marks the extended encoding of the optional parameters. */
  EXTENDED_LENGTH: 255,
} as const;

/** IANA capability codes used here. */
export const CapabilityCode = {
  MULTIPROTOCOL: 1,
  ROUTE_REFRESH: 2,
  EXTENDED_NEXT_HOP: 5,
  EXTENDED_MESSAGE: 6,
  BGP_ROLE: 9,
  GRACEFUL_RESTART: 64,
  FOUR_OCTET_AS: 65,
  ADD_PATH: 69,
  ENHANCED_ROUTE_REFRESH: 70,
  LONG_LIVED_GRACEFUL_RESTART: 71,
  FQDN: 73,
  SOFTWARE_VERSION: 75,
  /** The pre-standard Cisco code for route refresh, still sent by many speakers. */
  ROUTE_REFRESH_CISCO: 128,
} as const;

/** RFC 4271 §4.3 attribute flag bits (high nibble; the low nibble is unused). */
export const AttributeFlag = {
  OPTIONAL: 0x80,
  TRANSITIVE: 0x40,
  PARTIAL: 0x20,
  EXTENDED_LENGTH: 0x10,
} as const;

/** IANA path attribute type codes used here. */
export const AttributeType = {
  ORIGIN: 1,
  AS_PATH: 2,
  NEXT_HOP: 3,
  MULTI_EXIT_DISC: 4,
  LOCAL_PREF: 5,
  ATOMIC_AGGREGATE: 6,
  AGGREGATOR: 7,
  COMMUNITIES: 8,
  ORIGINATOR_ID: 9,
  CLUSTER_LIST: 10,
  MP_REACH_NLRI: 14,
  MP_UNREACH_NLRI: 15,
  EXTENDED_COMMUNITIES: 16,
  AS4_PATH: 17,
  AS4_AGGREGATOR: 18,
  LARGE_COMMUNITIES: 32,
} as const;

/** RFC 4271 §4.3 / §5.1.1. */
export const Origin = {
  IGP: 0,
  EGP: 1,
  INCOMPLETE: 2,
} as const;
export type OriginCode = (typeof Origin)[keyof typeof Origin];

/** RFC 4271 §4.3 AS_PATH segment types, plus confederation segments (RFC 5065 §3). */
export const AsPathSegmentType = {
  AS_SET: 1,
  AS_SEQUENCE: 2,
  AS_CONFED_SEQUENCE: 3,
  AS_CONFED_SET: 4,
} as const;

/** IANA address family numbers used here. */
export const Afi = {
  IPV4: 1,
  IPV6: 2,
} as const;

/** IANA SAFI values used here. */
export const Safi = {
  UNICAST: 1,
  MULTICAST: 2,
} as const;

/** Well-known communities (RFC 1997 §3, RFC 3765, RFC 8326, RFC 7999). */
export const WellKnownCommunity = {
  GRACEFUL_SHUTDOWN: 0xffff0000,
  BLACKHOLE: 0xffff029a,
  NO_EXPORT: 0xffffff01,
  NO_ADVERTISE: 0xffffff02,
  NO_EXPORT_SUBCONFED: 0xffffff03,
  NO_PEER: 0xffffff04,
} as const;

/** Extended community type octets (RFC 4360 §3, RFC 5668 §2). Add 0x40 for non-transitive. */
export const ExtendedCommunityType = {
  TWO_OCTET_AS_SPECIFIC: 0x00,
  IPV4_ADDRESS_SPECIFIC: 0x01,
  FOUR_OCTET_AS_SPECIFIC: 0x02,
  OPAQUE: 0x03,
  NON_TRANSITIVE_BIT: 0x40,
} as const;

/** Extended community subtypes (RFC 4360 §5, draft-ietf-idr-link-bandwidth §3). */
export const ExtendedCommunitySubtype = {
  ROUTE_TARGET: 0x02,
  ROUTE_ORIGIN: 0x03,
  LINK_BANDWIDTH: 0x04,
} as const;
