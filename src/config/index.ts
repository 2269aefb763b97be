/**
 * src/config: the CRD schemas and the one configuration parse, shared by the
 * controller, the speakers, the webhooks and the CLI.
 */
export { ConfigErrors } from './errors.ts';
export {
  parseConfig,
  parseConfigOrThrow,
  type ConfigObjects,
  type ParseConfigResult,
} from './parse-config.ts';
export type { SecretLookup } from './parse-peers.ts';
export { withObject, withoutObject, type ConfigKind } from './config-objects.ts';
export { ConfigState, type ApplyResult } from './config-state.ts';
export {
  compareConfigErrors,
  formatConfigError,
  objectRef,
  type ConfigError,
  type ObjectIdentity,
} from './config-error.ts';
export {
  effectiveKeepaliveMs,
  type Advertisement,
  type Cidr,
  type IronlbConfig,
  type Peer,
  type Pool,
  type PoolRange,
  type ServiceAllocation,
} from './config-types.ts';
export {
  compareCommunities,
  formatCommunity,
  parseCommunity,
  type BgpCommunity,
} from './community.ts';
export { formatDuration, parseDuration } from './duration.ts';
export {
  anySelectorMatches,
  canonicalSelector,
  normaliseLabelSelector,
  selectorMatches,
  type LabelRequirement,
  type LabelSelector,
  type Labels,
} from './label-selector.ts';
export { SecretValue } from './secret-value.ts';
export { cidrCover, formatCidr } from './parse-pools.ts';
export { allKinds, type KindDefinition, type PrinterColumn } from './kinds.ts';
export { API_GROUP, API_GROUP_VERSION, API_VERSION, Defaults } from './schema/common.ts';
export * from './schema/ip-address-pool.ts';
export * from './schema/bgp-peer.ts';
export * from './schema/bgp-advertisement.ts';
export * from './schema/community.ts';
export * from './schema/status-kinds.ts';
export { LabelSelectorSchema, type LabelSelectorSpec } from './schema/label-selector.ts';
