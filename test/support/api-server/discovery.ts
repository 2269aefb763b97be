import type { JsonObject } from './json.ts';
import { apiVersionOf } from './resource-definition.ts';
import type { ResourceRegistry } from './resource-registry.ts';

/**
 * Legacy (unaggregated) discovery documents. kubectl 1.32 asks for the
 * aggregated `apidiscovery.k8s.io/v2` form first, and falls back to these
 * when the answer's content type says plain JSON.
 */

export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0' } as const;

const ALL_VERBS = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];
const STATUS_VERBS = ['get', 'patch', 'update'];

export function versionInfo(): JsonObject {
  return {
    ...KUBERNETES_VERSION,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2024-12-11T00:00:00Z',
    goVersion: 'go1.23.3',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function coreVersions(serverAddress: string): JsonObject {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupEntry(group: string, versions: readonly string[]): JsonObject {
  const entries = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions: entries, preferredVersion: entries[0] ?? {} };
}

export function groupList(registry: ResourceRegistry): JsonObject {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: registry.groups().map((g) => groupEntry(g.group, g.versions)),
  };
}

export function group(registry: ResourceRegistry, name: string): JsonObject | undefined {
  const found = registry.groups().find((g) => g.group === name);
  if (found === undefined) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(found.group, found.versions) };
}

export function resourceList(
  registry: ResourceRegistry,
  groupName: string,
  version: string,
): JsonObject | undefined {
  const served = registry.inGroupVersion(groupName, version);
  if (served.length === 0) return undefined;
  const resources: JsonObject[] = [];
  for (const { definition, version: view } of served) {
    const entry: JsonObject = {
      name: definition.plural,
      singularName: definition.singular,
      namespaced: definition.namespaced,
      kind: definition.kind,
      verbs:
        definition.plural === 'namespaces'
          ? ALL_VERBS.filter((v) => v !== 'deletecollection')
          : ALL_VERBS,
    };
    if (definition.shortNames.length > 0) entry.shortNames = [...definition.shortNames];
    if (definition.categories.length > 0) entry.categories = [...definition.categories];
    resources.push(entry);
    if (view.statusSubresource) {
      resources.push({
        name: `${definition.plural}/status`,
        singularName: '',
        namespaced: definition.namespaced,
        kind: definition.kind,
        verbs: STATUS_VERBS,
      });
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf(groupName, version),
    resources,
  };
}

/** `GET /`: the paths the server serves, as the real server lists them. */
export function rootPaths(registry: ResourceRegistry): JsonObject {
  const paths = [
    '/api',
    '/api/v1',
    '/apis',
    '/healthz',
    '/livez',
    '/openapi/v2',
    '/openapi/v3',
    '/readyz',
    '/version',
  ];
  for (const g of registry.groups()) {
    paths.push(`/apis/${g.group}`);
    for (const v of g.versions) paths.push(`/apis/${g.group}/${v}`);
  }
  return { paths: paths.sort() };
}
