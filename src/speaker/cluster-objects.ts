import type { V1EndpointSlice, V1Node, V1Service } from '@kubernetes/client-node';
import type { Labels } from '../config/index.ts';
import { SERVICE_NAME_LABEL } from './announcement-reasons.ts';

/**
 * The parts of Nodes, Services and EndpointSlices the announcement decision
 * reads, taken out of the API objects once. The readers accept the official
 * client's model objects and the plain JSON a watch cache holds alike, and
 * never throw on missing fields.
 */

export interface NodeConditionInfo {
  /** "True", "False" or "Unknown". */
  readonly status: string;
  readonly reason: string | undefined;
  readonly message: string | undefined;
}

export interface NodeInfo {
  readonly name: string;
  readonly labels: Labels;
  /** The Ready condition; undefined when the kubelet has not reported it. */
  readonly ready: NodeConditionInfo | undefined;
  /** The NetworkUnavailable condition (set by network plugins and cloud route controllers). */
  readonly networkUnavailable: NodeConditionInfo | undefined;
}

export type TrafficPolicy = 'Cluster' | 'Local';

export interface ServiceInfo {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  /** spec.type; Kubernetes' default is ClusterIP. */
  readonly type: string;
  readonly externalTrafficPolicy: TrafficPolicy;
  readonly loadBalancerClass: string | undefined;
  /** status.loadBalancer.ingress[].ip, in order, as written (hostname-only entries skipped). */
  readonly ingressIPs: readonly string[];
}

export interface EndpointInfo {
  readonly addresses: readonly string[];
  readonly nodeName: string | undefined;
  readonly ready: boolean | undefined;
  readonly serving: boolean | undefined;
  readonly terminating: boolean | undefined;
}

export interface EndpointSliceInfo {
  readonly namespace: string;
  readonly name: string;
  /** The kubernetes.io/service-name label; undefined for slices that belong to no Service. */
  readonly serviceName: string | undefined;
  readonly endpoints: readonly EndpointInfo[];
}

/** "namespace/name": how Services are keyed everywhere in the speaker. */
export function serviceKey(service: { namespace: string; name: string }): string {
  return `${service.namespace}/${service.name}`;
}

function stringRecord(value: unknown): Labels {
  if (value === null || typeof value !== 'object') return {};
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'string') out[key] = item;
  }
  return out;
}

function condition(node: V1Node, type: string): NodeConditionInfo | undefined {
  const found = (node.status?.conditions ?? []).find((c) => c.type === type);
  if (found === undefined) return undefined;
  return { status: String(found.status), reason: found.reason, message: found.message };
}

export function nodeInfo(node: V1Node): NodeInfo {
  return {
    name: node.metadata?.name ?? '',
    labels: stringRecord(node.metadata?.labels),
    ready: condition(node, 'Ready'),
    networkUnavailable: condition(node, 'NetworkUnavailable'),
  };
}

export function serviceInfo(service: V1Service): ServiceInfo {
  const ingress = service.status?.loadBalancer?.ingress ?? [];
  const loadBalancerClass = service.spec?.loadBalancerClass;
  return {
    namespace: service.metadata?.namespace ?? 'default',
    name: service.metadata?.name ?? '',
    labels: stringRecord(service.metadata?.labels),
    type: service.spec?.type ?? 'ClusterIP',
    externalTrafficPolicy: service.spec?.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster',
    loadBalancerClass:
      typeof loadBalancerClass === 'string' && loadBalancerClass !== ''
        ? loadBalancerClass
        : undefined,
    ingressIPs: ingress.flatMap((entry) =>
      typeof entry.ip === 'string' && entry.ip !== '' ? [entry.ip] : [],
    ),
  };
}

function optionalBoolean(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

export function endpointSliceInfo(slice: V1EndpointSlice): EndpointSliceInfo {
  const labels = stringRecord(slice.metadata?.labels);
  return {
    namespace: slice.metadata?.namespace ?? 'default',
    name: slice.metadata?.name ?? '',
    serviceName: Object.hasOwn(labels, SERVICE_NAME_LABEL) ? labels[SERVICE_NAME_LABEL] : undefined,
    endpoints: (slice.endpoints ?? []).map((endpoint) => ({
      addresses: (endpoint.addresses ?? []).filter((a) => typeof a === 'string'),
      nodeName:
        typeof endpoint.nodeName === 'string' && endpoint.nodeName !== ''
          ? endpoint.nodeName
          : undefined,
      ready: optionalBoolean(endpoint.conditions?.ready),
      serving: optionalBoolean(endpoint.conditions?.serving),
      terminating: optionalBoolean(endpoint.conditions?.terminating),
    })),
  };
}

/**
 * Whether an endpoint takes traffic: `serving` (true also while terminating,
 * so a rolling update does not blackhole the node), else `ready`, else true
 * (the API says consumers should read an unknown state as ready).
 */
export function endpointServes(endpoint: EndpointInfo): boolean {
  return endpoint.serving ?? endpoint.ready ?? true;
}

/** The endpoints of every Service, keyed by serviceKey, from all of its slices. */
export function endpointsByService(
  slices: readonly EndpointSliceInfo[],
): Map<string, EndpointInfo[]> {
  const byService = new Map<string, EndpointInfo[]>();
  for (const slice of slices) {
    if (slice.serviceName === undefined) continue;
    const key = serviceKey({ namespace: slice.namespace, name: slice.serviceName });
    const list = byService.get(key);
    if (list === undefined) byService.set(key, [...slice.endpoints]);
    else list.push(...slice.endpoints);
  }
  return byService;
}
