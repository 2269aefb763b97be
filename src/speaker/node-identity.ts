import { IronlbError } from '../common/errors.ts';
import {
  endpointServes,
  serviceKey,
  type EndpointSliceInfo,
  type NodeInfo,
} from './cluster-objects.ts';
import { SpeakerErrors } from './errors.ts';
import { compareText } from './route-merge.ts';

/**
 * Node identity is checked, not assumed. In the field, the kubelet ran with
 * --hostname-override and kube-proxy did not: the names differed, kube-proxy
 * saw no node-local endpoints and `Local` Services broke silently. The
 * speaker therefore takes its name from the downward API (NODE_NAME =
 * spec.nodeName, the name the Node object and every endpoint's nodeName use),
 * never from the hostname, and reports names that match no Node.
 */

const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * The speaker's node name from its environment. Throws IRONLB_ERR_NODE_NAME
 * when NODE_NAME is missing or not a valid node name; the hostname is not a
 * fallback, because it is exactly what differs under --hostname-override.
 */
export function nodeNameFromEnvironment(env: Readonly<Record<string, string | undefined>>): string {
  const name = (env['NODE_NAME'] ?? '').trim();
  if (name === '') {
    throw new IronlbError(
      SpeakerErrors.IRONLB_ERR_NODE_NAME,
      'NODE_NAME is not set; set it from the downward API (env valueFrom fieldRef fieldPath spec.nodeName). The hostname is not used: it differs from the node name when the kubelet runs with --hostname-override',
    );
  }
  if (name.length > 253 || !dnsSubdomain.test(name)) {
    throw new IronlbError(
      SpeakerErrors.IRONLB_ERR_NODE_NAME,
      `NODE_NAME "${name}" is not a valid node name (a lowercase DNS subdomain of at most 253 characters)`,
    );
  }
  return name;
}

/** Node names an operator may have meant: same name ignoring case, or same first DNS label. */
export function similarNodeNames(name: string, nodes: readonly NodeInfo[]): string[] {
  const lower = name.toLowerCase();
  const short = lower.split('.')[0];
  return nodes
    .map((node) => node.name)
    .filter((candidate) => {
      if (candidate === name) return false;
      const c = candidate.toLowerCase();
      return c === lower || c.split('.')[0] === short;
    })
    .sort(compareText);
}

export interface ThisNodeCheck {
  readonly nodeName: string;
  readonly exists: boolean;
  /** Set when the Node does not exist. */
  readonly message: string | undefined;
}

/** Whether this speaker's Node object exists, with a hint when it does not. */
export function checkThisNode(nodeName: string, nodes: readonly NodeInfo[]): ThisNodeCheck {
  if (nodes.some((node) => node.name === nodeName)) {
    return { nodeName, exists: true, message: undefined };
  }
  const similar = similarNodeNames(nodeName, nodes);
  return {
    nodeName,
    exists: false,
    message: `no Node is named ${nodeName} (the speaker's NODE_NAME): this node announces nothing${similar.length > 0 ? `; similar Node names: ${similar.join(', ')}` : ''}`,
  };
}

export interface EndpointNodeMismatch {
  /** The Service ("namespace/name"). */
  readonly service: string;
  /** The nodeName the endpoints carry; undefined for endpoints without one. */
  readonly nodeName: string | undefined;
  readonly endpoints: number;
  readonly servingEndpoints: number;
  /** Up to 5 endpoint addresses, for the message. */
  readonly addresses: readonly string[];
  readonly similarNodes: readonly string[];
  readonly message: string;
}

/**
 * Endpoints whose nodeName matches no Node, or that have none, grouped by
 * Service and name. With externalTrafficPolicy Local no node counts them as
 * local, so they make no node announce the Service.
 */
export function endpointNodeMismatches(
  nodes: readonly NodeInfo[],
  slices: readonly EndpointSliceInfo[],
): EndpointNodeMismatch[] {
  const known = new Set(nodes.map((node) => node.name));
  const groups = new Map<
    string,
    {
      service: string;
      nodeName: string | undefined;
      endpoints: number;
      serving: number;
      addresses: Set<string>;
    }
  >();
  for (const slice of slices) {
    if (slice.serviceName === undefined) continue;
    const service = serviceKey({ namespace: slice.namespace, name: slice.serviceName });
    for (const endpoint of slice.endpoints) {
      if (endpoint.nodeName !== undefined && known.has(endpoint.nodeName)) continue;
      const key = `${service}\u0000${endpoint.nodeName ?? ''}`;
      let group = groups.get(key);
      if (group === undefined) {
        group = {
          service,
          nodeName: endpoint.nodeName,
          endpoints: 0,
          serving: 0,
          addresses: new Set(),
        };
        groups.set(key, group);
      }
      group.endpoints++;
      if (endpointServes(endpoint)) group.serving++;
      for (const address of endpoint.addresses) group.addresses.add(address);
    }
  }
  return [...groups.values()]
    .sort(
      (a, b) =>
        compareText(a.service, b.service) || compareText(a.nodeName ?? '', b.nodeName ?? ''),
    )
    .map((group) => {
      const addresses = [...group.addresses].sort(compareText).slice(0, 5);
      const similar = group.nodeName === undefined ? [] : similarNodeNames(group.nodeName, nodes);
      const what = `${group.endpoints} endpoint${group.endpoints === 1 ? '' : 's'} of Service ${group.service}${addresses.length > 0 ? ` (${addresses.join(', ')})` : ''}`;
      const message =
        group.nodeName === undefined
          ? `${what} name${group.endpoints === 1 ? 's' : ''} no node: with externalTrafficPolicy Local no node counts ${group.endpoints === 1 ? 'it' : 'them'} as local`
          : `${what} name${group.endpoints === 1 ? 's' : ''} node "${group.nodeName}", which is not a Node: with externalTrafficPolicy Local no node counts ${group.endpoints === 1 ? 'it' : 'them'} as local, and the Service can silently lose its announcement (kubelet and kube-proxy must agree on node names, e.g. both or neither with --hostname-override)${similar.length > 0 ? `; similar Node names: ${similar.join(', ')}` : ''}`;
      return {
        service: group.service,
        nodeName: group.nodeName,
        endpoints: group.endpoints,
        servingEndpoints: group.serving,
        addresses,
        similarNodes: similar,
        message,
      };
    });
}
