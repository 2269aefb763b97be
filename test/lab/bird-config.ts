import { familyOf, LAB_ASN, SERVICE_COMMUNITY, type NodePlan } from './addressing.ts';

/**
 * BIRD 2 configurations for the lab, rendered as text by pure functions: the
 * node's BIRD (as in the reference data center), the ToR, and a stand-in for the
 * ironlb speaker. `bird -p -c FILE` parses them in the unit tests.
 */

export interface FabricTimers {
  /** BFD between node and ToR; when off, the hold time alone detects a dead peer. */
  readonly bfd: boolean;
  readonly bfdIntervalMs: number;
  readonly bfdMultiplier: number;
  /** Hold time of the node ↔ ToR sessions, seconds (keepalive is a third of it). */
  readonly holdTimeSeconds: number;
}

/**
 * BFD 200 ms × 5 detects a dead node in about a second. 100 ms × 3 (0.3 s)
 * works too, but a BIRD starved of CPU on a loaded two-core machine may then
 * miss enough packets to flap a healthy session (suspected once, see docs/lab.md).
 */
export const DEFAULT_FABRIC_TIMERS: FabricTimers = {
  bfd: true,
  bfdIntervalMs: 200,
  bfdMultiplier: 5,
  holdTimeSeconds: 3,
};

export interface NodeBirdInput {
  readonly node: NodePlan;
  readonly ipv6: boolean;
  /** Service pools (CIDRs); only /32 and /128 routes inside them are accepted from the speaker. */
  readonly pools: readonly string[];
  readonly timers: FabricTimers;
}

const COMMUNITY = `(${SERVICE_COMMUNITY[0]}, ${SERVICE_COMMUNITY[1]})`;
/** RFC 8326 §5, the well-known GRACEFUL_SHUTDOWN community. */
const GRACEFUL_SHUTDOWN = '(65535, 0)';

/** The BIRD prefix-set for host routes inside the pools of one family, or undefined if none. */
export function hostRoutePrefixSet(pools: readonly string[], family: 4 | 6): string | undefined {
  const bits = family === 4 ? 32 : 128;
  const members = pools.filter((p) => familyOf(p) === family).map((p) => `${p}{${bits},${bits}}`);
  return members.length === 0 ? undefined : `[ ${members.join(', ')} ]`;
}

function speakerImportFilter(name: string, prefixSet: string | undefined): string {
  const body =
    prefixSet === undefined
      ? '  # no pool of this family: nothing from the speaker is accepted\n  reject;'
      : `  if net ~ ${prefixSet} then {\n    bgp_community.add(SERVICE_COMMUNITY);\n    accept;\n  }\n  reject;`;
  return `filter ${name} {\n${body}\n}`;
}

function bfdBlock(interfacePattern: string, timers: FabricTimers): string {
  if (!timers.bfd) return '# BFD off: the hold time alone detects a dead peer';
  return [
    'protocol bfd {',
    `  interface "${interfacePattern}" {`,
    `    min rx interval ${timers.bfdIntervalMs} ms;`,
    `    min tx interval ${timers.bfdIntervalMs} ms;`,
    `    multiplier ${timers.bfdMultiplier};`,
    '  };',
    '}',
  ].join('\n');
}

function fabricSessionTimers(timers: FabricTimers): string {
  const keepalive = Math.max(1, Math.floor(timers.holdTimeSeconds / 3));
  return [
    `  hold time ${timers.holdTimeSeconds};`,
    `  keepalive time ${keepalive};`,
    '  connect delay time 1;',
    '  connect retry time 1;',
    '  error wait time 1, 2;',
    timers.bfd ? '  bfd on;' : '  bfd off;',
  ].join('\n');
}

export function renderNodeBirdConfig(input: NodeBirdInput): string {
  const { node, timers } = input;
  const torSessions = [
    [
      'protocol bgp tor4 {',
      `  description "ToR, IPv4";`,
      `  local ${node.nodeAddress} as ${LAB_ASN.rack};`,
      `  neighbor ${node.torAddress} as ${LAB_ASN.rack};`,
      '  direct;',
      '  strict bind yes;',
      fabricSessionTimers(timers),
      '  ipv4 { import none; export filter to_tor; next hop self; };',
      '}',
    ].join('\n'),
  ];
  if (input.ipv6) {
    torSessions.push(
      [
        'protocol bgp tor6 {',
        `  description "ToR, IPv6";`,
        `  local ${node.nodeAddress6} as ${LAB_ASN.rack};`,
        `  neighbor ${node.torAddress6} as ${LAB_ASN.rack};`,
        '  direct;',
        '  strict bind yes;',
        fabricSessionTimers(timers),
        '  ipv6 { import none; export filter to_tor; next hop self; };',
        '}',
      ].join('\n'),
    );
  }
  return `# BIRD 2 on ${node.name}, set up like a node of the reference data center.
router id ${node.nodeAddress};
log stderr all;

protocol device {
  scan time 10;
}

define SERVICE_COMMUNITY = ${COMMUNITY};

# Routes from the speaker must be Service IPs: a /32 or /128 inside a pool.
# They are tagged so that the kernel export below can recognise them.
${speakerImportFilter('from_speaker4', hostRoutePrefixSet(input.pools, 4))}

${speakerImportFilter('from_speaker6', hostRoutePrefixSet(input.pools, 6))}

# The node itself must not install Service IPs: packets to them are handled by
# the node's dataplane (kube-proxy; nftables in the lab), not routed.
filter to_kernel {
  if SERVICE_COMMUNITY ~ bgp_community then reject;
  accept;
}

# Towards the ToR: only the speaker's (tagged) routes.
filter to_tor {
  if SERVICE_COMMUNITY ~ bgp_community then accept;
  reject;
}

protocol kernel kernel4 {
  ipv4 { import none; export filter to_kernel; };
}

protocol kernel kernel6 {
  ipv6 { import none; export filter to_kernel; };
}

${bfdBlock(node.uplinkInterface, timers)}

# The ironlb speaker connects from 127.0.0.1 (any port) to 127.0.0.1:179; BIRD never dials.
protocol bgp speaker {
  description "ironlb speaker on loopback";
  local 127.0.0.1 port 179 as ${LAB_ASN.nodeBirdForSpeaker};
  neighbor 127.0.0.1 as ${LAB_ASN.speaker};
  multihop;
  passive;
  strict bind yes;
  hold time 9;
  error wait time 1, 2;
  ipv4 { import filter from_speaker4; export none; };
  ipv6 { import filter from_speaker6; export none; };
}

${torSessions.join('\n\n')}
`;
}

export interface TorBirdInput {
  readonly routerId: string;
  readonly nodes: readonly NodePlan[];
  readonly ipv6: boolean;
  readonly timers: FabricTimers;
  /** Glob matching the ToR's node-facing interfaces (for BFD). */
  readonly nodeInterfacePattern: string;
}

/** BIRD protocol names allow letters, digits and underscores. */
export function torSessionName(node: NodePlan, family: 4 | 6): string {
  return `node_${node.index}_v${family}`;
}

export function renderTorBirdConfig(input: TorBirdInput): string {
  const sessions: string[] = [];
  for (const node of input.nodes) {
    sessions.push(
      [
        `protocol bgp ${torSessionName(node, 4)} from rack_node {`,
        `  description "${node.name}, IPv4";`,
        `  local ${node.torAddress} as ${LAB_ASN.rack};`,
        `  neighbor ${node.nodeAddress} as ${LAB_ASN.rack};`,
        '  ipv4 { import filter from_node; export none; };',
        '}',
      ].join('\n'),
    );
    if (input.ipv6) {
      sessions.push(
        [
          `protocol bgp ${torSessionName(node, 6)} from rack_node {`,
          `  description "${node.name}, IPv6";`,
          `  local ${node.torAddress6} as ${LAB_ASN.rack};`,
          `  neighbor ${node.nodeAddress6} as ${LAB_ASN.rack};`,
          '  ipv6 { import filter from_node; export none; };',
          '}',
        ].join('\n'),
      );
    }
  }
  return `# BIRD 2 on the top-of-rack router: iBGP with every node of the rack, and one
# ECMP kernel route per Service IP across all nodes announcing it.
router id ${input.routerId};
log stderr all;
# Session state changes in the log: they explain a route that changed unexpectedly.
debug protocols { states };

protocol device {
  scan time 10;
}

protocol kernel kernel4 {
  ipv4 { import none; export where source = RTS_BGP; };
  merge paths on;
}

protocol kernel kernel6 {
  ipv6 { import none; export where source = RTS_BGP; };
  merge paths on;
}

${bfdBlock(input.nodeInterfacePattern, input.timers)}

# RFC 8326: a path tagged GRACEFUL_SHUTDOWN (65535:0) is about to go away.
# LOCAL_PREF 0 makes every other path better, so the merged ECMP route drops
# it while it still forwards (BIRD 2 does not do this by itself).
filter from_node {
  if ${GRACEFUL_SHUTDOWN} ~ bgp_community then bgp_local_pref = 0;
  accept;
}

# Nodes dial; the ToR only listens. It does not reflect Service routes back to
# the nodes: they would only be rejected by the nodes' kernel filter.
template bgp rack_node {
  direct;
  passive;
  strict bind yes;
${fabricSessionTimers(input.timers)}
}

${sessions.join('\n\n')}
`;
}

export interface StandInSpeakerInput {
  readonly node: NodePlan;
  /** Service IPs to announce, IPv4 and IPv6 mixed: bare addresses are host routes, CIDRs as given. */
  readonly routes: readonly string[];
  /** Port the stand-in listens on (127.0.0.1); it dials the node's BIRD on 179. */
  readonly listenPort: number;
  /** Tag every route with GRACEFUL_SHUTDOWN (65535:0), as a speaker does while it drains. */
  readonly gracefulShutdown?: boolean;
}

/**
 * A second BIRD in the node's namespace acting as the ironlb speaker (AS
 * 64698): it dials 127.0.0.1:179 from 127.0.0.1 and announces host routes.
 * The next hop is the node's address, not 127.0.0.1: BIRD refuses to send a
 * NEXT_HOP equal to the neighbor's address, and on loopback both are 127.0.0.1.
 */
export function renderStandInSpeakerConfig(input: StandInSpeakerInput): string {
  const v4 = input.routes.filter((r) => familyOf(r) === 4);
  const v6 = input.routes.filter((r) => familyOf(r) === 6);
  // A bare address is a host route; a CIDR is kept as given (to test the node's import filter).
  const tag =
    input.gracefulShutdown === true ? ` { bgp_community.add(${GRACEFUL_SHUTDOWN}); }` : '';
  const routeLines = (routes: string[], bits: number): string =>
    routes
      .map((r) => `  route ${r.includes('/') ? r : `${r}/${bits}`} blackhole${tag};`)
      .join('\n');
  return `# Stand-in for the ironlb speaker on ${input.node.name}: announces Service IPs to the node's BIRD.
router id 127.0.0.1;
log stderr all;

protocol device {
  scan time 10;
}

protocol static services4 {
  ipv4;
${routeLines(v4, 32)}
}

protocol static services6 {
  ipv6;
${routeLines(v6, 128)}
}

protocol bgp node_bird {
  local 127.0.0.1 port ${input.listenPort} as ${LAB_ASN.speaker};
  neighbor 127.0.0.1 port 179 as ${LAB_ASN.nodeBirdForSpeaker};
  multihop;
  strict bind yes;
  connect delay time 1;
  connect retry time 1;
  error wait time 1, 2;
  hold time 9;
  ipv4 { import none; export all; next hop address ${input.node.nodeAddress}; };
  ipv6 { import none; export all; next hop address ${input.node.nodeAddress6}; };
}
`;
}
