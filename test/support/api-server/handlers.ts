import type { Cluster, WriteResult } from './cluster.ts';
import {
  isJsonObject,
  metadataOf,
  optionalObject,
  optionalString,
  type JsonObject,
  type JsonValue,
  type KubeObject,
} from './json.ts';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, PatchType } from './patch.ts';
import {
  negotiate,
  representList,
  representObject,
  type Representation,
} from './representation.ts';
import { groupResourceKey } from './resource-definition.ts';
import type { ResolvedResource } from './resource-registry.ts';
import type { ResourcePath } from './router.ts';
import { selectionFromQuery, type Selection } from './selection.ts';
import {
  ApiError,
  badRequest,
  expired,
  methodNotSupported,
  notFound,
  pathNotFound,
  StatusReason,
  successStatus,
  unsupportedMediaType,
} from './status.ts';
import { fieldManagerOf } from './managed-fields.ts';

/**
 * The REST verbs on resources: request → verb, then get/list/create/update/
 * patch/delete/deletecollection on the cluster. Watches are described here
 * (a WatchPlan) and streamed by watch-stream.ts.
 */

export const Verb = {
  Get: 'get',
  List: 'list',
  Watch: 'watch',
  Create: 'create',
  Update: 'update',
  Patch: 'patch',
  Delete: 'delete',
  DeleteCollection: 'deletecollection',
} as const;
export type Verb = (typeof Verb)[keyof typeof Verb];

export interface ResourceRequest {
  readonly method: string;
  readonly path: ResourcePath;
  readonly query: URLSearchParams;
  readonly contentType: string;
  readonly accept: string | undefined;
  readonly body: string;
  /** The User-Agent header: names the field manager when ?fieldManager= does not. */
  readonly userAgent?: string | undefined;
}

export interface JsonReply {
  readonly kind: 'json';
  readonly status: number;
  readonly body: JsonObject;
  readonly warnings: readonly string[];
}

export interface WatchPlan {
  readonly resolved: ResolvedResource;
  readonly selection: Selection;
  /** '' or '0': start with the current state; otherwise replay after it. */
  readonly resourceVersion: string;
  readonly allowBookmarks: boolean;
  readonly sendInitialEvents: boolean | undefined;
  readonly timeoutSeconds: number | undefined;
  readonly representation: Representation;
}

export type Reply = JsonReply | { readonly kind: 'watch'; readonly plan: WatchPlan };

/** Go's strconv.ParseBool, which the real server uses for `watch=`. */
export function parseBool(value: string | null): boolean {
  return value !== null && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value);
}

export function verbOf(method: string, path: ResourcePath, query: URLSearchParams): Verb {
  const named = path.name !== undefined;
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (path.legacyWatch || parseBool(query.get('watch'))) return Verb.Watch;
      return named ? Verb.Get : Verb.List;
    case 'POST':
      if (!named) return Verb.Create;
      break;
    case 'PUT':
      if (named) return Verb.Update;
      break;
    case 'PATCH':
      if (named) return Verb.Patch;
      break;
    case 'DELETE':
      return named ? Verb.Delete : Verb.DeleteCollection;
  }
  throw new ApiError(
    405,
    StatusReason.MethodNotAllowed,
    'the server does not allow this method on the requested resource',
  );
}

function json(status: number, body: JsonObject, warnings: readonly string[] = []): JsonReply {
  return { kind: 'json', status, body, warnings };
}

function parseBody(body: string): JsonValue {
  if (body.trim() === '') throw badRequest('the request body is empty');
  try {
    return JSON.parse(body) as JsonValue;
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
}

/** Bodies of create and update: JSON only (the real server also takes YAML and protobuf). */
function checkJsonContentType(contentType: string): void {
  if (contentType !== 'application/json' && contentType !== '' && contentType !== '*/*') {
    throw unsupportedMediaType(contentType, ['application/json']);
  }
}

function parseObjectBody(body: string): KubeObject {
  const parsed = parseBody(body);
  if (!isJsonObject(parsed)) throw badRequest('the request body must be a JSON object');
  return parsed;
}

function isDryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const v of values)
    if (v !== 'All') throw badRequest(`Invalid dry run value "${v}": supported value is "All"`);
  return values.length > 0;
}

type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

function fieldValidation(query: URLSearchParams): FieldValidation {
  const value = query.get('fieldValidation') ?? 'Warn';
  if (value !== 'Ignore' && value !== 'Warn' && value !== 'Strict') {
    throw badRequest(
      `fieldValidation: Invalid value: "${value}": must be one of Ignore, Warn, or Strict`,
    );
  }
  return value;
}

/** Warn reports pruned fields in `Warning` headers (Strict already failed the write). */
function unknownFieldWarnings(result: WriteResult, mode: FieldValidation): string[] {
  if (mode !== 'Warn') return [];
  return result.unknownFields.map((f) => `unknown field "${f}"`);
}

interface WriteFlags {
  readonly dryRun: boolean;
  readonly rejectUnknownFields: boolean;
  readonly fieldManager: string;
  readonly operation: 'Update' | 'Apply';
}

function writeFlags(
  request: ResourceRequest,
  mode: FieldValidation,
  operation: 'Update' | 'Apply' = 'Update',
): WriteFlags {
  return {
    dryRun: isDryRun(request.query),
    rejectUnknownFields: mode === 'Strict',
    fieldManager: fieldManagerOf(request.query.get('fieldManager'), request.userAgent),
    operation,
  };
}

function parseTimeout(query: URLSearchParams): number | undefined {
  const text = query.get('timeoutSeconds');
  if (text === null || text === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw badRequest(`invalid timeoutSeconds "${text}"`);
  // 0 means the server's default, which for this server is no timeout.
  return value === 0 ? undefined : value;
}

interface ContinueToken {
  readonly rv: number;
  readonly start: string;
}

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(
    JSON.stringify({ v: 'meta.k8s.io/v1', rv: token.rv, start: token.start }),
  ).toString('base64url');
}

function decodeContinue(text: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (isJsonObject(parsed) && typeof parsed.rv === 'number' && typeof parsed.start === 'string') {
      return { rv: parsed.rv, start: parsed.start };
    }
  } catch {
    // fall through to the error below
  }
  throw badRequest(`continue key is not valid: ${text}`);
}

export class ResourceHandlers {
  readonly #cluster: Cluster;

  constructor(cluster: Cluster) {
    this.#cluster = cluster;
  }

  /** The kind (and version) a path names, checking scope and subresource. */
  resolve(path: ResourcePath, verb: Verb): ResolvedResource {
    const resolved = this.#cluster.registry.resolve(path.group, path.version, path.plural);
    if (resolved === undefined) throw pathNotFound();
    const { definition, version } = resolved;
    if (path.namespace !== undefined && !definition.namespaced) throw pathNotFound();
    if (
      path.subresource !== undefined &&
      !(path.subresource === 'status' && version.statusSubresource)
    )
      throw pathNotFound();
    if (
      path.subresource !== undefined &&
      verb !== Verb.Get &&
      verb !== Verb.Update &&
      verb !== Verb.Patch
    ) {
      throw methodNotSupported(
        { group: definition.group, resource: `${definition.plural}/${path.subresource}` },
        verb,
      );
    }
    const needsNamespace = verb !== Verb.List && verb !== Verb.Watch;
    if (definition.namespaced && path.namespace === undefined && needsNamespace)
      throw pathNotFound();
    return resolved;
  }

  handle(request: ResourceRequest): Reply {
    const { path, query } = request;
    const verb = verbOf(request.method, path, query);
    const resolved = this.resolve(path, verb);
    switch (verb) {
      case Verb.Get:
        return this.#get(resolved, request);
      case Verb.List:
        return this.#list(resolved, request);
      case Verb.Watch:
        return { kind: 'watch', plan: this.#watchPlan(resolved, request) };
      case Verb.Create:
        return this.#create(resolved, request);
      case Verb.Update:
        return this.#update(resolved, request);
      case Verb.Patch:
        return this.#patch(resolved, request);
      case Verb.Delete:
        return this.#delete(resolved, request);
      case Verb.DeleteCollection:
        return this.#deleteCollection(resolved, request);
    }
  }

  #namespace(resolved: ResolvedResource, path: ResourcePath): string {
    return resolved.definition.namespaced ? (path.namespace ?? '') : '';
  }

  #existing(resolved: ResolvedResource, path: ResourcePath): KubeObject {
    const name = path.name ?? '';
    const found = this.#cluster.get(resolved, this.#namespace(resolved, path), name);
    if (found === undefined)
      throw notFound(
        { group: resolved.definition.group, resource: resolved.definition.plural },
        name,
      );
    return found;
  }

  #get(resolved: ResolvedResource, request: ResourceRequest): JsonReply {
    const representation = negotiate(request.accept, request.query.get('includeObject'));
    const obj = this.#existing(resolved, request.path);
    return json(200, representObject(obj, representation, resolved.version, this.#cluster.now()));
  }

  #list(resolved: ResolvedResource, request: ResourceRequest): JsonReply {
    const { definition, version } = resolved;
    const { query } = request;
    const representation = negotiate(request.accept, query.get('includeObject'));
    const selection = selectionFromQuery(definition, request.path.namespace, query);
    const store = this.#cluster.store;
    const limitText = query.get('limit');
    const limit = limitText === null || limitText === '' ? 0 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 0) throw badRequest(`invalid limit "${limitText}"`);
    const continueText = query.get('continue');
    let revision = store.revision;
    let start = '';
    if (continueText !== null && continueText !== '') {
      const token = decodeContinue(continueText);
      if (token.rv < store.compactedRevision) {
        throw expired(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
        );
      }
      revision = token.rv;
      start = token.start;
    }
    const keyOf = (obj: KubeObject): string =>
      `${optionalString(optionalObject(obj, 'metadata'), 'namespace') ?? ''}/${optionalString(optionalObject(obj, 'metadata'), 'name') ?? ''}`;
    let items = store
      .list(groupResourceKey(definition), request.path.namespace)
      .filter((obj) => selection.matches(obj))
      .filter((obj) => start === '' || keyOf(obj) > start)
      .map((obj) => this.#cluster.present(resolved, obj));
    const listMetadata: JsonObject = { resourceVersion: String(revision) };
    if (limit > 0 && items.length > limit) {
      const remaining = items.length - limit;
      items = items.slice(0, limit);
      const last = items[items.length - 1];
      if (last !== undefined)
        listMetadata.continue = encodeContinue({ rv: revision, start: keyOf(last) });
      listMetadata.remainingItemCount = remaining;
    }
    // Built-in lists carry no apiVersion/kind on their items; custom resource lists do.
    const plainItems = definition.custom
      ? items
      : items.map((obj) => {
          const copy = { ...obj };
          delete copy.apiVersion;
          delete copy.kind;
          return copy;
        });
    const list: JsonObject = {
      kind: definition.listKind,
      apiVersion: definition.group === '' ? version.name : `${definition.group}/${version.name}`,
      metadata: listMetadata,
      items: plainItems,
    };
    return json(
      200,
      representList(list, items, listMetadata, representation, version, this.#cluster.now()),
    );
  }

  #watchPlan(resolved: ResolvedResource, request: ResourceRequest): WatchPlan {
    const { query, path } = request;
    const representation = negotiate(request.accept, query.get('includeObject'));
    let fieldQuery = query;
    if (path.name !== undefined) {
      // `/watch/.../<name>`: the legacy form of fieldSelector=metadata.name=<name>.
      fieldQuery = new URLSearchParams(query);
      const extra = `metadata.name=${path.name}`;
      const given = query.get('fieldSelector');
      fieldQuery.set('fieldSelector', given === null || given === '' ? extra : `${given},${extra}`);
    }
    const sendInitial = query.get('sendInitialEvents');
    return {
      resolved,
      selection: selectionFromQuery(resolved.definition, path.namespace, fieldQuery),
      resourceVersion: query.get('resourceVersion') ?? '',
      allowBookmarks: parseBool(query.get('allowWatchBookmarks')),
      sendInitialEvents: sendInitial === null ? undefined : parseBool(sendInitial),
      timeoutSeconds: parseTimeout(query),
      representation,
    };
  }

  #create(resolved: ResolvedResource, request: ResourceRequest): JsonReply {
    checkJsonContentType(request.contentType);
    const mode = fieldValidation(request.query);
    const body = parseObjectBody(request.body);
    const result = this.#cluster.create(
      resolved,
      body,
      request.path.namespace,
      writeFlags(request, mode),
    );
    return json(201, result.object, unknownFieldWarnings(result, mode));
  }

  #update(resolved: ResolvedResource, request: ResourceRequest): JsonReply {
    const { path, query } = request;
    checkJsonContentType(request.contentType);
    const mode = fieldValidation(query);
    const body = parseObjectBody(request.body);
    const flags = writeFlags(request, mode);
    const name = path.name ?? '';
    const existing = this.#cluster.get(resolved, this.#namespace(resolved, path), name);
    if (existing === undefined) {
      if (!resolved.definition.allowCreateOnUpdate || path.subresource !== undefined) {
        throw notFound(
          { group: resolved.definition.group, resource: resolved.definition.plural },
          name,
        );
      }
      const givenName = optionalString(optionalObject(body, 'metadata'), 'name');
      if (givenName !== undefined && givenName !== name) {
        throw badRequest(
          `the name of the object (${givenName}) does not match the name on the URL (${name})`,
        );
      }
      metadataOf(body).name = name;
      delete metadataOf(body).resourceVersion;
      const created = this.#cluster.create(resolved, body, path.namespace, flags);
      return json(201, created.object, unknownFieldWarnings(created, mode));
    }
    const subresource = path.subresource === 'status' ? 'status' : '';
    const result = this.#cluster.update(resolved, existing, body, { ...flags, subresource });
    return json(200, result.object, unknownFieldWarnings(result, mode));
  }

  #patch(resolved: ResolvedResource, request: ResourceRequest): JsonReply {
    const { path, query, contentType } = request;
    const { definition } = resolved;
    const accepted: string[] = [PatchType.JsonPatch, PatchType.MergePatch];
    if (!definition.custom) accepted.push(PatchType.StrategicMergePatch);
    accepted.push(PatchType.ApplyPatchYaml);
    if (!accepted.includes(contentType)) throw unsupportedMediaType(contentType, accepted);
    const mode = fieldValidation(query);
    const flags = writeFlags(
      request,
      mode,
      contentType === PatchType.ApplyPatchYaml ? 'Apply' : 'Update',
    );
    const subresource = path.subresource === 'status' ? 'status' : '';
    const patch = parseBody(request.body);
    const name = path.name ?? '';
    const existing = this.#cluster.get(resolved, this.#namespace(resolved, path), name);

    if (contentType === PatchType.ApplyPatchYaml) {
      const manager = query.get('fieldManager');
      if (manager === null || manager === '')
        throw badRequest('fieldManager is required for apply requests');
      if (!isJsonObject(patch))
        throw badRequest(
          'an apply patch must be a JSON object (YAML is not accepted by this test server)',
        );
      if (existing === undefined) {
        if (subresource !== '')
          throw notFound({ group: definition.group, resource: definition.plural }, name);
        const body = structuredClone(patch);
        metadataOf(body).name = name;
        const created = this.#cluster.create(resolved, body, path.namespace, flags);
        return json(201, created.object, unknownFieldWarnings(created, mode));
      }
      // Approximation of server-side apply: merge the applied configuration
      // without field ownership (fields dropped from it are not removed).
      const applied = definition.custom
        ? applyMergePatch(existing, patch)
        : applyStrategicMergePatch(existing, patch, definition.listStrategies);
      return this.#finishPatch(resolved, existing, applied, subresource, flags, mode);
    }

    if (existing === undefined)
      throw notFound({ group: definition.group, resource: definition.plural }, name);
    let patched: JsonValue;
    switch (contentType) {
      case PatchType.JsonPatch:
        patched = applyJsonPatch(existing, patch);
        break;
      case PatchType.MergePatch:
        if (!isJsonObject(patch)) throw badRequest('a merge patch must be a JSON object');
        patched = applyMergePatch(existing, patch);
        break;
      default:
        patched = applyStrategicMergePatch(existing, patch, definition.listStrategies);
    }
    return this.#finishPatch(resolved, existing, patched, subresource, flags, mode);
  }

  #finishPatch(
    resolved: ResolvedResource,
    existing: KubeObject,
    patched: JsonValue,
    subresource: '' | 'status',
    flags: WriteFlags,
    mode: FieldValidation,
  ): JsonReply {
    if (!isJsonObject(patched))
      throw new ApiError(422, StatusReason.Invalid, 'the patched object is not a JSON object');
    const result = this.#cluster.update(resolved, existing, patched, { ...flags, subresource });
    return json(200, result.object, unknownFieldWarnings(result, mode));
  }

  #deleteOptions(request: ResourceRequest): {
    uid?: string;
    resourceVersion?: string;
    dryRun: boolean;
  } {
    let dryRun = isDryRun(request.query);
    const options: { uid?: string; resourceVersion?: string; dryRun: boolean } = { dryRun };
    if (request.body.trim() === '') return options;
    const body = parseObjectBody(request.body);
    const preconditions = optionalObject(body, 'preconditions');
    const uid = optionalString(preconditions, 'uid');
    const rv = optionalString(preconditions, 'resourceVersion');
    if (uid !== undefined) options.uid = uid;
    if (rv !== undefined) options.resourceVersion = rv;
    const bodyDryRun = body.dryRun;
    if (Array.isArray(bodyDryRun) && bodyDryRun.length > 0) {
      if (!bodyDryRun.every((v) => v === 'All'))
        throw badRequest('Invalid dry run value: supported value is "All"');
      dryRun = true;
    }
    options.dryRun = dryRun;
    return options;
  }

  #delete(resolved: ResolvedResource, request: ResourceRequest): JsonReply {
    const { definition } = resolved;
    const { dryRun, ...preconditions } = this.#deleteOptions(request);
    const name = request.path.name ?? '';
    const { object, deleted } = this.#cluster.delete(
      resolved,
      this.#namespace(resolved, request.path),
      name,
      preconditions,
      dryRun,
    );
    if (!deleted || RETURNS_DELETED_OBJECT.has(groupResourceKey(definition)))
      return json(200, object);
    const details: JsonObject = {
      name,
      kind: definition.plural,
      uid: optionalString(optionalObject(object, 'metadata'), 'uid') ?? '',
    };
    if (definition.group !== '') details.group = definition.group;
    return json(200, successStatus(details));
  }

  #deleteCollection(resolved: ResolvedResource, request: ResourceRequest): JsonReply {
    const { definition, version } = resolved;
    const { dryRun } = this.#deleteOptions(request);
    const selection = selectionFromQuery(definition, request.path.namespace, request.query);
    const deleted: KubeObject[] = [];
    for (const obj of this.#cluster.store.list(
      groupResourceKey(definition),
      request.path.namespace,
    )) {
      if (!selection.matches(obj)) continue;
      const meta = optionalObject(obj, 'metadata');
      const { object } = this.#cluster.delete(
        resolved,
        optionalString(meta, 'namespace') ?? '',
        optionalString(meta, 'name') ?? '',
        {},
        dryRun,
      );
      deleted.push(object);
    }
    return json(200, {
      kind: definition.listKind,
      apiVersion: definition.group === '' ? version.name : `${definition.group}/${version.name}`,
      metadata: { resourceVersion: String(this.#cluster.store.revision) },
      items: deleted,
    });
  }
}

/** Kinds whose DELETE answers with the object rather than a Success Status (as their real registries). */
const RETURNS_DELETED_OBJECT = new Set(['services', 'pods']);
