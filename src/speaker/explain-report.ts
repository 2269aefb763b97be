import { formatConfigError, type ParseConfigResult } from '../config/index.ts';
import type { AnnouncementProblem, AnnouncementReason } from './announcement-reasons.ts';
import {
  decideService,
  nodeContext,
  summariseEndpoints,
  type IpDecision,
} from './announce-decision.ts';
import {
  endpointsByService,
  serviceKey,
  type EndpointSliceInfo,
  type NodeInfo,
  type ServiceInfo,
  type TrafficPolicy,
} from './cluster-objects.ts';
import { endpointNodeMismatches } from './node-identity.ts';
import { compareText } from './route-merge.ts';

/** Everything `ironlb explain` read, for one Service. */
export interface ExplainInput {
  readonly service: ServiceInfo;
  /** The Service's EndpointSlices (others are ignored). */
  readonly endpointSlices: readonly EndpointSliceInfo[];
  /** Every Node of the cluster. */
  readonly nodes: readonly NodeInfo[];
  /** The one configuration parse over the objects of the config namespace. */
  readonly config: ParseConfigResult;
  readonly configNamespace: string;
  readonly loadBalancerClass?: string | undefined;
  /** Explain only these nodes (all when undefined). */
  readonly onlyNodes?: readonly string[] | undefined;
}

export interface ExplainNode {
  readonly node: string;
  /** The BGPPeers this node's speaker opens sessions to. */
  readonly sessions: readonly string[];
  readonly announce: boolean;
  readonly reason: AnnouncementReason;
  readonly message: string;
  readonly ips: readonly IpDecision[];
  /** duplicatePeerSession of this node, localPrefConflict of this Service's addresses. */
  readonly problems: readonly AnnouncementProblem[];
}

export interface ExplainReport {
  readonly service: {
    readonly namespace: string;
    readonly name: string;
    readonly type: string;
    readonly externalTrafficPolicy: TrafficPolicy;
    readonly loadBalancerClass: string | undefined;
    readonly ips: readonly string[];
  };
  readonly configuration: {
    readonly namespace: string;
    readonly valid: boolean;
    /** "CODE Kind namespace/name field: reason" per error. */
    readonly errors: readonly string[];
    readonly pools: number;
    readonly peers: number;
    readonly advertisements: number;
  };
  readonly endpoints: {
    readonly total: number;
    readonly serving: number;
    readonly servingNodes: readonly string[];
  };
  /** Sorted by node name. */
  readonly nodes: readonly ExplainNode[];
  /** Node identity problems and other things an operator should look at. */
  readonly warnings: readonly string[];
}

/**
 * The explanation of one Service: for every node, the decision the speaker
 * of that node makes (the same decideService the speaker runs), plus node
 * identity warnings. Pure.
 */
export function explainService(input: ExplainInput): ExplainReport {
  const { service } = input;
  const config = input.config.ok ? input.config.config : undefined;
  const endpoints = endpointsByService(input.endpointSlices).get(serviceKey(service)) ?? [];
  const nodes = [...input.nodes]
    .filter((node) => input.onlyNodes === undefined || input.onlyNodes.includes(node.name))
    .sort((a, b) => compareText(a.name, b.name));
  const explained = nodes.map((node): ExplainNode => {
    const ctx = nodeContext({
      nodeName: node.name,
      node,
      config,
      loadBalancerClass: input.loadBalancerClass,
    });
    const decision = decideService(ctx, service, endpoints);
    return {
      node: node.name,
      sessions: ctx.sessions.map((session) => session.ref),
      announce: decision.announce,
      reason: decision.reason,
      message: decision.message,
      ips: decision.ips,
      problems: [...ctx.sessionProblems, ...decision.ips.flatMap((ip) => ip.problems)],
    };
  });

  const warnings: string[] = [];
  if (!input.config.ok) {
    warnings.push(
      `the configuration in namespace ${input.configNamespace} is invalid (${input.config.errors.length} error${input.config.errors.length === 1 ? '' : 's'}): running speakers keep announcing with their last valid configuration, which this command cannot see`,
    );
  }
  for (const name of input.onlyNodes ?? []) {
    if (!input.nodes.some((node) => node.name === name)) warnings.push(`no Node is named ${name}`);
  }
  const ownSlices = input.endpointSlices.filter(
    (slice) => slice.namespace === service.namespace && slice.serviceName === service.name,
  );
  for (const mismatch of endpointNodeMismatches(input.nodes, ownSlices)) {
    warnings.push(mismatch.message);
  }
  const summary = summariseEndpoints('', endpoints);
  return {
    service: {
      namespace: service.namespace,
      name: service.name,
      type: service.type,
      externalTrafficPolicy: service.externalTrafficPolicy,
      loadBalancerClass: service.loadBalancerClass,
      ips: [...service.ingressIPs],
    },
    configuration: {
      namespace: input.configNamespace,
      valid: input.config.ok,
      errors: input.config.ok
        ? []
        : input.config.errors.map((error) => `${error.code} ${formatConfigError(error)}`),
      pools: config?.pools.length ?? 0,
      peers: config?.peers.length ?? 0,
      advertisements: config?.advertisements.length ?? 0,
    },
    endpoints: {
      total: summary.total,
      serving: summary.serving,
      servingNodes: summary.servingNodes,
    },
    nodes: explained,
    warnings,
  };
}
