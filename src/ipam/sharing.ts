import type { Address } from './address.ts';
import { formatAddress } from './address.ts';
import type { Refusal } from './errors.ts';
import { refusal } from './errors.ts';
import type { ServicePort, ServiceRequest } from './service-request.ts';
import { backendKey, portKey } from './service-request.ts';

/** How one Service uses an address, as far as sharing is concerned. */
export interface Holder {
  /** The Service's key ("namespace/name"). */
  readonly key: string;
  readonly sharingKey: string | undefined;
  readonly backend: string;
  /** The Service's own array, not copied: one fewer object per Service on the hot path. */
  readonly ports: readonly ServicePort[];
}

export function holderFor(
  service: Pick<
    ServiceRequest,
    'key' | 'sharingKey' | 'externalTrafficPolicy' | 'selector' | 'ports'
  >,
): Holder {
  return {
    key: service.key,
    sharingKey: service.sharingKey === '' ? undefined : service.sharingKey,
    backend: backendKey(service),
    ports: service.ports,
  };
}

function describeBackend(backend: string): string {
  if (backend === 'Cluster') return 'externalTrafficPolicy Cluster';
  const selector = backend.slice('Local:'.length);
  return `externalTrafficPolicy Local with selector {${selector}}`;
}

/**
 * Whether `candidate` may use an address the `holders` already
 * use; undefined means yes. MetalLB's rules: every Service sets the same
 * allow-shared-ip key, no protocol/port pair is used twice, and under
 * externalTrafficPolicy Local all of them are Local with the same selector.
 * The candidate's own earlier entry is ignored, so a Service may change its
 * own ports or key while it is alone on the address.
 */
export function sharingRefusal(
  target: Address,
  holders: readonly Holder[],
  candidate: Holder,
): Refusal | undefined {
  // Formatted only on the way to a refusal: this runs on the allocation hot path.
  const text = (): string => formatAddress(target.family, target.value);
  for (const other of holders) {
    const otherKey = other.key;
    if (otherKey === candidate.key) continue;
    if (candidate.sharingKey === undefined) {
      return refusal(
        'ipInUse',
        `${text()} is in use by ${otherKey}; to share it, give both Services the same allow-shared-ip key`,
      );
    }
    if (other.sharingKey === undefined) {
      return refusal(
        'ipInUse',
        `${text()} is in use by ${otherKey}, which does not allow sharing (no allow-shared-ip key)`,
      );
    }
    if (other.sharingKey !== candidate.sharingKey) {
      return refusal(
        'sharingKeyMismatch',
        `${text()} is shared under key "${other.sharingKey}" (${otherKey}), not "${candidate.sharingKey}"`,
      );
    }
    if (other.backend !== candidate.backend) {
      return refusal(
        'sharingConflictSelector',
        `${text()} is used by ${otherKey} with ${describeBackend(other.backend)}, this Service has ${describeBackend(candidate.backend)}; under Local both must be Local with the same selector`,
      );
    }
    const clash = candidate.ports.filter((port) => usesPort(other.ports, port));
    if (clash.length > 0) {
      return refusal(
        'sharingConflictPorts',
        `${text()}: ${clash.map(portKey).join(', ')} already used by ${otherKey}`,
      );
    }
  }
  return undefined;
}

/** `sharingRefusal(...) === undefined` without building messages: for scanning candidates. */
export function mayShare(holders: readonly Holder[], candidate: Holder): boolean {
  for (const other of holders) {
    if (other.key === candidate.key) continue;
    if (
      candidate.sharingKey === undefined ||
      other.sharingKey !== candidate.sharingKey ||
      other.backend !== candidate.backend ||
      candidate.ports.some((port) => usesPort(other.ports, port))
    ) {
      return false;
    }
  }
  return true;
}

/** Kubernetes validates protocols to upper case (TCP, UDP, SCTP); compared as written. */
function usesPort(ports: readonly ServicePort[], port: ServicePort): boolean {
  return ports.some((p) => p.port === port.port && p.protocol === port.protocol);
}
