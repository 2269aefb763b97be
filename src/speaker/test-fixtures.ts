/** Builders for the speaker tests: configurations, nodes, Services, endpoints. */
import { parseConfigOrThrow, type IronlbConfig } from '../config/index.ts';
import { advertisement, NS, peer, pool } from '../config/test-fixtures.ts';
import type {
  EndpointInfo,
  EndpointSliceInfo,
  NodeConditionInfo,
  NodeInfo,
  ServiceInfo,
} from './cluster-objects.ts';

export { advertisement, NS, peer, pool };

/** The loopback session of the reference data center: speaker AS 64698, BIRD AS 64699 (eBGP). */
export const bird = { myASN: 64698, peerASN: 64699, peerAddress: '127.0.0.1' };
/** An iBGP session (same AS on both sides). */
export const ibgpPeer = { myASN: 64698, peerASN: 64698, peerAddress: '127.0.0.2' };

/** Config objects → normalised configuration (throws when invalid, so tests notice). */
export function config(objects: {
  pools?: unknown[];
  peers?: unknown[];
  advertisements?: unknown[];
  communities?: unknown[];
}): IronlbConfig {
  return parseConfigOrThrow({
    ipAddressPools: objects.pools ?? [],
    bgpPeers: objects.peers ?? [],
    bgpAdvertisements: objects.advertisements ?? [],
    communities: objects.communities ?? [],
  });
}

/** One dual-stack pool, the BIRD peer, one advertisement for everything. */
export function baseConfig(): IronlbConfig {
  return config({
    pools: [pool('default', { addresses: ['10.0.0.0/24', '2001:db8::/64'] })],
    peers: [peer('bird', bird)],
    advertisements: [advertisement('all', {})],
  });
}

const readyTrue: NodeConditionInfo = { status: 'True', reason: 'KubeletReady', message: undefined };

export function node(
  name: string,
  options: {
    labels?: Record<string, string>;
    ready?: NodeConditionInfo | undefined;
    networkUnavailable?: NodeConditionInfo | undefined;
  } = {},
): NodeInfo {
  return {
    name,
    labels: options.labels ?? {},
    ready: 'ready' in options ? options.ready : readyTrue,
    networkUnavailable: options.networkUnavailable,
  };
}

export function condition(status: string, reason?: string, message?: string): NodeConditionInfo {
  return { status, reason, message };
}

export function service(
  name: string,
  options: Partial<Omit<ServiceInfo, 'name'>> = {},
): ServiceInfo {
  return {
    namespace: options.namespace ?? 'default',
    name,
    labels: options.labels ?? {},
    type: options.type ?? 'LoadBalancer',
    externalTrafficPolicy: options.externalTrafficPolicy ?? 'Cluster',
    loadBalancerClass: options.loadBalancerClass,
    ingressIPs: options.ingressIPs ?? ['10.0.0.1'],
  };
}

export function endpoint(
  nodeName: string | undefined,
  conditions: { ready?: boolean; serving?: boolean; terminating?: boolean } = {
    ready: true,
    serving: true,
  },
  addresses: string[] = ['192.168.0.10'],
): EndpointInfo {
  return {
    addresses,
    nodeName,
    ready: conditions.ready,
    serving: conditions.serving,
    terminating: conditions.terminating,
  };
}

export function slice(
  serviceName: string | undefined,
  endpoints: EndpointInfo[],
  options: { namespace?: string; name?: string } = {},
): EndpointSliceInfo {
  return {
    namespace: options.namespace ?? 'default',
    name: options.name ?? `${serviceName ?? 'orphan'}-abcde`,
    serviceName,
    endpoints,
  };
}
