/**
 * What to write for one Service, decided purely from what the allocator said
 * and what the Service shows now. Level-based: a write happens only when the
 * Service's status or annotation differs from the desired state, and the
 * event that explains a change goes with the write that makes it, so a
 * re-run (a retry, a restart, the echo of our own write) writes nothing.
 */
import type { RecordedEvent } from '../k8s/event-recorder.ts';
import type { AllocationOutcome, Assignment } from '../ipam/allocator.ts';
import type { Refusal } from '../ipam/errors.ts';
import { ServiceAnnotations } from '../ipam/service-request.ts';
import { addressTexts } from './service-mapping.ts';

/** The part of a Service the controller writes, as it is now. */
export interface ServiceState {
  /** Canonical address texts of status.loadBalancer.ingress, in order. */
  readonly ingress: readonly string[];
  /** The ironlb.dev/ip-allocated-from-pool annotation, if set. */
  readonly pool: string | undefined;
}

/** What the controller decided for the Service. */
export type ServiceOutcome =
  /** It holds (or just got) these addresses. */
  | {
      readonly kind: 'assigned';
      readonly assignment: Assignment;
      /** What it held before when the allocator moved it, and why. */
      readonly previous?: Assignment | undefined;
      readonly because?: Refusal | undefined;
    }
  /** It should have addresses but cannot get any. */
  | { readonly kind: 'failed'; readonly refusal: Refusal }
  /** It is not (or no longer) a LoadBalancer Service of ours: it must hold nothing. */
  | { readonly kind: 'released'; readonly why: string };

export interface ServiceWrites {
  /** New ingress addresses; [] clears; undefined leaves the status alone. */
  readonly ingress: readonly string[] | undefined;
  /** New pool annotation; null removes it; undefined leaves it alone. */
  readonly pool: string | null | undefined;
  /** Sent after the writes succeeded. */
  readonly event: RecordedEvent | undefined;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function list(addresses: readonly string[]): string {
  return addresses.join(', ');
}

/** Turns an allocator outcome into the controller's outcome. */
export function outcomeOf(result: AllocationOutcome): ServiceOutcome {
  if (result.ok) {
    return {
      kind: 'assigned',
      assignment: result.assignment,
      previous: result.previous,
      because: result.because,
    };
  }
  return { kind: 'failed', refusal: result.refusal };
}

/**
 * The writes that bring the Service to the outcome. `lastFailure` is the
 * failure message already reported for this Service (so a Service that
 * keeps failing for the same reason gets one AllocationFailed, not one per
 * re-evaluation).
 */
export function planServiceWrites(
  current: ServiceState,
  outcome: ServiceOutcome,
  lastFailure: string | undefined,
): ServiceWrites {
  switch (outcome.kind) {
    case 'assigned': {
      const desired = addressTexts(outcome.assignment.addresses);
      const pool = outcome.assignment.pool;
      const ingressChanged = !sameList(current.ingress, desired);
      let event: RecordedEvent | undefined;
      if (ingressChanged) {
        const moved =
          outcome.previous !== undefined && outcome.because !== undefined
            ? ` (was ${list(addressTexts(outcome.previous.addresses))}: ${outcome.because.message})`
            : '';
        event = {
          type: 'Normal',
          reason: 'IPAllocated',
          message: `Assigned IP [${list(desired)}] from pool ${pool}${moved}`,
        };
      }
      return {
        ingress: ingressChanged ? desired : undefined,
        pool: current.pool === pool ? undefined : pool,
        event,
      };
    }
    case 'failed': {
      const message = `${outcome.refusal.reason}: ${outcome.refusal.message}`;
      return {
        ingress: current.ingress.length > 0 ? [] : undefined,
        pool: current.pool !== undefined ? null : undefined,
        event:
          lastFailure === message
            ? undefined
            : { type: 'Warning', reason: 'AllocationFailed', message },
      };
    }
    case 'released': {
      const holds = current.ingress.length > 0;
      return {
        ingress: holds ? [] : undefined,
        pool: current.pool !== undefined ? null : undefined,
        event: holds
          ? {
              type: 'Normal',
              reason: 'ClearAssignment',
              message: `Released IP [${list(current.ingress)}]: ${outcome.why}`,
            }
          : undefined,
      };
    }
  }
}

export function writesNeeded(writes: ServiceWrites): boolean {
  return writes.ingress !== undefined || writes.pool !== undefined || writes.event !== undefined;
}

/** The merge patch of the status subresource for new ingress addresses. */
export function ingressPatch(addresses: readonly string[]): object {
  return {
    status: {
      loadBalancer: {
        ingress: addresses.length === 0 ? null : addresses.map((ip) => ({ ip, ipMode: 'VIP' })),
      },
    },
  };
}

/** The merge patch of the Service for the pool annotation. */
export function poolAnnotationPatch(pool: string | null): object {
  return { metadata: { annotations: { [ServiceAnnotations.ipAllocatedFromPool]: pool } } };
}
