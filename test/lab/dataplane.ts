import { familyOf } from './addressing.ts';

/**
 * The lab's stand-in for kube-proxy: a simple Service model rendered into one
 * nftables ruleset per node, applied atomically with `nft -f`.
 *
 * Decisions (see docs/lab.md):
 * - DNAT happens in prerouting (and output, for the node's own traffic), before
 *   routing, so the VIP does not need to be on `lo`: the node's kernel never
 *   routes the VIP itself (BIRD keeps Service routes out of it).
 * - Local: spread over the node's own serving endpoints; the client's address
 *   is preserved. Cluster: spread over every serving endpoint; a connection
 *   sent to another node is masqueraded so its replies come back through here.
 * - VIP traffic nothing matches (wrong port, no eligible endpoint) is rejected
 *   in the forward/output filter hooks, so it is not routed back to the ToR.
 */

export type TrafficPolicy = 'Local' | 'Cluster';
export type ServiceProtocol = 'TCP' | 'UDP';

export interface DataplaneEndpoint {
  /** Pod IP, either family; a VIP only uses endpoints of its own family. */
  readonly ip: string;
  readonly port: number;
  readonly nodeName: string;
  readonly serving: boolean;
}

export interface DataplaneService {
  /** `namespace/name`, used in rule comments and reasons. */
  readonly name: string;
  readonly vips: readonly string[];
  readonly port: number;
  readonly protocol: ServiceProtocol;
  readonly externalTrafficPolicy: TrafficPolicy;
  readonly endpoints: readonly DataplaneEndpoint[];
}

export interface DataplaneModel {
  readonly services: readonly DataplaneService[];
}

export interface DnatTarget {
  readonly ip: string;
  readonly port: number;
}

/** What one node does with traffic for one VIP:port. */
export interface VipPlan {
  readonly service: string;
  readonly vip: string;
  readonly family: 4 | 6;
  readonly protocol: ServiceProtocol;
  readonly port: number;
  readonly policy: TrafficPolicy;
  /** Empty when the node has nowhere to send it; then `reason` says why and the rule rejects. */
  readonly targets: readonly DnatTarget[];
  readonly reason: string;
}

export interface NodeDataplanePlan {
  readonly nodeName: string;
  readonly vips: readonly VipPlan[];
}

/** Pure: which endpoints each VIP:port of the model goes to on `nodeName`, and why. */
export function planNodeDataplane(model: DataplaneModel, nodeName: string): NodeDataplanePlan {
  const vips: VipPlan[] = [];
  for (const service of model.services) {
    for (const vip of service.vips) {
      const family = familyOf(vip);
      const sameFamily = service.endpoints.filter((e) => familyOf(e.ip) === family);
      const serving = sameFamily.filter((e) => e.serving);
      const eligible =
        service.externalTrafficPolicy === 'Local'
          ? serving.filter((e) => e.nodeName === nodeName)
          : serving;
      const targets = uniqueTargets(eligible).sort(compareTargets);
      vips.push({
        service: service.name,
        vip,
        family,
        protocol: service.protocol,
        port: service.port,
        policy: service.externalTrafficPolicy,
        targets,
        reason: explain(
          service,
          nodeName,
          family,
          sameFamily.length,
          serving.length,
          targets.length,
        ),
      });
    }
  }
  vips.sort(
    (a, b) =>
      a.family - b.family ||
      a.vip.localeCompare(b.vip) ||
      a.protocol.localeCompare(b.protocol) ||
      a.port - b.port,
  );
  return { nodeName, vips };
}

function explain(
  service: DataplaneService,
  nodeName: string,
  family: 4 | 6,
  sameFamily: number,
  serving: number,
  targets: number,
): string {
  const policy = service.externalTrafficPolicy;
  if (sameFamily === 0) return `${service.name} has no IPv${family} endpoint`;
  if (serving === 0) return `${service.name} has no serving IPv${family} endpoint`;
  if (targets === 0) {
    return `${service.name} has no serving IPv${family} endpoint on ${nodeName} (externalTrafficPolicy Local)`;
  }
  const scope = policy === 'Local' ? `on ${nodeName}` : 'in the cluster';
  return `${service.name}: ${targets} serving endpoint${targets === 1 ? '' : 's'} ${scope} (${policy})`;
}

function uniqueTargets(endpoints: readonly DataplaneEndpoint[]): DnatTarget[] {
  const seen = new Map<string, DnatTarget>();
  for (const e of endpoints) seen.set(`${e.ip}|${e.port}`, { ip: e.ip, port: e.port });
  return [...seen.values()];
}

function compareTargets(a: DnatTarget, b: DnatTarget): number {
  return a.ip.localeCompare(b.ip) || a.port - b.port;
}

export interface RenderOptions {
  /** nftables table name (family inet); the whole table is replaced on every apply. */
  readonly table: string;
  /** The node's interface towards the ToR: DNATed connections leaving through it are masqueraded. */
  readonly uplinkInterface: string;
}

/** nftables quotes: comments are plain text; keep them free of quotes and backslashes. */
function comment(text: string): string {
  return `comment "${text.replace(/["\\]/g, "'")}"`;
}

function addressMatch(plan: VipPlan): string {
  const l4 = plan.protocol === 'TCP' ? 'tcp' : 'udp';
  return `${plan.family === 4 ? 'ip' : 'ip6'} daddr ${plan.vip} ${l4} dport ${plan.port}`;
}

function targetText(family: 4 | 6, target: DnatTarget): string {
  return family === 4 ? `${target.ip} . ${target.port}` : `[${target.ip}] . ${target.port}`;
}

/** The DNAT statement spreading new connections uniformly over the targets. */
export function dnatStatement(plan: VipPlan): string {
  const fam = plan.family === 4 ? 'ip' : 'ip6';
  const [only] = plan.targets;
  if (plan.targets.length === 1 && only !== undefined) {
    const host = plan.family === 4 ? only.ip : `[${only.ip}]`;
    return `dnat ${fam} to ${host}:${only.port}`;
  }
  const elements = plan.targets.map((t, i) => `${i} : ${targetText(plan.family, t)}`).join(', ');
  return `dnat ${fam} to numgen random mod ${plan.targets.length} map { ${elements} }`;
}

/**
 * Pure: the complete ruleset text for one node. Loading it with `nft -f`
 * replaces the table in one transaction (create-if-missing, delete, recreate).
 */
export function renderNftRuleset(plan: NodeDataplanePlan, options: RenderOptions): string {
  const { table } = options;
  const dnatRules: string[] = [];
  const rejectRules: string[] = [];
  for (const vip of plan.vips) {
    if (vip.targets.length > 0) {
      dnatRules.push(`    ${addressMatch(vip)} ${dnatStatement(vip)} ${comment(vip.reason)}`);
    } else {
      const reject = vip.protocol === 'TCP' ? 'reject with tcp reset' : 'reject';
      rejectRules.push(`    ${addressMatch(vip)} ${reject} ${comment(vip.reason)}`);
    }
  }
  const vips4 = [...new Set(plan.vips.filter((v) => v.family === 4).map((v) => v.vip))];
  const vips6 = [...new Set(plan.vips.filter((v) => v.family === 6).map((v) => v.vip))];
  for (const [fam, vips] of [
    ['ip', vips4],
    ['ip6', vips6],
  ] as const) {
    if (vips.length === 0) continue;
    const set = `{ ${vips.join(', ')} }`;
    rejectRules.push(
      `    meta l4proto tcp ${fam} daddr ${set} reject with tcp reset ${comment('no Service port matches')}`,
    );
    rejectRules.push(`    ${fam} daddr ${set} reject ${comment('no Service port matches')}`);
  }
  const lines = [
    `# ironlb lab dataplane for ${plan.nodeName}: ${plan.vips.length} VIP:port entr${plan.vips.length === 1 ? 'y' : 'ies'}`,
    `table inet ${table} {}`,
    `delete table inet ${table}`,
    `table inet ${table} {`,
    '  chain services {',
    ...dnatRules,
    '  }',
    '',
    '  chain unserved {',
    ...rejectRules,
    '  }',
    '',
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    '    jump services',
    '  }',
    '',
    '  chain output {',
    '    type nat hook output priority -100; policy accept;',
    '    jump services',
    '  }',
    '',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    `    oifname "${options.uplinkInterface}" ct status dnat masquerade ${comment('to a pod on another node: replies must come back through this node')}`,
    '  }',
    '',
    '  chain forward {',
    '    type filter hook forward priority filter; policy accept;',
    '    jump unserved',
    '  }',
    '',
    '  chain local_out {',
    '    type filter hook output priority filter; policy accept;',
    '    jump unserved',
    '  }',
    '}',
    '',
  ];
  return lines.join('\n');
}
