/**
 * Why a node announces a Service IP or not, as stable machine-readable
 * strings (events, status, `ironlb explain`, logs). Every decision carries one
 * of these plus a sentence for humans. docs/speaker.md explains each; a test
 * checks that the page lists every one.
 *
 * These are decision outcomes, not errors, so they are not an error
 * catalogue: `ipNotInAnyPool` means the same here as in the allocator.
 */
export const AnnouncementReasons = {
  announced: {
    code: 'announced',
    description: 'The node announces the address to at least one peer.',
  },
  configNotLoaded: {
    code: 'configNotLoaded',
    description:
      'No valid configuration has been loaded yet, so nothing is announced (an invalid change keeps the last valid one in force).',
  },
  serviceNotLoadBalancer: {
    code: 'serviceNotLoadBalancer',
    description: 'The Service is not of type LoadBalancer.',
  },
  classNotServed: {
    code: 'classNotServed',
    description:
      "The Service's spec.loadBalancerClass is not the class this ironlb serves; another implementation owns it.",
  },
  noIPAssigned: {
    code: 'noIPAssigned',
    description: 'The Service has no IP in status.loadBalancer.ingress (not assigned yet).',
  },
  invalidIP: {
    code: 'invalidIP',
    description: 'An entry of status.loadBalancer.ingress is not an IPv4 or IPv6 address.',
  },
  ipNotInAnyPool: {
    code: 'ipNotInAnyPool',
    description:
      'The address lies in no IPAddressPool; addresses outside the pools are never announced.',
  },
  noMatchingAdvertisement: {
    code: 'noMatchingAdvertisement',
    description: "No BGPAdvertisement announces the address's pool.",
  },
  serviceNotSelected: {
    code: 'serviceNotSelected',
    description:
      "BGPAdvertisements announce the pool, but the serviceSelectors of each of them reject the Service's labels.",
  },
  nodeNotFound: {
    code: 'nodeNotFound',
    description:
      "The speaker's node (NODE_NAME, from the downward API) has no Node object, so its labels and conditions are unknown.",
  },
  nodeNotSelected: {
    code: 'nodeNotSelected',
    description:
      "The nodeSelectors of every BGPAdvertisement that applies to the address reject the node's labels.",
  },
  notSelectedByPeer: {
    code: 'notSelectedByPeer',
    description:
      'The applying BGPAdvertisements name peers, but none of those BGPPeers has a session on this node (their nodeSelectors reject it).',
  },
  nodeExcluded: {
    code: 'nodeExcluded',
    description:
      'The node has the label node.kubernetes.io/exclude-from-external-load-balancers (any value).',
  },
  nodeNetworkUnavailable: {
    code: 'nodeNetworkUnavailable',
    description:
      'The node has the condition NetworkUnavailable=True: its pod network is not set up.',
  },
  nodeNotReady: {
    code: 'nodeNotReady',
    description:
      'The kubelet reports the condition Ready=False (e.g. the network plugin is not ready): traffic sent to the node could be dropped. Ready=Unknown does not withdraw.',
  },
  noEndpoints: {
    code: 'noEndpoints',
    description: 'externalTrafficPolicy Cluster, and no endpoint of the Service serves anywhere.',
  },
  noLocalEndpoints: {
    code: 'noLocalEndpoints',
    description:
      'externalTrafficPolicy Local, and no serving endpoint of the Service runs on this node.',
  },
} as const satisfies Record<string, { code: string; description: string }>;

export type AnnouncementReason = keyof typeof AnnouncementReasons;

/**
 * Problems found while deciding that do not stop an announcement, or stop
 * only one peer's: they are reported (events, logs, explain) so the operator
 * can fix the configuration.
 */
export const AnnouncementProblems = {
  localPrefConflict: {
    code: 'localPrefConflict',
    description:
      'BGPAdvertisements with different localPref apply to the same prefix toward the same iBGP peer; the localPref of the advertisement first by namespace/name is used.',
  },
  duplicatePeerSession: {
    code: 'duplicatePeerSession',
    description:
      'Two BGPPeers with the same address and port both select this node; only the first by namespace/name gets a session.',
  },
} as const satisfies Record<string, { code: string; description: string }>;

export type AnnouncementProblemReason = keyof typeof AnnouncementProblems;

export interface AnnouncementProblem {
  readonly reason: AnnouncementProblemReason;
  readonly message: string;
  /** The peer (namespace/name) the problem concerns. */
  readonly peer: string;
  /** The prefix, for localPrefConflict. */
  readonly prefix?: string;
}

/** The label that takes a node out of every load balancer (Kubernetes well-known label). */
export const EXCLUDE_FROM_LOAD_BALANCERS_LABEL =
  'node.kubernetes.io/exclude-from-external-load-balancers';

/** The EndpointSlice label naming the Service it belongs to. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
