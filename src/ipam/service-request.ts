import type { Labels } from '../common/label-selector.ts';
import type { Address, IpFamily } from './address.ts';
import { formatAddress, parseAddress } from './address.ts';
import type { Refusal } from './errors.ts';
import { refusal } from './errors.ts';

export type IpFamilyPolicy = 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';
export type ExternalTrafficPolicy = 'Cluster' | 'Local';

export interface ServicePort {
  /** TCP, UDP or SCTP, as in the Service spec. */
  readonly protocol: string;
  readonly port: number;
}

/**
 * What the allocator needs to know about one Service of type LoadBalancer.
 * The controller builds it from the Service, its namespace and
 * `readAllocationRequest` (which owns the annotation names and their checks).
 */
export interface ServiceRequest {
  /** "namespace/name": the identity assignments are recorded under. */
  readonly key: string;
  readonly namespace: string;
  readonly labels: Labels;
  readonly namespaceLabels: Labels;
  /** Addresses asked for, at most one per family; empty for "any". */
  readonly requestedIPs: readonly Address[];
  readonly requestedPool?: string | undefined;
  /** The allow-shared-ip key; Services without one never share an address. */
  readonly sharingKey?: string | undefined;
  readonly ports: readonly ServicePort[];
  readonly externalTrafficPolicy: ExternalTrafficPolicy;
  /** spec.selector: the pods behind the Service. */
  readonly selector: Labels;
  /** spec.ipFamilies in order of preference; empty means [IPv4]. */
  readonly ipFamilies: readonly IpFamily[];
  readonly ipFamilyPolicy: IpFamilyPolicy;
  readonly loadBalancerClass?: string | undefined;
}

/**
 * The annotations ironlb reads, newest prefix first. MetalLB's current and
 * legacy prefixes are honoured so Services move over unchanged.
 */
export const ServiceAnnotations = {
  loadBalancerIPs: [
    'ironlb.dev/loadBalancerIPs',
    'metallb.io/loadBalancerIPs',
    'metallb.universe.tf/loadBalancerIPs',
  ],
  addressPool: [
    'ironlb.dev/address-pool',
    'metallb.io/address-pool',
    'metallb.universe.tf/address-pool',
  ],
  allowSharedIp: [
    'ironlb.dev/allow-shared-ip',
    'metallb.io/allow-shared-ip',
    'metallb.universe.tf/allow-shared-ip',
  ],
  /** Written by the controller: the pool a Service's addresses came from. */
  ipAllocatedFromPool: 'ironlb.dev/ip-allocated-from-pool',
} as const;

/** The allocation-related part of a Service's annotations and spec. */
export interface AllocationRequest {
  readonly requestedIPs: readonly Address[];
  readonly requestedPool: string | undefined;
  readonly sharingKey: string | undefined;
}

export type RequestResult =
  | { readonly ok: true; readonly value: AllocationRequest }
  | { readonly ok: false; readonly refusal: Refusal };

/** The one non-empty value among several annotation spellings, or a refusal if they disagree. */
function singleAnnotation(
  annotations: Labels,
  names: readonly string[],
  same: (a: string, b: string) => boolean,
): { ok: true; name?: string; value?: string } | { ok: false; refusal: Refusal } {
  let found: { name: string; value: string } | undefined;
  for (const name of names) {
    if (!Object.hasOwn(annotations, name)) continue;
    const value = (annotations[name] ?? '').trim();
    if (value === '') continue;
    if (found !== undefined && !same(found.value, value)) {
      return {
        ok: false,
        refusal: refusal(
          'conflictingRequests',
          `annotations ${found.name}="${found.value}" and ${name}="${value}" disagree; keep one`,
        ),
      };
    }
    found ??= { name, value };
  }
  return found === undefined ? { ok: true } : { ok: true, ...found };
}

function parseAddressList(
  text: string,
  source: string,
): { ok: true; value: Address[] } | { ok: false; refusal: Refusal } {
  const addresses: Address[] = [];
  for (const item of text.split(',')) {
    const parsed = parseAddress(item);
    if (!parsed.ok) {
      return { ok: false, refusal: refusal('invalidRequest', `${source}: ${parsed.reason}`) };
    }
    const clash = addresses.find((a) => a.family === parsed.value.family);
    if (clash !== undefined) {
      return {
        ok: false,
        refusal: refusal(
          'invalidRequest',
          `${source}: at most one address per family, got ${formatAddress(clash.family, clash.value)} and ${item.trim()}`,
        ),
      };
    }
    addresses.push(parsed.value);
  }
  return { ok: true, value: addresses };
}

function sameAddressList(a: string, b: string): boolean {
  const left = parseAddressList(a, '');
  const right = parseAddressList(b, '');
  if (!left.ok || !right.ok) return a === b;
  return (
    left.value.length === right.value.length &&
    left.value.every((x) => right.value.some((y) => x.family === y.family && x.value === y.value))
  );
}

/**
 * Reads the requested addresses, pool and sharing key from a Service's
 * annotations and `spec.loadBalancerIP`. Asking for addresses both by
 * annotation and by spec is refused, as MetalLB does; so are annotation
 * prefixes that disagree.
 */
export function readAllocationRequest(
  annotations: Labels | undefined,
  loadBalancerIP: string | undefined,
): RequestResult {
  const all = annotations ?? {};
  const ips = singleAnnotation(all, ServiceAnnotations.loadBalancerIPs, sameAddressList);
  if (!ips.ok) return ips;
  const pool = singleAnnotation(all, ServiceAnnotations.addressPool, (a, b) => a === b);
  if (!pool.ok) return pool;
  const sharing = singleAnnotation(all, ServiceAnnotations.allowSharedIp, (a, b) => a === b);
  if (!sharing.ok) return sharing;

  const specIp = (loadBalancerIP ?? '').trim();
  let requestedIPs: Address[] = [];
  if (ips.value !== undefined && specIp !== '') {
    return {
      ok: false,
      refusal: refusal(
        'conflictingRequests',
        `both ${ips.name ?? 'the loadBalancerIPs annotation'} and spec.loadBalancerIP are set; use only the annotation`,
      ),
    };
  }
  if (ips.value !== undefined) {
    const parsed = parseAddressList(ips.value, `annotation ${ips.name ?? ''}`);
    if (!parsed.ok) return parsed;
    requestedIPs = parsed.value;
  } else if (specIp !== '') {
    const parsed = parseAddress(specIp);
    if (!parsed.ok) {
      return {
        ok: false,
        refusal: refusal('invalidRequest', `spec.loadBalancerIP: ${parsed.reason}`),
      };
    }
    requestedIPs = [parsed.value];
  }
  return {
    ok: true,
    value: { requestedIPs, requestedPool: pool.value, sharingKey: sharing.value },
  };
}

export type ClassDecision =
  { readonly served: true } | { readonly served: false; readonly refusal: Refusal };

/**
 * Whether this ironlb handles the Service. Without a configured class, only
 * Services without `spec.loadBalancerClass` are served (a class means another
 * implementation owns it); with one, exactly the Services of that class.
 */
export function servesClass(
  service: Pick<ServiceRequest, 'loadBalancerClass'>,
  configuredClass: string | undefined,
): ClassDecision {
  const serviceClass = service.loadBalancerClass === '' ? undefined : service.loadBalancerClass;
  const ours = configuredClass === '' ? undefined : configuredClass;
  if (serviceClass === ours) return { served: true };
  if (ours === undefined) {
    return {
      served: false,
      refusal: refusal(
        'classNotServed',
        `spec.loadBalancerClass is ${serviceClass}; this ironlb serves only Services without a class`,
      ),
    };
  }
  return {
    served: false,
    refusal: refusal(
      'classNotServed',
      serviceClass === undefined
        ? `the Service has no spec.loadBalancerClass; this ironlb serves only class ${ours}`
        : `spec.loadBalancerClass is ${serviceClass}; this ironlb serves only class ${ours}`,
    ),
  };
}

/** The families a Service wants, in preference order, and whether it needs all of them. */
export interface FamilyWish {
  readonly families: readonly IpFamily[];
  /** 'all': SingleStack or RequireDualStack; 'any': PreferDualStack is content with one. */
  readonly need: 'all' | 'any';
}

// The handful of possible wishes, shared: one per Service would be garbage on the hot path.
const wishes = {
  single4: { families: [4], need: 'all' },
  single6: { families: [6], need: 'all' },
  require46: { families: [4, 6], need: 'all' },
  require64: { families: [6, 4], need: 'all' },
  prefer46: { families: [4, 6], need: 'any' },
  prefer64: { families: [6, 4], need: 'any' },
  prefer4: { families: [4], need: 'any' },
  prefer6: { families: [6], need: 'any' },
} as const satisfies Record<string, FamilyWish>;

export function familyWish(
  service: Pick<ServiceRequest, 'ipFamilies' | 'ipFamilyPolicy'>,
): FamilyWish {
  const primary = service.ipFamilies[0] ?? 4;
  const secondary = service.ipFamilies.find((f) => f !== primary);
  switch (service.ipFamilyPolicy) {
    case 'SingleStack':
      return primary === 4 ? wishes.single4 : wishes.single6;
    case 'RequireDualStack':
      return primary === 4 ? wishes.require46 : wishes.require64;
    case 'PreferDualStack':
      // Kubernetes lists one family here on a single-stack cluster: then one is all it wants.
      if (secondary !== undefined || service.ipFamilies.length === 0) {
        return primary === 4 ? wishes.prefer46 : wishes.prefer64;
      }
      return primary === 4 ? wishes.prefer4 : wishes.prefer6;
  }
}

/**
 * What must be equal for Services to share an address besides the sharing
 * key: with externalTrafficPolicy Local traffic only goes to nodes with local
 * endpoints, so every Service on the address must be Local with the same pods.
 */
export function backendKey(
  service: Pick<ServiceRequest, 'externalTrafficPolicy' | 'selector'>,
): string {
  if (service.externalTrafficPolicy !== 'Local') return 'Cluster';
  const pairs = Object.entries(service.selector)
    .map(([k, v]) => `${k}=${v}`)
    .sort();
  return `Local:${pairs.join(',')}`;
}

/** "TCP/80": how a port appears in messages. */
export function portKey(port: ServicePort): string {
  return `${port.protocol}/${port.port}`;
}
