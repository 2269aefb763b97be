import type { Route } from '../bgp/route.ts';
import {
  anySelectorMatches,
  objectRef,
  type Advertisement,
  type IronlbConfig,
} from '../config/index.ts';
import { formatAddress, parseAddress, type IpFamily } from '../ipam/address.ts';
import { servesClass } from '../ipam/service-request.ts';
import type { AnnouncementProblem, AnnouncementReason } from './announcement-reasons.ts';
import {
  endpointsByService,
  endpointServes,
  serviceKey,
  type EndpointInfo,
  type EndpointSliceInfo,
  type NodeInfo,
  type ServiceInfo,
  type TrafficPolicy,
} from './cluster-objects.ts';
import { configIndex, type ConfigIndex } from './config-index.ts';
import { nodeRefusal, type NodeRefusal } from './node-eligibility.ts';
import { sessionsForNode, type PeerSession } from './peer-sessions.ts';
import {
  advertisedPrefix,
  compareText,
  mergeContributions,
  toRoute,
  type PeerRoute,
  type RouteContribution,
} from './route-merge.ts';

/** What one node knows before deciding about any Service. */
export interface NodeContextInput {
  /** This node's name, from the downward API (NODE_NAME), never the hostname. */
  readonly nodeName: string;
  /** This node's Node object; undefined when it does not exist. */
  readonly node: NodeInfo | undefined;
  /** The configuration in force; undefined before the first valid one. */
  readonly config: IronlbConfig | undefined;
  /** The loadBalancerClass this ironlb serves; undefined: Services without a class. */
  readonly loadBalancerClass?: string | undefined;
}

/** Per-node facts shared by every Service's decision (build with nodeContext). */
export interface NodeContext {
  readonly nodeName: string;
  readonly node: NodeInfo | undefined;
  readonly config: IronlbConfig | undefined;
  readonly loadBalancerClass: string | undefined;
  /** The BGP sessions this node opens (peers whose nodeSelectors match it), sorted by ref. */
  readonly sessions: readonly PeerSession[];
  /** duplicatePeerSession problems. */
  readonly sessionProblems: readonly AnnouncementProblem[];
  /** Why the node's own state forbids announcing, if it does. */
  readonly nodeRefusal: NodeRefusal | undefined;
  readonly index: ConfigIndex | undefined;
  readonly sessionByRef: ReadonlyMap<string, PeerSession>;
}

export interface EndpointSummary {
  /** Endpoints listed in the Service's EndpointSlices. */
  readonly total: number;
  /** Of those, serving ones (see endpointServes). */
  readonly serving: number;
  /** Serving endpoints whose nodeName is this node. */
  readonly servingOnNode: number;
  /** The nodes (by nodeName) that host serving endpoints, sorted. */
  readonly servingNodes: readonly string[];
  /** Serving endpoints without a nodeName (no node counts them as local). */
  readonly servingWithoutNode: number;
}

export interface IpDecision {
  /** The address (canonical text when it parses, else as written in the status). */
  readonly ip: string;
  readonly family: IpFamily | undefined;
  readonly announce: boolean;
  readonly reason: AnnouncementReason;
  readonly message: string;
  /** The IPAddressPool ("namespace/name") the address lies in, once known. */
  readonly pool: string | undefined;
  /**
   * The BGPAdvertisements that apply to the address on this node (pool,
   * Service and node selectors match); empty when the decision stopped earlier.
   */
  readonly advertisements: readonly string[];
  /** What each peer gets for this address; non-empty exactly when announce is true. */
  readonly routes: readonly PeerRoute[];
  /** localPrefConflict among the advertisements of this address. */
  readonly problems: readonly AnnouncementProblem[];
}

export interface ServiceDecision {
  readonly namespace: string;
  readonly name: string;
  /** "namespace/name". */
  readonly key: string;
  readonly node: string;
  readonly externalTrafficPolicy: TrafficPolicy;
  /** True when at least one of its addresses is announced from this node. */
  readonly announce: boolean;
  /** `announced`, or the reason of the first address (or of the Service when it has none). */
  readonly reason: AnnouncementReason;
  readonly message: string;
  readonly endpoints: EndpointSummary;
  /** One per distinct address of status.loadBalancer.ingress, in status order. */
  readonly ips: readonly IpDecision[];
}

export interface NodeAnnouncements {
  readonly node: string;
  /** The sessions this node opens, sorted by ref. */
  readonly sessions: readonly PeerSession[];
  /**
   * The routes each session must carry (input of session.setRoutes), keyed by
   * peer ref; every session has an entry, possibly empty. Deduplicated, merged
   * per prefix, sorted.
   */
  readonly routes: ReadonlyMap<string, readonly Route[]>;
  /** Sorted by key. */
  readonly services: readonly ServiceDecision[];
  /** duplicatePeerSession and localPrefConflict problems, for logs and events. */
  readonly problems: readonly AnnouncementProblem[];
}

export function nodeContext(input: NodeContextInput): NodeContext {
  const { nodeName, node, config } = input;
  const { sessions, problems } =
    config === undefined ? { sessions: [], problems: [] } : sessionsForNode(config, nodeName, node);
  return {
    nodeName,
    node,
    config,
    loadBalancerClass: input.loadBalancerClass,
    sessions,
    sessionProblems: problems,
    nodeRefusal: node === undefined ? undefined : nodeRefusal(node),
    index: config === undefined ? undefined : configIndex(config),
    sessionByRef: new Map(sessions.map((session) => [session.ref, session])),
  };
}

export function summariseEndpoints(
  nodeName: string,
  endpoints: readonly EndpointInfo[],
): EndpointSummary {
  let serving = 0;
  let servingOnNode = 0;
  let servingWithoutNode = 0;
  const nodes = new Set<string>();
  for (const endpoint of endpoints) {
    if (!endpointServes(endpoint)) continue;
    serving++;
    if (endpoint.nodeName === undefined) servingWithoutNode++;
    else nodes.add(endpoint.nodeName);
    if (endpoint.nodeName === nodeName) servingOnNode++;
  }
  return {
    total: endpoints.length,
    serving,
    servingOnNode,
    servingNodes: [...nodes].sort(compareText),
    servingWithoutNode,
  };
}

function listNames(names: readonly string[], max = 5): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

/** Why the Service's endpoints keep this node from announcing, if they do. */
function endpointRefusal(
  nodeName: string,
  policy: TrafficPolicy,
  summary: EndpointSummary,
): { reason: AnnouncementReason; message: string } | undefined {
  if (policy === 'Cluster') {
    if (summary.serving > 0) return undefined;
    return {
      reason: 'noEndpoints',
      message:
        summary.total === 0
          ? 'the Service has no endpoints (no EndpointSlice lists any)'
          : `none of the Service's ${summary.total} endpoints is serving`,
    };
  }
  if (summary.servingOnNode > 0) return undefined;
  const where = [
    ...(summary.servingNodes.length > 0 ? [`nodes ${listNames(summary.servingNodes)}`] : []),
    ...(summary.servingWithoutNode > 0 ? [`${summary.servingWithoutNode} without a nodeName`] : []),
  ].join('; ');
  const elsewhere =
    summary.serving === 0
      ? summary.total === 0
        ? 'the Service has no endpoints at all'
        : `none of its ${summary.total} endpoints is serving`
      : `${summary.serving} serving endpoint${summary.serving === 1 ? ' runs' : 's run'} elsewhere (${where})`;
  return {
    reason: 'noLocalEndpoints',
    message: `externalTrafficPolicy is Local and node ${nodeName} hosts no serving endpoint of the Service; ${elsewhere}`,
  };
}

interface IpRefusal {
  readonly reason: AnnouncementReason;
  readonly message: string;
}

function refusedIp(
  ip: string,
  family: IpFamily | undefined,
  refusal: IpRefusal,
  extra: { pool?: string; advertisements?: readonly string[] } = {},
): IpDecision {
  return {
    ip,
    family,
    announce: false,
    reason: refusal.reason,
    message: refusal.message,
    pool: extra.pool,
    advertisements: extra.advertisements ?? [],
    routes: [],
    problems: [],
  };
}

function refs(advertisements: readonly Advertisement[]): string[] {
  return advertisements.map((a) => objectRef(a.namespace, a.name));
}

function decideIp(
  ctx: NodeContext,
  index: ConfigIndex,
  service: ServiceInfo,
  text: string,
  family: IpFamily,
  address: bigint,
  endpointsNo: IpRefusal | undefined,
): IpDecision {
  const ip = text;
  const pool = index.poolOf(family, address);
  if (pool === undefined) {
    return refusedIp(ip, family, {
      reason: 'ipNotInAnyPool',
      message: `${ip} lies in no IPAddressPool; addresses outside the pools are never announced`,
    });
  }
  const poolRef = objectRef(pool.namespace, pool.name);
  const forPool = index.advertisementsOf(pool);
  if (forPool.length === 0) {
    return refusedIp(
      ip,
      family,
      {
        reason: 'noMatchingAdvertisement',
        message: `no BGPAdvertisement in namespace ${pool.namespace} announces IPAddressPool ${poolRef}`,
      },
      { pool: poolRef },
    );
  }
  const forService = forPool.filter((a) => anySelectorMatches(a.serviceSelectors, service.labels));
  if (forService.length === 0) {
    return refusedIp(
      ip,
      family,
      {
        reason: 'serviceNotSelected',
        message: `the serviceSelectors of BGPAdvertisement${forPool.length === 1 ? '' : 's'} ${listNames(refs(forPool))} (announcing IPAddressPool ${poolRef}) do not match the Service's labels`,
      },
      { pool: poolRef },
    );
  }
  const node = ctx.node;
  if (node === undefined) {
    return refusedIp(
      ip,
      family,
      {
        reason: 'nodeNotFound',
        message: `Node ${ctx.nodeName} does not exist; check that the speaker's NODE_NAME comes from the downward API (spec.nodeName) and matches the kubelet's node name`,
      },
      { pool: poolRef },
    );
  }
  const applying = forService.filter((a) => anySelectorMatches(a.nodeSelectors, node.labels));
  if (applying.length === 0) {
    return refusedIp(
      ip,
      family,
      {
        reason: 'nodeNotSelected',
        message: `node ${ctx.nodeName} matches the nodeSelectors of none of the BGPAdvertisements ${listNames(refs(forService))}`,
      },
      { pool: poolRef },
    );
  }
  const applyingRefs = refs(applying);
  const contributions: RouteContribution[] = [];
  const named = new Set<string>();
  for (const advertisement of applying) {
    const prefix = advertisedPrefix(advertisement, family, address);
    for (const peerName of advertisement.peers) {
      const peerRef = objectRef(advertisement.namespace, peerName);
      named.add(peerRef);
      const session = ctx.sessionByRef.get(peerRef);
      if (session !== undefined) contributions.push({ session, prefix, advertisement });
    }
  }
  if (contributions.length === 0) {
    const peers = [...named].sort(compareText);
    return refusedIp(
      ip,
      family,
      {
        reason: 'notSelectedByPeer',
        message:
          peers.length === 0
            ? `BGPAdvertisement${applying.length === 1 ? '' : 's'} ${listNames(applyingRefs)} announce${applying.length === 1 ? 's' : ''} to no BGPPeer (none exists in namespace ${applying[0]!.namespace})`
            : `BGPAdvertisement${applying.length === 1 ? '' : 's'} ${listNames(applyingRefs)} announce${applying.length === 1 ? 's' : ''} to BGPPeer${peers.length === 1 ? '' : 's'} ${listNames(peers)}, none of which has a session on node ${ctx.nodeName} (their nodeSelectors do not match it)`,
      },
      { pool: poolRef, advertisements: applyingRefs },
    );
  }
  const extra = { pool: poolRef, advertisements: applyingRefs };
  if (ctx.nodeRefusal !== undefined) return refusedIp(ip, family, ctx.nodeRefusal, extra);
  if (endpointsNo !== undefined) return refusedIp(ip, family, endpointsNo, extra);
  const merged = mergeContributions(contributions);
  const peers = [...new Set(merged.routes.map((r) => r.peer))];
  return {
    ip,
    family,
    announce: true,
    reason: 'announced',
    message: `announced from node ${ctx.nodeName} to BGPPeer${peers.length === 1 ? '' : 's'} ${listNames(peers)}`,
    pool: poolRef,
    advertisements: applyingRefs,
    routes: merged.routes,
    problems: merged.problems,
  };
}

/** The distinct ingress IPs in status order: canonical text, parsed where possible. */
function ingressAddresses(
  service: ServiceInfo,
): { text: string; family: IpFamily | undefined; value: bigint | undefined }[] {
  const seen = new Set<string>();
  const out: { text: string; family: IpFamily | undefined; value: bigint | undefined }[] = [];
  for (const raw of service.ingressIPs) {
    const parsed = parseAddress(raw);
    const entry = parsed.ok
      ? {
          text: formatAddress(parsed.value.family, parsed.value.value),
          family: parsed.value.family,
          value: parsed.value.value,
        }
      : { text: raw, family: undefined, value: undefined };
    if (seen.has(entry.text)) continue;
    seen.add(entry.text);
    out.push(entry);
  }
  return out;
}

/**
 * Should this node announce each address of the Service, and if not, why.
 * Pure and deterministic. The checks, in order (the first "no" is the
 * reason): configuration loaded; Service of type LoadBalancer and of our
 * class; addresses assigned; per address: it parses, lies in a pool, a
 * BGPAdvertisement announces that pool, selects the Service, this node
 * exists and is selected, some named peer has a session here; the node is
 * not excluded, its network is available and it is not NotReady; endpoints
 * serve (anywhere for Cluster, on this node for Local).
 */
export function decideService(
  ctx: NodeContext,
  service: ServiceInfo,
  endpoints: readonly EndpointInfo[],
): ServiceDecision {
  const summary = summariseEndpoints(ctx.nodeName, endpoints);
  const addresses = ingressAddresses(service);
  const base = {
    namespace: service.namespace,
    name: service.name,
    key: serviceKey(service),
    node: ctx.nodeName,
    externalTrafficPolicy: service.externalTrafficPolicy,
    endpoints: summary,
  };
  const refuseAll = (refusal: IpRefusal): ServiceDecision => ({
    ...base,
    announce: false,
    reason: refusal.reason,
    message: refusal.message,
    ips: addresses.map((a) => refusedIp(a.text, a.family, refusal)),
  });

  if (ctx.config === undefined || ctx.index === undefined) {
    return refuseAll({
      reason: 'configNotLoaded',
      message: 'no valid configuration has been loaded yet; nothing is announced until one is',
    });
  }
  if (service.type !== 'LoadBalancer') {
    return refuseAll({
      reason: 'serviceNotLoadBalancer',
      message: `the Service is of type ${service.type}, not LoadBalancer`,
    });
  }
  const served = servesClass(service, ctx.loadBalancerClass);
  if (!served.served)
    return refuseAll({ reason: 'classNotServed', message: served.refusal.message });
  if (addresses.length === 0) {
    return refuseAll({
      reason: 'noIPAssigned',
      message: 'the Service has no IP in status.loadBalancer.ingress yet',
    });
  }

  const endpointsNo = endpointRefusal(ctx.nodeName, service.externalTrafficPolicy, summary);
  const index = ctx.index;
  const ips = addresses.map((a) =>
    a.family === undefined || a.value === undefined
      ? refusedIp(a.text, undefined, {
          reason: 'invalidIP',
          message: `status.loadBalancer.ingress has "${a.text}", which is not an IPv4 or IPv6 address`,
        })
      : decideIp(ctx, index, service, a.text, a.family, a.value, endpointsNo),
  );
  const announced = ips.filter((ip) => ip.announce);
  if (announced.length > 0) {
    const peers = [...new Set(announced.flatMap((ip) => ip.routes.map((r) => r.peer)))].sort(
      compareText,
    );
    return {
      ...base,
      announce: true,
      reason: 'announced',
      message: `announcing ${announced.map((ip) => ip.ip).join(', ')} from node ${ctx.nodeName} to BGPPeer${peers.length === 1 ? '' : 's'} ${listNames(peers)}`,
      ips,
    };
  }
  const first = ips[0]!;
  return { ...base, announce: false, reason: first.reason, message: first.message, ips };
}

/**
 * The routes per session from the decisions of every Service: each announced
 * address contributes its prefix (the address or its aggregate) once per
 * advertisement and peer, and contributions to one prefix toward one peer
 * merge (so an aggregate is announced while any address in it is, with the
 * union of the communities of everything in it).
 */
export function nodeAnnouncements(
  ctx: NodeContext,
  decisions: readonly ServiceDecision[],
): NodeAnnouncements {
  const contributions: RouteContribution[] = [];
  const index = ctx.index;
  if (index !== undefined) {
    for (const decision of decisions) {
      for (const ip of decision.ips) {
        if (!ip.announce || ip.family === undefined) continue;
        const parsed = parseAddress(ip.ip);
        if (!parsed.ok) continue;
        for (const route of ip.routes) {
          const session = ctx.sessionByRef.get(route.peer);
          if (session === undefined) continue;
          for (const ref of route.advertisements) {
            const advertisement = index.advertisement(ref);
            if (advertisement === undefined) continue;
            contributions.push({
              session,
              advertisement,
              prefix: advertisedPrefix(advertisement, ip.family, parsed.value.value),
            });
          }
        }
      }
    }
  }
  const merged = mergeContributions(contributions);
  const routes = new Map<string, Route[]>(ctx.sessions.map((session) => [session.ref, []]));
  for (const route of merged.routes) routes.get(route.peer)?.push(toRoute(route));
  return {
    node: ctx.nodeName,
    sessions: ctx.sessions,
    routes,
    services: [...decisions].sort((a, b) => compareText(a.key, b.key)),
    problems: [...ctx.sessionProblems, ...merged.problems],
  };
}

/** Everything a speaker watches, for one decision round. */
export interface SpeakerInput extends NodeContextInput {
  readonly services: readonly ServiceInfo[];
  readonly endpointSlices: readonly EndpointSliceInfo[];
}

/** The whole decision for one node: every Service, and the routes per session. */
export function decideNodeAnnouncements(input: SpeakerInput): NodeAnnouncements {
  const ctx = nodeContext(input);
  const endpoints = endpointsByService(input.endpointSlices);
  const decisions = input.services.map((service) =>
    decideService(ctx, service, endpoints.get(serviceKey(service)) ?? []),
  );
  return nodeAnnouncements(ctx, decisions);
}
