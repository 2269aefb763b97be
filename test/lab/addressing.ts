import { randomBytes } from 'node:crypto';
import {
  parseAddress,
  parseAddressRange,
  rangeContains,
  type IpFamily,
} from '../../src/ipam/address.ts';

/**
 * The lab's addressing plan and names, as pure functions. Every address comes
 * from the RFC 5737 documentation ranges or 2001:db8::/32 (RFC 3849), every ASN
 * is private, and every namespace and interface name starts with the run's
 * prefix so two labs can run at once and leftovers can be found.
 *
 *   192.0.2.0/24     fabric: node i ↔ ToR on 192.0.2.(2i)/31 (ToR even, node odd),
 *                    client ↔ ToR on 192.0.2.128/31 (ToR .128, client .129)
 *   198.51.100.0/24  pods: node i owns 198.51.100.(16(i-1))/28, pods take .1–.14
 *   203.0.113.0/26   management network: mgmt namespace .1, node i .(1+i)
 *   203.0.113.128/25 default Service pool (IPv4)
 *   2001:db8:f:i::/64  fabric link of node i (ToR ::1, node ::2)
 *   2001:db8:c::/64    client link (ToR ::1, client ::2)
 *   2001:db8:1:i::/64  pods of node i (pod slot j → ::j)
 *   2001:db8:5::/112   default Service pool (IPv6)
 */

export const LAB_LIMITS = {
  maxNodes: 16,
  /** Pod slots per node: .1–.14 of the node's /28 (.0 and .15 stay unused). */
  maxPodsPerNode: 14,
} as const;

/** Private ASNs: the rack (nodes' BIRD and the ToR, iBGP) and the two ends of the loopback session. */
export const LAB_ASN = {
  /** Rack AS, as in the reference (64600 + rack index, one rack here). */
  rack: 64600,
  /** The node's BIRD on its session with the speaker (`local as 64699`). */
  nodeBirdForSpeaker: 64699,
  /** The ironlb speaker (and the lab's stand-in for it). */
  speaker: 64698,
} as const;

/** Community the node's BIRD adds to every route from the speaker; its kernel export rejects it. */
export const SERVICE_COMMUNITY = [LAB_ASN.speaker, LAB_ASN.nodeBirdForSpeaker] as const;

export const DEFAULT_POOLS: readonly string[] = ['203.0.113.128/25', '2001:db8:5::/112'];

/** The management namespace's address: the Kubernetes API test server binds here. */
export const MGMT_ADDRESS = '203.0.113.1';
export const MGMT_PREFIX_LENGTH = 26;

export const CLIENT_LINK = {
  tor: '192.0.2.128',
  client: '192.0.2.129',
  prefixLength: 31,
  tor6: '2001:db8:c::1',
  client6: '2001:db8:c::2',
  prefixLength6: 64,
} as const;

/** The addresses the documentation ranges allow; the lab refuses anything else. */
const DOCUMENTATION_RANGES = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32'];

const DEFAULT_PREFIX_PATTERN = /^ilb[a-z0-9]{4}-$/;
/** Custom prefixes: short enough that `${prefix}p123456` fits IFNAMSIZ (15 chars). */
const PREFIX_PATTERN = /^[a-z][a-z0-9]{1,6}-$/;
/** A pod name becomes part of a namespace name: a DNS label keeps it safe in paths and commands. */
const POD_NAME_PATTERN = /^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$/;

/** Linux interface names are at most 15 characters (IFNAMSIZ - 1). */
export const MAX_INTERFACE_NAME = 15;

/** A fresh per-run prefix like `ilbk3x9-`. */
export function randomPrefix(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(4);
  let suffix = '';
  for (const byte of bytes) suffix += alphabet[byte % alphabet.length];
  return `ilb${suffix}-`;
}

/** Matches namespaces and run directories of labs made with the default prefix. */
export function isDefaultLabPrefix(prefix: string): boolean {
  return DEFAULT_PREFIX_PATTERN.test(prefix);
}

/** The default-style prefix a name starts with (`ilbk3x9-tor` → `ilbk3x9-`), if any. */
export function defaultPrefixOf(name: string): string | undefined {
  const candidate = name.slice(0, 8);
  return isDefaultLabPrefix(candidate) ? candidate : undefined;
}

/** Why a prefix is unusable, or undefined when it is fine. */
export function prefixProblem(prefix: string): string | undefined {
  if (isDefaultLabPrefix(prefix) || PREFIX_PATTERN.test(prefix)) return undefined;
  return `prefix "${prefix}" must be 3–8 characters of [a-z0-9] starting with a letter and ending with "-"`;
}

/** Why a pod name is unusable, or undefined when it is fine. */
export function podNameProblem(name: string): string | undefined {
  if (POD_NAME_PATTERN.test(name)) return undefined;
  return `pod name "${name}" must be a DNS label of at most 42 characters`;
}

/** Why a Service pool is unusable for the lab's BIRD filters, or undefined when it is fine. */
export function poolProblem(pool: string): string | undefined {
  const parsed = parseAddressRange(pool);
  if (!parsed.ok) return parsed.reason;
  if (!pool.includes('/')) return `pool "${pool}" must be a CIDR (BIRD prefix sets take prefixes)`;
  if (!isDocumentationAddress(pool.split('/')[0] ?? '')) {
    return `pool "${pool}" is outside the documentation ranges the lab may use`;
  }
  return undefined;
}

/** True for addresses inside 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 or 2001:db8::/32. */
export function isDocumentationAddress(address: string): boolean {
  const parsed = parseAddress(address);
  if (!parsed.ok) return false;
  return DOCUMENTATION_RANGES.some((text) => {
    const range = parseAddressRange(text);
    return range.ok && rangeContains(range.value, parsed.value.family, parsed.value.value);
  });
}

export function familyOf(address: string): IpFamily {
  return address.includes(':') ? 6 : 4;
}

/** Everything the lab knows about one node before it exists. */
export interface NodePlan {
  /** 1-based. */
  readonly index: number;
  /** The Kubernetes node name (`node-1`, …). */
  readonly name: string;
  readonly netns: string;
  /** The node's address (its end of the ToR link); BGP next hop and Kubernetes InternalIP. */
  readonly nodeAddress: string;
  readonly torAddress: string;
  readonly linkPrefixLength: number;
  readonly nodeAddress6: string;
  readonly torAddress6: string;
  readonly linkPrefixLength6: number;
  /** The node's address on the management network. */
  readonly mgmtAddress: string;
  readonly podCidr: string;
  readonly podCidr6: string;
  /** Interface names inside the node's namespace and the ToR's. */
  readonly uplinkInterface: string;
  readonly torInterface: string;
  readonly mgmtInterface: string;
  /** The node's port on the management bridge, inside the management namespace. */
  readonly mgmtBridgePort: string;
}

export interface TopologyPlan {
  readonly prefix: string;
  readonly torNetns: string;
  readonly clientNetns: string;
  readonly mgmtNetns: string;
  readonly torRouterId: string;
  readonly torClientInterface: string;
  readonly clientInterface: string;
  readonly mgmtBridge: string;
  readonly nodes: readonly NodePlan[];
}

export function planTopology(prefix: string, nodeCount: number): TopologyPlan {
  const nodes: NodePlan[] = [];
  for (let index = 1; index <= nodeCount; index++) nodes.push(planNode(prefix, index));
  return {
    prefix,
    torNetns: `${prefix}tor`,
    clientNetns: `${prefix}client`,
    mgmtNetns: `${prefix}mgmt`,
    torRouterId: CLIENT_LINK.tor,
    torClientInterface: `${prefix}cl`,
    clientInterface: `${prefix}up`,
    mgmtBridge: `${prefix}br`,
    nodes,
  };
}

function planNode(prefix: string, index: number): NodePlan {
  const hex = index.toString(16);
  return {
    index,
    name: `node-${index}`,
    netns: `${prefix}node-${index}`,
    nodeAddress: `192.0.2.${2 * index + 1}`,
    torAddress: `192.0.2.${2 * index}`,
    linkPrefixLength: 31,
    nodeAddress6: `2001:db8:f:${hex}::2`,
    torAddress6: `2001:db8:f:${hex}::1`,
    linkPrefixLength6: 64,
    mgmtAddress: `203.0.113.${1 + index}`,
    podCidr: `198.51.100.${16 * (index - 1)}/28`,
    podCidr6: `2001:db8:1:${hex}::/64`,
    uplinkInterface: `${prefix}up`,
    torInterface: `${prefix}n${index}`,
    mgmtInterface: `${prefix}mg`,
    mgmtBridgePort: `${prefix}m${index}`,
  };
}

/** A pod's addresses from its node and its slot (1–14) in the node's block. */
export function podAddresses(nodeIndex: number, slot: number): { ip: string; ip6: string } {
  return {
    ip: `198.51.100.${16 * (nodeIndex - 1) + slot}`,
    ip6: `2001:db8:1:${nodeIndex.toString(16)}::${slot.toString(16)}`,
  };
}

/** Names of a pod's namespace and of the two ends of its veth (node side, pod side). */
export function podNames(
  prefix: string,
  podName: string,
  podId: number,
): { netns: string; nodeInterface: string; podInterface: string } {
  return {
    netns: `${prefix}pod-${podName}`,
    nodeInterface: `${prefix}p${podId}`,
    podInterface: `${prefix}eth`,
  };
}

/** Every interface name of a plan (for checks against IFNAMSIZ). */
export function interfaceNames(plan: TopologyPlan): string[] {
  return [
    plan.torClientInterface,
    plan.clientInterface,
    plan.mgmtBridge,
    ...plan.nodes.flatMap((n) => [
      n.uplinkInterface,
      n.torInterface,
      n.mgmtInterface,
      n.mgmtBridgePort,
    ]),
  ];
}
