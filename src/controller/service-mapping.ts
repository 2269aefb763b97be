/**
 * Kubernetes objects → allocator inputs, purely: which Services the
 * controller serves, the ServiceRequest of one, the addresses its status
 * records, and config pools as allocator pools.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { LabelSelector as ConfigSelector, Pool as ConfigPool } from '../config/index.ts';
import type { LabelSelector as IpamSelector, Labels } from '../common/label-selector.ts';
import type { Address, IpFamily } from '../ipam/address.ts';
import { formatAddress, parseAddress } from '../ipam/address.ts';
import type { Refusal } from '../ipam/errors.ts';
import type { Pool } from '../ipam/pool.ts';
import type {
  ExternalTrafficPolicy,
  IpFamilyPolicy,
  ServicePort,
  ServiceRequest,
} from '../ipam/service-request.ts';
import { readAllocationRequest, servesClass } from '../ipam/service-request.ts';

/** A Service as plain JSON (what ResourceWatch delivers); only the fields read here. */
export interface ServiceObject extends KubernetesObject {
  spec?: {
    type?: string;
    loadBalancerClass?: string;
    loadBalancerIP?: string;
    ports?: Array<{ protocol?: string; port?: number }>;
    selector?: Record<string, string>;
    externalTrafficPolicy?: string;
    ipFamilies?: string[];
    ipFamilyPolicy?: string;
  };
  status?: {
    loadBalancer?: {
      ingress?: Array<{ ip?: string; hostname?: string; ipMode?: string }>;
    };
  };
}

/** What the controller does with one Service. */
export type ServiceIntent =
  /** Another load balancer owns it (a class this controller does not serve): leave it alone. */
  | { readonly kind: 'notOurs'; readonly refusal: Refusal }
  /** Not (or no longer) type LoadBalancer: it must hold no addresses. */
  | { readonly kind: 'notLoadBalancer' }
  /** Ours, but its annotations or spec.loadBalancerIP are unusable. */
  | { readonly kind: 'invalid'; readonly refusal: Refusal }
  | { readonly kind: 'allocate'; readonly request: ServiceRequest };

/** "namespace/name": the key of the work queue and of allocator assignments. */
export function serviceKey(service: KubernetesObject): string {
  return `${service.metadata?.namespace ?? ''}/${service.metadata?.name ?? ''}`;
}

export function isLoadBalancer(service: ServiceObject): boolean {
  return service.spec?.type === 'LoadBalancer';
}

function ipFamilies(values: readonly string[] | undefined): IpFamily[] {
  const families: IpFamily[] = [];
  for (const value of values ?? []) {
    const family = value === 'IPv4' ? 4 : value === 'IPv6' ? 6 : undefined;
    if (family !== undefined && !families.includes(family)) families.push(family);
  }
  return families;
}

function ipFamilyPolicy(value: string | undefined): IpFamilyPolicy {
  return value === 'PreferDualStack' || value === 'RequireDualStack' ? value : 'SingleStack';
}

function ports(service: ServiceObject): ServicePort[] {
  return (service.spec?.ports ?? []).map((port) => ({
    protocol: port.protocol ?? 'TCP',
    port: port.port ?? 0,
  }));
}

/**
 * Decides what to do with a Service. `configuredClass` is the `--lb-class`
 * flag: without it, Services with any loadBalancerClass are not ours.
 */
export function serviceIntent(
  service: ServiceObject,
  namespaceLabels: Labels,
  configuredClass: string | undefined,
): ServiceIntent {
  if (!isLoadBalancer(service)) return { kind: 'notLoadBalancer' };
  const spec = service.spec ?? {};
  const loadBalancerClass = spec.loadBalancerClass;
  const classDecision = servesClass({ loadBalancerClass }, configuredClass);
  if (!classDecision.served) return { kind: 'notOurs', refusal: classDecision.refusal };
  const metadata = service.metadata ?? {};
  const read = readAllocationRequest(metadata.annotations, spec.loadBalancerIP);
  if (!read.ok) return { kind: 'invalid', refusal: read.refusal };
  const externalTrafficPolicy: ExternalTrafficPolicy =
    spec.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster';
  return {
    kind: 'allocate',
    request: {
      key: serviceKey(service),
      namespace: metadata.namespace ?? '',
      labels: metadata.labels ?? {},
      namespaceLabels,
      requestedIPs: read.value.requestedIPs,
      requestedPool: read.value.requestedPool,
      sharingKey: read.value.sharingKey,
      ports: ports(service),
      externalTrafficPolicy,
      selector: spec.selector ?? {},
      ipFamilies: ipFamilies(spec.ipFamilies),
      ipFamilyPolicy: ipFamilyPolicy(spec.ipFamilyPolicy),
      loadBalancerClass,
    },
  };
}

/**
 * The addresses the Service's status records (status.loadBalancer.ingress
 * `ip` fields), parsed; hostnames and unparsable entries are skipped.
 */
export function ingressAddresses(service: ServiceObject): Address[] {
  const addresses: Address[] = [];
  for (const entry of service.status?.loadBalancer?.ingress ?? []) {
    if (entry.ip === undefined) continue;
    const parsed = parseAddress(entry.ip);
    if (parsed.ok) addresses.push(parsed.value);
  }
  return addresses;
}

/**
 * The ingress as a comparable list of canonical address texts, in status
 * order; hostname entries count as "hostname:<name>" so they differ from any
 * address list ironlb writes.
 */
export function ingressTexts(service: ServiceObject): string[] {
  return (service.status?.loadBalancer?.ingress ?? []).map((entry) => {
    if (entry.ip === undefined) return `hostname:${entry.hostname ?? ''}`;
    const parsed = parseAddress(entry.ip);
    return parsed.ok ? formatAddress(parsed.value.family, parsed.value.value) : entry.ip;
  });
}

export function addressTexts(addresses: readonly Address[]): string[] {
  return addresses.map((a) => formatAddress(a.family, a.value));
}

/** The config's canonical selector as the metav1 shape the allocator evaluates. */
export function toIpamSelector(selector: ConfigSelector): IpamSelector {
  return {
    matchExpressions: selector.requirements.map((r) => ({
      key: r.key,
      operator: r.operator,
      values: [...r.values],
    })),
  };
}

/**
 * A parsed IPAddressPool as an allocator pool. Pools are named by their
 * name alone: the controller reads the pools of its own namespace only, and
 * the address-pool annotation names a pool that way.
 */
export function toIpamPool(pool: ConfigPool): Pool {
  const allocation = pool.serviceAllocation;
  return {
    name: pool.name,
    ranges: pool.ranges.map((r) => ({ family: r.family, first: r.first, last: r.last })),
    autoAssign: pool.autoAssign,
    avoidBuggyIPs: pool.avoidBuggyIPs,
    serviceAllocation:
      allocation === undefined
        ? undefined
        : {
            priority: allocation.priority,
            namespaces: allocation.namespaces,
            namespaceSelectors: allocation.namespaceSelectors.map(toIpamSelector),
            serviceSelectors: allocation.serviceSelectors.map(toIpamSelector),
          },
  };
}

/** A text that is equal for pool sets the allocator would treat the same (to skip no-op edits). */
export function poolSetFingerprint(pools: readonly Pool[]): string {
  return JSON.stringify(
    [...pools].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value),
  );
}
