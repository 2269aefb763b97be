import { defineCatalogue } from '../common/errors.ts';

/**
 * Why the allocator said no (or took an address back). The codes are stable
 * and machine-readable (events, status conditions, metrics labels); every
 * refusal also carries a sentence for humans.
 */
export const AllocationReasons = defineCatalogue('ipam-allocation', {
  conflictingRequests: {
    code: 'conflictingRequests',
    description:
      'The Service asks for addresses or a pool in two ways that disagree (an annotation and spec.loadBalancerIP, or two annotation prefixes).',
  },
  invalidRequest: {
    code: 'invalidRequest',
    description:
      'A requested address does not parse, or more than one address per family was requested.',
  },
  ipNotInAnyPool: {
    code: 'ipNotInAnyPool',
    description: 'The address lies in no configured IPAddressPool.',
  },
  ipAvoidedByPool: {
    code: 'ipAvoidedByPool',
    description: 'The address ends in .0 or .255 and its pool sets avoidBuggyIPs.',
  },
  addressesInDifferentPools: {
    code: 'addressesInDifferentPools',
    description: "A Service's addresses must come from one pool, and these do not.",
  },
  wrongFamily: {
    code: 'wrongFamily',
    description: "The address's family is not one of the Service's ipFamilies.",
  },
  ipInUse: {
    code: 'ipInUse',
    description: 'The address is held by another Service and one of them does not allow sharing.',
  },
  sharingKeyMismatch: {
    code: 'sharingKeyMismatch',
    description: 'The address is shared under a different allow-shared-ip key.',
  },
  sharingConflictPorts: {
    code: 'sharingConflictPorts',
    description:
      'The address is shared under the same key, but another Service already uses one of the protocol/port pairs.',
  },
  sharingConflictSelector: {
    code: 'sharingConflictSelector',
    description:
      'With externalTrafficPolicy Local, every Service on a shared address must be Local and select the same pods.',
  },
  requestedPoolNotFound: {
    code: 'requestedPoolNotFound',
    description: 'The address-pool annotation names a pool that does not exist.',
  },
  poolNotAllowedForService: {
    code: 'poolNotAllowedForService',
    description:
      "The pool's serviceAllocation (namespaces, namespace or service selectors) does not admit this Service.",
  },
  requestedIpNotInRequestedPool: {
    code: 'requestedIpNotInRequestedPool',
    description: 'The Service requests both an address and a pool, and the address is elsewhere.',
  },
  requestedIpChanged: {
    code: 'requestedIpChanged',
    description: 'The Service now requests different addresses than it holds.',
  },
  requestedPoolChanged: {
    code: 'requestedPoolChanged',
    description: 'The Service now requests a different pool than its addresses come from.',
  },
  poolExhausted: {
    code: 'poolExhausted',
    description: 'No free (or shareable) address of the needed family is left in the pools tried.',
  },
  noPoolForService: {
    code: 'noPoolForService',
    description:
      'No pool may serve this Service automatically (none with autoAssign, a matching serviceAllocation and the needed family).',
  },
  dualStackUnavailable: {
    code: 'dualStackUnavailable',
    description:
      'The Service requires dual-stack (RequireDualStack) but no single pool can give it one address of each family.',
  },
  classNotServed: {
    code: 'classNotServed',
    description: "The Service's spec.loadBalancerClass is not the class this ironlb serves.",
  },
});

export type AllocationReason = keyof typeof AllocationReasons;

/** A "no" from the allocator: a stable reason code and a sentence saying what to fix. */
export interface Refusal {
  readonly reason: AllocationReason;
  readonly message: string;
}

export function refusal(reason: AllocationReason, message: string): Refusal {
  return { reason, message };
}

/** Errors the allocator throws: only for inputs the config layer must never let through. */
export const IpamErrors = defineCatalogue('ipam', {
  IRONLB_ERR_IPAM_INVALID_POOLS: {
    code: 'IRONLB_ERR_IPAM_INVALID_POOLS',
    description:
      'The allocator was given pools with duplicate names or overlapping ranges (the config parse rejects these first).',
  },
});
