/**
 * src/speaker: what one node announces, decided purely (the speaker daemon
 * and `ironlb explain` share it), node identity checks, and the status and
 * events derived from the decisions.
 */
export {
  AnnouncementProblems,
  AnnouncementReasons,
  EXCLUDE_FROM_LOAD_BALANCERS_LABEL,
  SERVICE_NAME_LABEL,
  type AnnouncementProblem,
  type AnnouncementProblemReason,
  type AnnouncementReason,
} from './announcement-reasons.ts';
export {
  endpointServes,
  endpointSliceInfo,
  endpointsByService,
  nodeInfo,
  serviceInfo,
  serviceKey,
  type EndpointInfo,
  type EndpointSliceInfo,
  type NodeConditionInfo,
  type NodeInfo,
  type ServiceInfo,
  type TrafficPolicy,
} from './cluster-objects.ts';
export {
  decideNodeAnnouncements,
  decideService,
  nodeAnnouncements,
  nodeContext,
  summariseEndpoints,
  type EndpointSummary,
  type IpDecision,
  type NodeAnnouncements,
  type NodeContext,
  type NodeContextInput,
  type ServiceDecision,
  type SpeakerInput,
} from './announce-decision.ts';
export { nodeRefusal, type NodeRefusal } from './node-eligibility.ts';
export { sessionsForNode, type NodeSessions, type PeerSession } from './peer-sessions.ts';
export {
  advertisedPrefix,
  coveringPrefix,
  mergeContributions,
  type PeerRoute,
  type Prefix,
  type RouteContribution,
} from './route-merge.ts';
export {
  checkThisNode,
  endpointNodeMismatches,
  nodeNameFromEnvironment,
  similarNodeNames,
  type EndpointNodeMismatch,
  type ThisNodeCheck,
} from './node-identity.ts';
export {
  announcementEvents,
  serviceBgpAnnouncements,
  serviceBgpStatusName,
  serviceBgpStatusObject,
  ServiceBgpStatusLabels,
  type AnnouncementEvent,
  type AnnouncementEventReason,
  type ServiceBgpAnnouncement,
} from './announcement-status.ts';
export { SpeakerErrors } from './errors.ts';
