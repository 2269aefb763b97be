/**
 * Leader election on a coordination.k8s.io/v1 Lease, the decision part (pure).
 *
 * As in client-go, a candidate never trusts the other replicas' clocks: a
 * lease held by someone else counts as expired only when its record has not
 * changed for a full lease duration *as observed locally*.
 */

export interface LeaseRecord {
  readonly holderIdentity: string | undefined;
  readonly leaseDurationSeconds: number;
  /** Changes whenever the holder renews; any change restarts the local observation clock. */
  readonly renewTime: string | undefined;
  readonly leaseTransitions: number;
  readonly resourceVersion: string;
}

export type LeaseDecision =
  | { readonly action: 'create' }
  | { readonly action: 'renew' }
  | { readonly action: 'takeOver'; readonly previousHolder: string | undefined }
  | { readonly action: 'wait'; readonly holder: string; readonly reason: string };

export interface LeaseObservation {
  readonly record: LeaseRecord;
  /** Local monotonic time when this record (holder + renewTime) was first seen. */
  readonly observedAt: number;
}

export function decideLease(input: {
  readonly identity: string;
  readonly lease: LeaseObservation | undefined;
  readonly now: number;
}): LeaseDecision {
  const { identity, lease, now } = input;
  if (lease === undefined) return { action: 'create' };
  const holder = lease.record.holderIdentity;
  if (holder === identity) return { action: 'renew' };
  if (holder === undefined || holder === '')
    return { action: 'takeOver', previousHolder: undefined };
  const expiresAt = lease.observedAt + lease.record.leaseDurationSeconds * 1000;
  if (now >= expiresAt) return { action: 'takeOver', previousHolder: holder };
  return {
    action: 'wait',
    holder,
    reason: `lease held by ${holder}; expires in ${Math.ceil((expiresAt - now) / 1000)} s unless renewed`,
  };
}

/** Whether a new observation differs from the previous one (so the expiry clock restarts). */
export function leaseRecordChanged(previous: LeaseRecord | undefined, next: LeaseRecord): boolean {
  return (
    previous === undefined ||
    previous.holderIdentity !== next.holderIdentity ||
    previous.renewTime !== next.renewTime ||
    previous.resourceVersion !== next.resourceVersion
  );
}
