/**
 * JSON values as the API server stores and patches them. Objects are plain
 * parsed JSON; these helpers keep the strict index-access checks readable.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** A stored Kubernetes object: apiVersion, kind, metadata and whatever else its kind carries. */
export type KubeObject = JsonObject;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function deepClone<T extends JsonValue>(value: T): T {
  return structuredClone(value);
}

/** Structural equality of two JSON values; key order does not matter. */
export function deepEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isJsonObject(a)) {
    if (!isJsonObject(b)) return false;
    const keysA = Object.keys(a);
    if (keysA.length !== Object.keys(b).length) return false;
    return keysA.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
  }
  return false;
}

/** The object under `key`, created empty when missing or not an object. */
export function objectAt(parent: JsonObject, key: string): JsonObject {
  const current = parent[key];
  if (isJsonObject(current)) return current;
  const created: JsonObject = {};
  parent[key] = created;
  return created;
}

/** The object under `key`, or undefined. */
export function optionalObject(
  parent: JsonObject | undefined,
  key: string,
): JsonObject | undefined {
  const value = parent?.[key];
  return isJsonObject(value) ? value : undefined;
}

export function optionalString(parent: JsonObject | undefined, key: string): string | undefined {
  const value = parent?.[key];
  return typeof value === 'string' ? value : undefined;
}

export function optionalArray(
  parent: JsonObject | undefined,
  key: string,
): JsonValue[] | undefined {
  const value = parent?.[key];
  return Array.isArray(value) ? value : undefined;
}

/** The metadata object of a Kubernetes object (created when missing). */
export function metadataOf(obj: KubeObject): JsonObject {
  return objectAt(obj, 'metadata');
}

export function nameOf(obj: KubeObject): string {
  return optionalString(optionalObject(obj, 'metadata'), 'name') ?? '';
}

export function namespaceOf(obj: KubeObject): string {
  return optionalString(optionalObject(obj, 'metadata'), 'namespace') ?? '';
}

export function resourceVersionOf(obj: KubeObject): string {
  return optionalString(optionalObject(obj, 'metadata'), 'resourceVersion') ?? '';
}

/** The string map under `metadata.<key>` (labels, annotations), empty when missing. */
export function stringMapOf(
  obj: KubeObject,
  key: 'labels' | 'annotations',
): Record<string, string> {
  const map = optionalObject(optionalObject(obj, 'metadata'), key);
  const result: Record<string, string> = {};
  if (map === undefined) return result;
  for (const [k, v] of Object.entries(map)) if (typeof v === 'string') result[k] = v;
  return result;
}

/**
 * Follows a dotted path (`spec.nodeName`) through nested objects; undefined
 * when any step is missing.
 */
export function valueAtPath(
  obj: JsonValue | undefined,
  path: readonly string[],
): JsonValue | undefined {
  let current: JsonValue | undefined = obj;
  for (const step of path) {
    if (!isJsonObject(current)) return undefined;
    current = current[step];
  }
  return current;
}

/** A scalar as text (strings as they are, others as JSON; '' for missing). */
export function scalarText(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
