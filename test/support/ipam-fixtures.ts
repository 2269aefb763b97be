/**
 * Builders for allocator tests: Services and pools written with text
 * addresses, so tables read like the YAML an operator would write.
 */
import type { Address, AddressRange } from '../../src/ipam/address.ts';
import { formatAddress, parseAddress, parseAddressRange } from '../../src/ipam/address.ts';
import type { Assignment } from '../../src/ipam/allocator.ts';
import type { Pool } from '../../src/ipam/pool.ts';
import type { ServiceRequest } from '../../src/ipam/service-request.ts';

export function address(text: string): Address {
  const parsed = parseAddress(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

export function range(text: string): AddressRange {
  const parsed = parseAddressRange(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

/** A pool from text ranges: pool('a', ['192.0.2.0/30'], { autoAssign: false }). */
export function pool(
  name: string,
  ranges: string[],
  options: Omit<Pool, 'name' | 'ranges'> = {},
): Pool {
  return { name, ranges: ranges.map(range), ...options };
}

export type ServiceOverrides = Partial<Omit<ServiceRequest, 'requestedIPs'>> & {
  requestedIPs?: string[];
};

/** A SingleStack IPv4 Cluster Service "default/<name>" on TCP/80, unless overridden. */
export function service(name: string, overrides: ServiceOverrides = {}): ServiceRequest {
  const { requestedIPs = [], ...rest } = overrides;
  const namespace = rest.namespace ?? 'default';
  return {
    key: `${namespace}/${name}`,
    namespace,
    labels: {},
    namespaceLabels: {},
    ports: [{ protocol: 'TCP', port: 80 }],
    externalTrafficPolicy: 'Cluster',
    selector: { app: name },
    ipFamilies: [4],
    ipFamilyPolicy: 'SingleStack',
    ...rest,
    requestedIPs: requestedIPs.map(address),
  };
}

export function texts(addresses: readonly Address[] | undefined): string[] {
  return (addresses ?? []).map((a) => formatAddress(a.family, a.value));
}

export function assignmentTexts(assignment: Assignment | undefined): string[] {
  return texts(assignment?.addresses);
}

/** A clock tests move by hand. */
export class ManualClock {
  #now = 0;
  readonly now = (): number => this.#now;
  advance(ms: number): void {
    this.#now += ms;
  }
}
