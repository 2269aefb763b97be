import type { JsonObject, JsonValue } from './json.ts';

/**
 * metadata.managedFields as a real API server keeps it: one entry per field
 * manager, operation and subresource, naming the fields that manager wrote
 * (FieldsV1) and when. Clients never set it; every object they read carries
 * it, and it is often larger than the rest of the object — which is why the
 * watches drop it (client-go's informer transform does the same).
 *
 * Field ownership is not enforced (no conflicts, no fields taken from other
 * managers): the set is what this manager's write contained.
 */

export interface FieldManager {
  /** ?fieldManager=, else the User-Agent's product name, as kube-apiserver does. */
  readonly manager: string;
  readonly operation: 'Update' | 'Apply';
  /** 'status' for writes to the status subresource. */
  readonly subresource: '' | 'status';
}

/** Server-set metadata: never in anyone's field set. */
const SERVER_METADATA = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

/** Fields by which list items are told apart (the merge keys kube-apiserver uses most). */
const ITEM_KEYS = ['name', 'port', 'containerPort', 'ip', 'type', 'key', 'mountPath'];

/** The manager named by a request: ?fieldManager=, else the User-Agent up to the first "/". */
export function fieldManagerOf(fieldManager: string | null, userAgent: string | undefined): string {
  if (fieldManager !== null && fieldManager !== '') return fieldManager;
  const product = (userAgent ?? '').split('/')[0]?.trim() ?? '';
  return product === '' ? 'unknown' : product;
}

/** FieldsV1 of a JSON value: `f:` per field, `k:`/`v:` per list item, `.` for "this node". */
function fieldSet(value: JsonValue): JsonObject {
  if (Array.isArray(value)) {
    const items: JsonObject = {};
    value.forEach((item, index) => {
      if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
        const key = ITEM_KEYS.find((k) => item[k] !== undefined);
        const id = key === undefined ? `i:${index}` : `k:${JSON.stringify({ [key]: item[key] })}`;
        items[id] = { '.': {}, ...fieldSet(item) };
      } else {
        items[`v:${JSON.stringify(item)}`] = {};
      }
    });
    return items;
  }
  if (value === null || typeof value !== 'object') return {};
  const fields: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    if (child === undefined) continue;
    fields[`f:${key}`] = fieldSet(child);
  }
  return fields;
}

/** The fields one write set: status for the status subresource, all else otherwise. */
function fieldsWritten(object: JsonObject, subresource: '' | 'status'): JsonObject {
  if (subresource === 'status') {
    return object['status'] === undefined ? {} : { 'f:status': fieldSet(object['status']) };
  }
  const fields: JsonObject = {};
  for (const [key, value] of Object.entries(object)) {
    if (key === 'apiVersion' || key === 'kind' || key === 'status') continue;
    if (
      key === 'metadata' &&
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value)
    ) {
      const metadata: JsonObject = {};
      for (const [field, child] of Object.entries(value)) {
        if (!SERVER_METADATA.has(field)) metadata[`f:${field}`] = fieldSet(child);
      }
      if (Object.keys(metadata).length > 0) fields['f:metadata'] = metadata;
      continue;
    }
    fields[`f:${key}`] = fieldSet(value);
  }
  return fields;
}

/**
 * The managedFields after `writer` wrote `object`: its entry replaced (or
 * added), every other manager's entry kept.
 */
export function managedFieldsAfter(
  previous: JsonValue | undefined,
  writer: FieldManager,
  object: JsonObject,
  time: string,
): JsonObject[] {
  const entries = Array.isArray(previous)
    ? previous.filter(
        (e): e is JsonObject =>
          e !== null &&
          typeof e === 'object' &&
          !Array.isArray(e) &&
          !(
            e['manager'] === writer.manager &&
            e['operation'] === writer.operation &&
            (e['subresource'] ?? '') === writer.subresource
          ),
      )
    : [];
  const entry: JsonObject = {
    manager: writer.manager,
    operation: writer.operation,
    apiVersion: object['apiVersion'] ?? null,
    time,
    fieldsType: 'FieldsV1',
    fieldsV1: fieldsWritten(object, writer.subresource),
  };
  if (writer.subresource !== '') entry['subresource'] = writer.subresource;
  return [...entries, entry];
}
