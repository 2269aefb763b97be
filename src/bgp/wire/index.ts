/**
 * The BGP-4 wire codec: pure functions from bytes to values and back, no I/O.
 *
 * - Framing: `MessageReader` (stream -> whole messages), `MessageWriter`
 *   (messages -> one buffer for one socket write).
 * - Messages: `decodeMessage` / `encodeMessage` (any type) and one codec per
 *   message, capability and path attribute, each with `encode`, `decode`,
 *   `encodingLength` and `write`.
 * - Errors: every decoding failure is a `BgpWireError` carrying the RFC 7606
 *   action and the NOTIFICATION to send; softer UPDATE errors are listed in
 *   `update.errors` instead of thrown.
 * - Bulk: `packAnnouncements` / `packWithdrawals` fill 4096-octet UPDATEs
 *   with prefixes sharing one attribute set.
 */
export * from './constants.ts';
export { BgpWireError, BgpWireErrors, isBgpWireError } from './errors.ts';
export type { BgpWireErrorDetails, NotificationFields, WireErrorAction } from './errors.ts';
export { afiSafiOf, createWireContext, DEFAULT_WIRE_CONTEXT, familyOf } from './context.ts';
export type { AddressFamily, AfiSafi, WireContext } from './context.ts';
export type { WireCodec } from './codec.ts';
export { formatPrefix, normalizePrefix, parsePrefix, prefixVersion } from './prefix.ts';
export type { IpVersion, ParsedPrefix, Prefix } from './prefix.ts';
export { formatIpv4, formatIpv6, ipv4Bytes, ipv6Bytes } from './ip-address.ts';

export { readHeader, writeHeader } from './header.ts';
export type { MessageHeader } from './header.ts';
export { MessageReader } from './message-reader.ts';
export { MessageWriter } from './message-writer.ts';
export { bgpMessage, decodeMessage, encodeMessage } from './message.ts';
export type { BgpMessage } from './message.ts';

export { createOpen, openMessage, peerAsnOf } from './messages/open.ts';
export type { OpenMessage, OpenOptions } from './messages/open.ts';
export { announcedPrefixes, updateMessage } from './messages/update.ts';
export type { UpdateMessage } from './messages/update.ts';
export {
  createCeaseNotification,
  createNotification,
  notificationForError,
  notificationMessage,
  SHUTDOWN_COMMUNICATION_MAX_OCTETS,
  shutdownCommunicationOf,
} from './messages/notification.ts';
export type { NotificationMessage } from './messages/notification.ts';
export { KEEPALIVE, keepaliveMessage } from './messages/keepalive.ts';
export type { KeepaliveMessage } from './messages/keepalive.ts';
export { routeRefreshMessage } from './messages/route-refresh.ts';
export type { RouteRefreshMessage } from './messages/route-refresh.ts';

export { capabilityCodec } from './capabilities/capability.ts';
export type { Capability } from './capabilities/capability.ts';
export { multiprotocolCapability } from './capabilities/multiprotocol.ts';
export type { MultiprotocolCapability } from './capabilities/multiprotocol.ts';
export { routeRefreshCapability } from './capabilities/route-refresh.ts';
export type { RouteRefreshCapability } from './capabilities/route-refresh.ts';
export { ciscoRouteRefreshCapability } from './capabilities/route-refresh-cisco.ts';
export type { CiscoRouteRefreshCapability } from './capabilities/route-refresh-cisco.ts';
export { enhancedRouteRefreshCapability } from './capabilities/enhanced-route-refresh.ts';
export type { EnhancedRouteRefreshCapability } from './capabilities/enhanced-route-refresh.ts';
export { fourOctetAsCapability } from './capabilities/four-octet-as.ts';
export type { FourOctetAsCapability } from './capabilities/four-octet-as.ts';
export { gracefulRestartCapability } from './capabilities/graceful-restart.ts';
export type {
  GracefulRestartCapability,
  GracefulRestartFamily,
} from './capabilities/graceful-restart.ts';
export { unknownCapability } from './capabilities/unknown-capability.ts';
export type { UnknownCapability } from './capabilities/unknown-capability.ts';

export {
  encodePathAttributes,
  decodePathAttributes,
  forwardableAttributes,
  pathAttributesLength,
} from './path-attributes.ts';
export type { DecodedPathAttributes, PathAttributes } from './path-attributes.ts';
export type { AttributeCodec } from './attributes/attribute-codec.ts';
export { originAttribute } from './attributes/origin.ts';
export type { OriginName } from './attributes/origin.ts';
export { asPathAttribute } from './attributes/as-path.ts';
export { as4PathAttribute } from './attributes/as4-path.ts';
export { pathAsCount } from './attributes/as-path-segments.ts';
export type { AsPath, AsPathSegment, AsPathSegmentKind } from './attributes/as-path-segments.ts';
export { nextHopAttribute } from './attributes/next-hop.ts';
export { multiExitDiscAttribute } from './attributes/multi-exit-disc.ts';
export { localPrefAttribute } from './attributes/local-pref.ts';
export { atomicAggregateAttribute } from './attributes/atomic-aggregate.ts';
export { aggregatorAttribute } from './attributes/aggregator.ts';
export type { Aggregator } from './attributes/aggregator.ts';
export { as4AggregatorAttribute } from './attributes/as4-aggregator.ts';
export {
  community,
  communitiesAttribute,
  formatCommunity,
  parseCommunity,
} from './attributes/communities.ts';
export { extendedCommunitiesAttribute } from './attributes/extended-communities.ts';
export type { ExtendedCommunity } from './attributes/extended-communities.ts';
export {
  formatLargeCommunity,
  largeCommunitiesAttribute,
  parseLargeCommunity,
} from './attributes/large-communities.ts';
export type { LargeCommunity } from './attributes/large-communities.ts';
export { mpReachNlriAttribute } from './attributes/mp-reach-nlri.ts';
export type { MpReachNlri, MpReachNlriParsed, MpReachNlriRaw } from './attributes/mp-reach-nlri.ts';
export { mpUnreachNlriAttribute } from './attributes/mp-unreach-nlri.ts';
export type {
  MpUnreachNlri,
  MpUnreachNlriParsed,
  MpUnreachNlriRaw,
} from './attributes/mp-unreach-nlri.ts';
export { unknownAttribute } from './attributes/unknown-attribute.ts';
export type { UnknownAttribute } from './attributes/unknown-attribute.ts';

export { packAnnouncements, packWithdrawals } from './update-packer.ts';
export type { PackedUpdates, PackOptions } from './update-packer.ts';
export { createEndOfRib, endOfRibFamily, isEndOfRib } from './end-of-rib.ts';
export { reconstructAs4 } from './as4.ts';
export { contextFromOpens, familiesOf, negotiatedHoldTime } from './negotiation.ts';
export { routeChangesOf } from './route-changes.ts';
export type { RouteChanges } from './route-changes.ts';
export { attributeTypeName, capabilityName, notificationNames } from './names.ts';
