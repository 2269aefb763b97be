import { randomUUID } from 'node:crypto';
import { builtinResources, seedNamespaces, ServiceAllocator } from './builtin-resources.ts';
import { definitionFromCrd } from './crd.ts';
import {
  deepClone,
  deepEqual,
  metadataOf,
  nameOf,
  namespaceOf,
  optionalArray,
  optionalObject,
  optionalString,
  resourceVersionOf,
  scalarText,
  stringMapOf,
  type JsonObject,
  type KubeObject,
} from './json.ts';
import { generateName, metadataMapProblems, nameProblem } from './names.ts';
import { ObjectStore } from './object-store.ts';
import { apiVersionOf, groupResourceKey, type ResourceDefinition } from './resource-definition.ts';
import { ResourceRegistry, type ResolvedResource } from './resource-registry.ts';
import {
  alreadyExists,
  ApiError,
  StatusReason,
  badRequest,
  conflict,
  invalid,
  notFound,
  STALE_OBJECT_MESSAGE,
  type FieldError,
} from './status.ts';
import { applyStructuralSchema } from './structural-schema.ts';
import { type FieldManager, managedFieldsAfter } from './managed-fields.ts';

/**
 * The cluster state and the write rules every path shares (HTTP verbs and
 * the tests' direct store access): server-set metadata, namespaces that must
 * exist, status subresource isolation, generation, finalizers, CRDs that
 * make kinds served, and cascades (namespace and CRD deletion).
 */

export interface ClusterOptions {
  readonly historyLimit: number;
  readonly now: () => Date;
}

export interface WriteResult {
  readonly object: KubeObject;
  /** Unknown fields that pruning dropped (custom resources). */
  readonly unknownFields: readonly string[];
}

export interface WriteOptions {
  /** Nothing is stored (dryRun=All). */
  readonly dryRun?: boolean;
  /** `status` writes only status; '' ignores status when the kind has the subresource. */
  readonly subresource?: '' | 'status';
  /** Tests' direct writes: keep the status given on create and write spec and status together. */
  readonly direct?: boolean;
  /** fieldValidation=Strict: fields the schema does not know fail the write (400). */
  readonly rejectUnknownFields?: boolean;
  /** Who writes, for metadata.managedFields (default: manager "unknown", operation Update). */
  readonly fieldManager?: string;
  readonly operation?: 'Update' | 'Apply';
}

export interface DeletePreconditions {
  readonly uid?: string | undefined;
  readonly resourceVersion?: string | undefined;
}

const CRD_KEY = groupResourceKey({
  group: 'apiextensions.k8s.io',
  plural: 'customresourcedefinitions',
});
const NAMESPACES = { group: '', resource: 'namespaces' };
const PROTECTED_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function groupResourceOf(def: ResourceDefinition): { group: string; resource: string } {
  return { group: def.group, resource: def.plural };
}

export class Cluster {
  readonly registry = new ResourceRegistry();
  readonly store: ObjectStore;
  readonly #now: () => Date;

  constructor(options: ClusterOptions) {
    this.store = new ObjectStore({ historyLimit: options.historyLimit });
    this.#now = options.now;
    for (const def of builtinResources(new ServiceAllocator())) this.registry.register(def);
    const namespaces = this.registry.byKind('v1', 'Namespace');
    if (namespaces === undefined) throw new Error('Namespace kind missing');
    for (const ns of seedNamespaces()) this.create(namespaces, ns, undefined);
  }

  now(): Date {
    return this.#now();
  }

  /** The object as a client of `version` sees it (custom resources may serve several versions). */
  present(resolved: ResolvedResource, obj: KubeObject): KubeObject {
    obj.apiVersion = apiVersionOf(resolved.definition.group, resolved.version.name);
    obj.kind = resolved.definition.kind;
    return obj;
  }

  get(resolved: ResolvedResource, namespace: string, name: string): KubeObject | undefined {
    const found = this.store.get(groupResourceKey(resolved.definition), namespace, name);
    return found === undefined ? undefined : this.present(resolved, found);
  }

  #checkTypeMeta(resolved: ResolvedResource, obj: KubeObject): void {
    const { definition, version } = resolved;
    const expected = apiVersionOf(definition.group, version.name);
    const apiVersion = optionalString(obj, 'apiVersion');
    const kind = optionalString(obj, 'kind');
    if (apiVersion !== undefined && apiVersion !== '' && apiVersion !== expected) {
      throw badRequest(
        `the API version in the data (${apiVersion}) does not match the expected API version (${expected})`,
      );
    }
    if (kind !== undefined && kind !== '' && kind !== definition.kind) {
      throw badRequest(
        `the kind in the data (${kind}) does not match the expected kind (${definition.kind})`,
      );
    }
    obj.apiVersion = expected;
    obj.kind = definition.kind;
  }

  #validateAndDefault(
    resolved: ResolvedResource,
    obj: KubeObject,
    old: KubeObject | undefined,
    subresource: '' | 'status',
    options: WriteOptions,
  ): string[] {
    const { definition, version } = resolved;
    const errors: FieldError[] = [];
    let unknownFields: string[] = [];
    if (version.schema !== undefined) {
      const outcome = applyStructuralSchema(obj, version.schema);
      errors.push(...outcome.errors);
      unknownFields = outcome.unknownFields;
      if (options.rejectUnknownFields === true && unknownFields.length > 0) {
        throw badRequest(
          `strict decoding error: ${unknownFields.map((f) => `unknown field "${f}"`).join(', ')}`,
        );
      }
    }
    errors.push(
      ...metadataMapProblems(stringMapOf(obj, 'labels'), stringMapOf(obj, 'annotations')),
    );
    if (definition.prepare !== undefined)
      errors.push(...definition.prepare(obj, { old, subresource, now: this.now() }));
    if (errors.length > 0) throw invalid(definition.group, definition.kind, nameOf(obj), errors);
    return unknownFields;
  }

  /** POST: a new object in `namespace` (the URL's; undefined for cluster-wide paths). */
  create(
    resolved: ResolvedResource,
    input: KubeObject,
    namespace: string | undefined,
    options: WriteOptions = {},
  ): WriteResult {
    const { definition, version } = resolved;
    const obj = deepClone(input);
    this.#checkTypeMeta(resolved, obj);
    const meta = metadataOf(obj);
    if (definition.namespaced) {
      const given = optionalString(meta, 'namespace');
      if (given !== undefined && given !== '' && namespace !== undefined && given !== namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      const effective = namespace ?? given ?? '';
      if (effective === '') throw badRequest('an empty namespace may not be set during creation');
      meta.namespace = effective;
    } else {
      delete meta.namespace;
    }
    let name = optionalString(meta, 'name') ?? '';
    const base = optionalString(meta, 'generateName') ?? '';
    if (name === '' && base !== '') name = generateName(base);
    if (name === '') {
      throw invalid(definition.group, definition.kind, '', [
        {
          type: 'FieldValueRequired',
          field: 'metadata.name',
          detail: 'Required value: name or generateName is required',
        },
      ]);
    }
    const problem = nameProblem(definition.nameFormat, name);
    if (problem !== undefined) {
      throw invalid(definition.group, definition.kind, name, [
        {
          type: 'FieldValueInvalid',
          field: 'metadata.name',
          detail: `Invalid value: "${name}": ${problem}`,
        },
      ]);
    }
    meta.name = name;
    if (resourceVersionOf(obj) !== '' && options.direct !== true) {
      throw badRequest('resourceVersion should not be set on objects to be created');
    }
    const ns = namespaceOf(obj);
    if (definition.namespaced && this.store.get('namespaces', '', ns) === undefined) {
      throw notFound(NAMESPACES, ns);
    }
    const key = groupResourceKey(definition);
    if (this.store.get(key, ns, name) !== undefined)
      throw alreadyExists(groupResourceOf(definition), name);

    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339(this.now());
    for (const field of [
      'resourceVersion',
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
      'managedFields',
      'selfLink',
    ]) {
      delete meta[field];
    }
    if (definition.tracksGeneration) meta.generation = 1;
    else delete meta.generation;
    if (definition.resetStatusOnCreate && version.statusSubresource && options.direct !== true)
      delete obj.status;
    // The fields as sent (before defaults), as the real server records them.
    meta.managedFields = managedFieldsAfter(
      undefined,
      writerOf(options, ''),
      deepClone(obj),
      rfc3339(this.now()),
    );
    const unknownFields = this.#validateAndDefault(resolved, obj, undefined, '', options);
    if (options.dryRun === true) return { object: obj, unknownFields };
    const stored = this.store.create(key, obj);
    this.#afterWrite(stored, key);
    return { object: this.present(resolved, stored), unknownFields };
  }

  /**
   * PUT (and the end of every PATCH): replaces `old` with `input` under the
   * rules of the kind. A write that changes nothing keeps the old
   * resourceVersion and emits no event, as on the real server.
   */
  update(
    resolved: ResolvedResource,
    old: KubeObject,
    input: KubeObject,
    options: WriteOptions = {},
  ): WriteResult {
    const { definition, version } = resolved;
    const subresource = options.subresource ?? '';
    const given = deepClone(input);
    this.#checkTypeMeta(resolved, given);
    const givenMeta = metadataOf(given);
    const name = nameOf(old);
    const givenName = optionalString(givenMeta, 'name') ?? '';
    if (givenName !== '' && givenName !== name) {
      throw badRequest(
        `the name of the object (${givenName}) does not match the name on the URL (${name})`,
      );
    }
    const givenNamespace = optionalString(givenMeta, 'namespace') ?? '';
    if (definition.namespaced && givenNamespace !== '' && givenNamespace !== namespaceOf(old)) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    const givenVersion = resourceVersionOf(given);
    if (givenVersion === '' && !definition.allowUnconditionalUpdate && options.direct !== true) {
      throw invalid(definition.group, definition.kind, name, [
        {
          type: 'FieldValueInvalid',
          field: 'metadata.resourceVersion',
          detail: 'Invalid value: 0x0: must be specified for an update',
        },
      ]);
    }
    if (givenVersion !== '' && givenVersion !== resourceVersionOf(old) && options.direct !== true) {
      throw conflict(groupResourceOf(definition), name, STALE_OBJECT_MESSAGE);
    }
    const oldMeta = metadataOf(deepClone(old));
    const givenUid = optionalString(givenMeta, 'uid');
    if (givenUid !== undefined && givenUid !== '' && givenUid !== oldMeta.uid) {
      throw conflict(
        groupResourceOf(definition),
        name,
        `Precondition failed: UID in precondition: ${givenUid}, UID in object meta: ${scalarText(oldMeta.uid)}`,
      );
    }

    let next: KubeObject;
    if (subresource === 'status') {
      next = deepClone(old);
      if (given.status === undefined) delete next.status;
      else next.status = given.status;
    } else {
      next = given;
      if (version.statusSubresource && options.direct !== true) {
        if (old.status === undefined) delete next.status;
        else next.status = deepClone(old.status);
      }
      const meta = metadataOf(next);
      for (const field of [
        'name',
        'namespace',
        'uid',
        'creationTimestamp',
        'generation',
        'deletionTimestamp',
        'deletionGracePeriodSeconds',
      ]) {
        const value = oldMeta[field];
        if (value === undefined) delete meta[field];
        else meta[field] = value;
      }
      delete meta.managedFields;
      delete meta.selfLink;
    }
    metadataOf(next).resourceVersion = resourceVersionOf(old);
    // Compared as the old ones first: a write that changes nothing leaves them alone.
    if (oldMeta.managedFields === undefined) delete metadataOf(next).managedFields;
    else metadataOf(next).managedFields = oldMeta.managedFields;
    const written = deepClone(subresource === 'status' ? next : given);
    this.present(resolved, next);
    const unknownFields = this.#validateAndDefault(resolved, next, old, subresource, options);

    if (oldMeta.deletionTimestamp !== undefined) {
      const before = optionalArray(oldMeta, 'finalizers') ?? [];
      const after = optionalArray(metadataOf(next), 'finalizers') ?? [];
      if (after.some((f) => !before.includes(f))) {
        throw invalid(definition.group, definition.kind, name, [
          {
            type: 'FieldValueForbidden',
            field: 'metadata.finalizers',
            detail: 'Forbidden: no new finalizers can be added if the object is being deleted',
          },
        ]);
      }
    }
    if (definition.tracksGeneration && specChanged(old, next, version.statusSubresource)) {
      const generation = typeof oldMeta.generation === 'number' ? oldMeta.generation : 0;
      metadataOf(next).generation = generation + 1;
    }
    const current = this.present(resolved, deepClone(old));
    if (deepEqual(next, current)) return { object: current, unknownFields };
    metadataOf(next).managedFields = managedFieldsAfter(
      oldMeta.managedFields,
      writerOf(options, subresource),
      written,
      rfc3339(this.now()),
    );
    if (options.dryRun === true) return { object: next, unknownFields };

    const key = groupResourceKey(definition);
    const finalizers = optionalArray(metadataOf(next), 'finalizers') ?? [];
    if (oldMeta.deletionTimestamp !== undefined && finalizers.length === 0) {
      const last = this.store.remove(key, namespaceOf(old), name, next);
      if (last !== undefined) this.#afterRemove(last, key);
      return { object: this.present(resolved, last ?? next), unknownFields };
    }
    const stored = this.store.replace(key, next);
    this.#afterWrite(stored, key);
    return { object: this.present(resolved, stored), unknownFields };
  }

  /**
   * DELETE: objects with finalizers only get a deletionTimestamp; the rest go
   * at once, namespaces and CRDs taking their contents along.
   */
  delete(
    resolved: ResolvedResource,
    namespace: string,
    name: string,
    preconditions: DeletePreconditions = {},
    dryRun = false,
  ): { object: KubeObject; deleted: boolean } {
    const { definition } = resolved;
    const key = groupResourceKey(definition);
    const old = this.store.get(key, namespace, name);
    if (old === undefined) throw notFound(groupResourceOf(definition), name);
    const meta = metadataOf(old);
    if (preconditions.uid !== undefined && preconditions.uid !== meta.uid) {
      throw conflict(
        groupResourceOf(definition),
        name,
        `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${scalarText(meta.uid)}`,
      );
    }
    if (
      preconditions.resourceVersion !== undefined &&
      preconditions.resourceVersion !== meta.resourceVersion
    ) {
      throw conflict(
        groupResourceOf(definition),
        name,
        `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${scalarText(meta.resourceVersion)}`,
      );
    }
    if (key === 'namespaces' && PROTECTED_NAMESPACES.has(name)) {
      throw new ApiError(
        403,
        StatusReason.Forbidden,
        `namespaces "${name}" is forbidden: this namespace may not be deleted`,
        { name, kind: 'namespaces' },
      );
    }
    if (dryRun) return { object: this.present(resolved, old), deleted: true };
    const finalizers = optionalArray(meta, 'finalizers') ?? [];
    if (finalizers.length > 0) {
      if (meta.deletionTimestamp !== undefined)
        return { object: this.present(resolved, old), deleted: false };
      meta.deletionTimestamp = rfc3339(this.now());
      meta.deletionGracePeriodSeconds = 0;
      if (definition.tracksGeneration && typeof meta.generation === 'number') meta.generation += 1;
      const stored = this.store.replace(key, old);
      return { object: this.present(resolved, stored), deleted: false };
    }
    if (key === 'namespaces') {
      for (const def of this.registry.all()) {
        if (def.namespaced) {
          for (const obj of this.store.list(groupResourceKey(def), name))
            this.store.remove(groupResourceKey(def), name, nameOf(obj));
        }
      }
    }
    if (key === CRD_KEY) {
      const spec = optionalObject(old, 'spec');
      const crKey = groupResourceKey({
        group: optionalString(spec, 'group') ?? '',
        plural: optionalString(optionalObject(spec, 'names'), 'plural') ?? '',
      });
      this.store.removeAll(crKey);
    }
    const last = this.store.remove(key, namespace, name);
    if (last === undefined) throw notFound(groupResourceOf(definition), name);
    this.#afterRemove(last, key);
    return { object: this.present(resolved, last), deleted: true };
  }

  /** Registers the kind a stored CRD describes. */
  #afterWrite(stored: KubeObject, key: string): void {
    if (key === CRD_KEY) this.registry.register(definitionFromCrd(stored));
  }

  #afterRemove(last: KubeObject, key: string): void {
    if (key !== CRD_KEY) return;
    const def = definitionFromCrd(last);
    this.store.removeAll(groupResourceKey(def));
    this.registry.unregister(def.group, def.plural);
  }
}

/** Whether a write changed more than metadata (and status, for kinds with the subresource). */
function specChanged(old: KubeObject, next: KubeObject, statusSubresource: boolean): boolean {
  const strip = (obj: KubeObject): JsonObject => {
    const copy = deepClone(obj);
    delete copy.metadata;
    delete copy.apiVersion;
    delete copy.kind;
    if (statusSubresource) delete copy.status;
    return copy;
  };
  return !deepEqual(strip(old), strip(next));
}

function writerOf(options: WriteOptions, subresource: '' | 'status'): FieldManager {
  return {
    manager: options.fieldManager ?? 'unknown',
    operation: options.operation ?? 'Update',
    subresource,
  };
}
