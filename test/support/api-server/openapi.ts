import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { isJsonObject, type JsonObject } from './json.ts';
import { apiVersionOf } from './resource-definition.ts';
import type { ResourceRegistry, ResolvedResource } from './resource-registry.ts';
import { pathNotFound } from './status.ts';

/**
 * OpenAPI v3, as much of it as kubectl needs: `kubectl create -f` validates
 * by default, and 1.32 decides how by checking in `/openapi/v3/<gv>` that
 * PATCH of the kind accepts the `fieldValidation` query parameter. When it
 * does, kubectl leaves validation to the server (`fieldValidation=Strict`).
 * Schemas are the CRDs' own, and permissive ones for built-in kinds.
 * `/openapi/v2` (protobuf only in kubectl) is not served.
 */

const WRITE_PARAMETERS = ['dryRun', 'fieldManager', 'fieldValidation', 'pretty'];
const READ_PARAMETERS = ['pretty'];
const LIST_PARAMETERS = [
  'allowWatchBookmarks',
  'continue',
  'fieldSelector',
  'labelSelector',
  'limit',
  'resourceVersion',
  'resourceVersionMatch',
  'sendInitialEvents',
  'timeoutSeconds',
  'watch',
];

function queryParameters(names: readonly string[]): JsonObject[] {
  return names.map((name) => ({
    name,
    in: 'query',
    schema: { type: name === 'limit' || name === 'timeoutSeconds' ? 'integer' : 'string' },
    description: name,
  }));
}

function schemaName({ definition, version }: ResolvedResource): string {
  const group = definition.group === '' ? 'core' : definition.group;
  return `${group.split('.').reverse().join('.')}.${version.name}.${definition.kind}`;
}

function gvk({ definition, version }: ResolvedResource): JsonObject {
  return { group: definition.group, version: version.name, kind: definition.kind };
}

function operation(
  resolved: ResolvedResource,
  action: string,
  parameters: readonly string[],
  bodyRef: boolean,
): JsonObject {
  const ref = { $ref: `#/components/schemas/${schemaName(resolved)}` };
  const op: JsonObject = {
    operationId: `${action}${resolved.definition.kind}`,
    parameters: queryParameters(parameters),
    responses: { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk(resolved),
  };
  if (bodyRef)
    op.requestBody = { content: { 'application/json': { schema: ref } }, required: true };
  return op;
}

function kindSchema(resolved: ResolvedResource): JsonObject {
  const base: JsonObject = isJsonObject(resolved.version.schema)
    ? structuredClone(resolved.version.schema)
    : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  const properties = isJsonObject(base.properties) ? base.properties : {};
  properties.apiVersion ??= { type: 'string' };
  properties.kind ??= { type: 'string' };
  properties.metadata = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  base.properties = properties;
  base['x-kubernetes-group-version-kind'] = [gvk(resolved)];
  return base;
}

export function groupVersionDocument(
  registry: ResourceRegistry,
  group: string,
  version: string,
): JsonObject | undefined {
  const served = registry.inGroupVersion(group, version);
  if (served.length === 0) return undefined;
  const paths: JsonObject = {};
  const schemas: JsonObject = {};
  const prefix = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
  for (const resolved of served) {
    const { definition, version: view } = resolved;
    const scope = definition.namespaced
      ? `${prefix}/namespaces/{namespace}/${definition.plural}`
      : `${prefix}/${definition.plural}`;
    paths[scope] = {
      get: operation(resolved, 'list', LIST_PARAMETERS, false),
      post: operation(resolved, 'post', WRITE_PARAMETERS, true),
      delete: operation(
        resolved,
        'deletecollection',
        ['dryRun', 'labelSelector', 'fieldSelector'],
        false,
      ),
    };
    const item = `${scope}/{name}`;
    paths[item] = {
      get: operation(resolved, 'get', READ_PARAMETERS, false),
      put: operation(resolved, 'put', WRITE_PARAMETERS, true),
      patch: operation(resolved, 'patch', [...WRITE_PARAMETERS, 'force'], false),
      delete: operation(
        resolved,
        'delete',
        ['dryRun', 'gracePeriodSeconds', 'propagationPolicy'],
        false,
      ),
    };
    if (view.statusSubresource) {
      paths[`${item}/status`] = {
        get: operation(resolved, 'get', READ_PARAMETERS, false),
        put: operation(resolved, 'put', WRITE_PARAMETERS, true),
        patch: operation(resolved, 'patch', [...WRITE_PARAMETERS, 'force'], false),
      };
    }
    schemas[schemaName(resolved)] = kindSchema(resolved);
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: { schemas },
  };
}

function hashOf(doc: JsonObject): string {
  return createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 64).toUpperCase();
}

/** `/openapi/v3`: one entry per group-version, with a content hash kubectl caches by. */
export function rootDocument(registry: ResourceRegistry): JsonObject {
  const paths: JsonObject = {};
  const entries: [string, string][] = [
    ['', 'v1'],
    ...registry.groups().flatMap((g) => g.versions.map((v): [string, string] => [g.group, v])),
  ];
  for (const [group, version] of entries) {
    const doc = groupVersionDocument(registry, group, version);
    if (doc === undefined) continue;
    const key = group === '' ? `api/${version}` : `apis/${apiVersionOf(group, version)}`;
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hashOf(doc)}` };
  }
  return { paths };
}

export function serveOpenApi(
  registry: ResourceRegistry,
  path: readonly string[],
  res: ServerResponse,
): void {
  const [format, kind, ...rest] = path;
  if (format !== 'v3') throw pathNotFound();
  let doc: JsonObject | undefined;
  if (kind === undefined) {
    doc = rootDocument(registry);
  } else if (kind === 'api' && rest.length === 1) {
    doc = groupVersionDocument(registry, '', rest[0] ?? '');
  } else if (kind === 'apis' && rest.length >= 2) {
    const version = rest[rest.length - 1] ?? '';
    doc = groupVersionDocument(registry, rest.slice(0, -1).join('/'), version);
  }
  if (doc === undefined) throw pathNotFound();
  const text = JSON.stringify(doc);
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  });
  res.end(text);
}
