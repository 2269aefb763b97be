import {
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  type KubeConfig,
} from '@kubernetes/client-node';
import { describeError } from '../../common/errors.ts';
import { API_GROUP, API_VERSION, parseConfig, type ConfigObjects } from '../../config/index.ts';
import { apiStatusCode, loadKubeConfig } from '../../k8s/kubeconfig.ts';
import {
  endpointSliceInfo,
  nodeInfo,
  SERVICE_NAME_LABEL,
  serviceInfo,
  type IpDecision,
} from '../../speaker/index.ts';
import {
  explainService,
  type ExplainInput,
  type ExplainReport,
} from '../../speaker/explain-report.ts';
import type { ExplainOptions } from './explain.ts';

const configKinds = [
  { list: 'ipAddressPools', plural: 'ipaddresspools' },
  { list: 'bgpPeers', plural: 'bgppeers' },
  { list: 'bgpAdvertisements', plural: 'bgpadvertisements' },
  { list: 'communities', plural: 'communities' },
] as const;

class ExplainFailure extends Error {}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Plain JSON, as the API sends it (the client's model objects carry Dates and classes). */
function plainJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The Secrets BGPPeers name in passwordSecret, read once so the parse can look them up. */
async function readPeerSecrets(
  core: CoreV1Api,
  peers: readonly unknown[],
): Promise<Map<string, unknown>> {
  const secrets = new Map<string, unknown>();
  for (const peer of peers) {
    if (!isRecord(peer) || !isRecord(peer['spec']) || !isRecord(peer['metadata'])) continue;
    const ref = peer['spec']['passwordSecret'];
    if (!isRecord(ref) || typeof ref['name'] !== 'string') continue;
    const peerNamespace = peer['metadata']['namespace'];
    const namespace =
      typeof ref['namespace'] === 'string'
        ? ref['namespace']
        : typeof peerNamespace === 'string'
          ? peerNamespace
          : '';
    const key = `${namespace}/${ref['name']}`;
    if (secrets.has(key)) continue;
    try {
      secrets.set(
        key,
        plainJson(await core.readNamespacedSecret({ name: ref['name'], namespace })),
      );
    } catch (err) {
      // Missing: the parse says so. Unreadable (RBAC): the parse reports why.
      secrets.set(key, apiStatusCode(err) === 404 ? undefined : err);
    }
  }
  return secrets;
}

/** Reads (lists once) what the explanation needs. */
export async function readExplainInput(
  kc: KubeConfig,
  options: {
    namespace: string;
    name: string;
    configNamespace: string;
    loadBalancerClass?: string | undefined;
    onlyNodes?: readonly string[] | undefined;
  },
): Promise<{ input: ExplainInput; warnings: string[] }> {
  const core = kc.makeApiClient(CoreV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const warnings: string[] = [];

  let service;
  try {
    service = await core.readNamespacedService({
      name: options.name,
      namespace: options.namespace,
    });
  } catch (err) {
    if (apiStatusCode(err) === 404) {
      throw new ExplainFailure(`Service ${options.namespace}/${options.name} not found`);
    }
    throw err;
  }
  const [slices, nodes] = await Promise.all([
    discovery.listNamespacedEndpointSlice({
      namespace: options.namespace,
      labelSelector: `${SERVICE_NAME_LABEL}=${options.name}`,
    }),
    core.listNode(),
  ]);

  const lists: Record<string, unknown[]> = {};
  for (const kind of configKinds) {
    try {
      const list: unknown = await custom.listNamespacedCustomObject({
        group: API_GROUP,
        version: API_VERSION,
        namespace: options.configNamespace,
        plural: kind.plural,
      });
      lists[kind.list] = isRecord(list) && Array.isArray(list['items']) ? list['items'] : [];
    } catch (err) {
      if (apiStatusCode(err) !== 404) throw err;
      warnings.push(`${kind.plural}.${API_GROUP} is not served: are the ironlb CRDs installed?`);
      lists[kind.list] = [];
    }
  }
  const secrets = await readPeerSecrets(core, lists['bgpPeers'] ?? []);
  const objects: ConfigObjects = {
    ...lists,
    lookupSecret: (namespace, name) => {
      const secret = secrets.get(`${namespace}/${name}`);
      if (secret instanceof Error) throw secret;
      return secret;
    },
  };

  return {
    input: {
      service: serviceInfo(plainJson(service)),
      endpointSlices: slices.items.map((slice) => endpointSliceInfo(plainJson(slice))),
      nodes: nodes.items.map((node) => nodeInfo(plainJson(node))),
      config: parseConfig(objects),
      configNamespace: options.configNamespace,
      loadBalancerClass: options.loadBalancerClass,
      onlyNodes: options.onlyNodes,
    },
    warnings,
  };
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      if (i < row.length - 1) widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i] ?? 0) : cell))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function orDash(values: readonly string[] | undefined): string {
  return values === undefined || values.length === 0 ? '-' : values.join(',');
}

function decisionRows(report: ExplainReport): string[][] {
  const rows = [['NODE', 'IP', 'ANNOUNCED', 'REASON', 'DETAIL']];
  for (const node of report.nodes) {
    if (node.ips.length === 0) {
      rows.push([node.node, '-', node.announce ? 'yes' : 'no', node.reason, node.message]);
      continue;
    }
    for (const ip of node.ips) {
      rows.push([node.node, ip.ip, ip.announce ? 'yes' : 'no', ip.reason, detail(ip)]);
    }
  }
  return rows;
}

function detail(ip: IpDecision): string {
  if (!ip.announce) return ip.message;
  return [...new Set(ip.routes.map((route) => `${route.peer} ${route.prefix}`))].join('; ');
}

function routeRows(report: ExplainReport): string[][] {
  const rows = [
    ['NODE', 'IP', 'PEER', 'PREFIX', 'COMMUNITIES', 'LARGE', 'LOCALPREF', 'ADVERTISEMENTS'],
  ];
  for (const node of report.nodes) {
    for (const ip of node.ips) {
      for (const route of ip.routes) {
        rows.push([
          node.node,
          ip.ip,
          route.peer,
          route.prefix,
          orDash(route.attributes.communities),
          orDash(route.attributes.largeCommunities),
          route.attributes.localPref === undefined ? '-' : String(route.attributes.localPref),
          route.advertisements.join(','),
        ]);
      }
    }
  }
  return rows;
}

/** The human-readable explanation. */
export function formatExplainReport(report: ExplainReport): string {
  const { service, configuration, endpoints } = report;
  const lines = [
    `Service ${service.namespace}/${service.name}: type ${service.type}, externalTrafficPolicy ${service.externalTrafficPolicy}${service.loadBalancerClass === undefined ? '' : `, loadBalancerClass ${service.loadBalancerClass}`}, IPs ${service.ips.length === 0 ? '<none>' : service.ips.join(', ')}`,
    `Endpoints: ${endpoints.total} (${endpoints.serving} serving)${endpoints.servingNodes.length > 0 ? ` on nodes ${endpoints.servingNodes.join(', ')}` : ''}`,
    configuration.valid
      ? `Configuration (namespace ${configuration.namespace}): valid, ${configuration.pools} IPAddressPools, ${configuration.peers} BGPPeers, ${configuration.advertisements} BGPAdvertisements`
      : `Configuration (namespace ${configuration.namespace}): INVALID, ${configuration.errors.length} error${configuration.errors.length === 1 ? '' : 's'}`,
    ...configuration.errors.map((error) => `  ${error}`),
    '',
  ];
  if (report.nodes.length === 0) lines.push('No nodes.');
  else lines.push(formatTable(decisionRows(report)));
  const routes = routeRows(report);
  if (routes.length > 1) lines.push('', 'Routes:', formatTable(routes));
  const problems = report.nodes.flatMap((node) =>
    node.problems.map((problem) => `  ${node.node}: ${problem.reason}: ${problem.message}`),
  );
  if (problems.length > 0) lines.push('', 'Problems:', ...problems);
  if (report.warnings.length > 0) {
    lines.push('', 'Warnings:', ...report.warnings.map((warning) => `  ${warning}`));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Reads the cluster once and runs the speaker's own decision for one Service;
 * throws with a message fit for the terminal.
 */
export async function explainFromCluster(
  name: string,
  options: ExplainOptions,
): Promise<ExplainReport> {
  try {
    const kc = loadKubeConfig(options.kubeconfig);
    const { input, warnings } = await readExplainInput(kc, {
      namespace: options.namespace,
      name,
      configNamespace: options.configNamespace,
      loadBalancerClass: options.loadBalancerClass,
      onlyNodes: options.node,
    });
    const explained = explainService(input);
    return { ...explained, warnings: [...warnings, ...explained.warnings] };
  } catch (err) {
    throw new Error(err instanceof ExplainFailure ? err.message : describeError(err), {
      cause: err,
    });
  }
}
