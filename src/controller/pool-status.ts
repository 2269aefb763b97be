import type { IPAddressPoolStatus } from '../config/index.ts';
import type { PoolStatus } from '../ipam/allocator.ts';

/** IPAddressPool status from the allocator's counts: decimal strings, so a /64 fits. */
export function poolStatusBody(status: PoolStatus): Required<IPAddressPoolStatus> {
  return {
    assignedIPv4: status.ipv4.assigned.toString(),
    availableIPv4: status.ipv4.available.toString(),
    assignedIPv6: status.ipv6.assigned.toString(),
    availableIPv6: status.ipv6.available.toString(),
  };
}

/** Whether the pool object's status already says this (so nothing is written). */
export function poolStatusCurrent(
  current: Partial<Record<keyof IPAddressPoolStatus, unknown>> | undefined,
  desired: Required<IPAddressPoolStatus>,
): boolean {
  if (current === undefined) return false;
  return (Object.keys(desired) as Array<keyof IPAddressPoolStatus>).every(
    (field) => current[field] === desired[field],
  );
}
