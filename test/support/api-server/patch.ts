import { deepClone, deepEqual, isJsonObject, type JsonObject, type JsonValue } from './json.ts';
import { ApiError, badRequest, StatusReason } from './status.ts';

/**
 * The three patch formats the real server accepts besides apply:
 * JSON merge patch (RFC 7386), JSON patch (RFC 6902) and Kubernetes'
 * strategic merge patch. Each takes the current object and the parsed patch
 * body and returns a new object; inputs are never modified.
 */

export const PatchType = {
  JsonPatch: 'application/json-patch+json',
  MergePatch: 'application/merge-patch+json',
  StrategicMergePatch: 'application/strategic-merge-patch+json',
  ApplyPatchYaml: 'application/apply-patch+yaml',
  ApplyPatchCbor: 'application/apply-patch+cbor',
} as const;
export type PatchType = (typeof PatchType)[keyof typeof PatchType];

/** RFC 7386: objects merge recursively, `null` removes a member, anything else replaces. */
export function applyMergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return deepClone(patch);
  const result: JsonObject = isJsonObject(target) ? deepClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else {
      result[key] = applyMergePatch(result[key], value);
    }
  }
  return result;
}

/**
 * The merge patch that turns `from` into `to` (used by tests and by the
 * property that applying it reproduces `to`).
 */
export function createMergePatch(from: JsonValue, to: JsonValue): JsonValue {
  if (!isJsonObject(from) || !isJsonObject(to)) return deepClone(to);
  const patch: JsonObject = {};
  for (const key of Object.keys(from)) {
    if (!Object.hasOwn(to, key)) patch[key] = null;
  }
  for (const [key, value] of Object.entries(to)) {
    const before = from[key];
    if (before === undefined) {
      patch[key] = deepClone(value);
    } else if (!deepEqual(before, value)) {
      patch[key] =
        isJsonObject(before) && isJsonObject(value)
          ? createMergePatch(before, value)
          : deepClone(value);
    }
  }
  return patch;
}

function jsonPatchFailure(message: string): ApiError {
  return new ApiError(422, StatusReason.Invalid, message);
}

/** RFC 6901 pointer → reference tokens. */
function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw badRequest(`invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

interface Location {
  readonly parent: JsonObject | JsonValue[];
  readonly token: string;
}

function locate(doc: JsonValue, tokens: readonly string[], pointer: string): Location {
  let current: JsonValue = doc;
  for (const token of tokens.slice(0, -1)) {
    const next: JsonValue | undefined = Array.isArray(current)
      ? current[arrayIndex(token, current.length - 1, pointer)]
      : isJsonObject(current)
        ? current[token]
        : undefined;
    if (next === undefined)
      throw jsonPatchFailure(`doc is missing path: "${pointer}": missing value`);
    current = next;
  }
  const token = tokens[tokens.length - 1];
  if (token === undefined || (!Array.isArray(current) && !isJsonObject(current))) {
    throw jsonPatchFailure(`doc is missing path: "${pointer}": missing value`);
  }
  return { parent: current, token };
}

function arrayIndex(token: string, max: number, pointer: string): number {
  if (!/^(0|[1-9]\d*)$/.test(token))
    throw jsonPatchFailure(`invalid array index "${token}" in "${pointer}"`);
  const index = Number(token);
  if (index > max) throw jsonPatchFailure(`index ${index} out of bounds in "${pointer}"`);
  return index;
}

function getAt(doc: JsonValue, pointer: string): JsonValue {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return doc;
  const { parent, token } = locate(doc, tokens, pointer);
  const value = Array.isArray(parent)
    ? parent[arrayIndex(token, parent.length - 1, pointer)]
    : parent[token];
  if (value === undefined)
    throw jsonPatchFailure(`doc is missing key: "${pointer}": missing value`);
  return value;
}

function removeAt(doc: JsonValue, pointer: string): JsonValue {
  const tokens = parsePointer(pointer);
  const { parent, token } = locate(doc, tokens, pointer);
  if (Array.isArray(parent)) {
    const index = arrayIndex(token, parent.length - 1, pointer);
    const [removed] = parent.splice(index, 1);
    return removed ?? null;
  }
  if (!Object.hasOwn(parent, token))
    throw jsonPatchFailure(`unable to remove nonexistent key: ${token}: missing value`);
  const removed = parent[token] ?? null;
  delete parent[token];
  return removed;
}

function addAt(doc: JsonValue, pointer: string, value: JsonValue): JsonValue {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const { parent, token } = locate(doc, tokens, pointer);
  if (Array.isArray(parent)) {
    const index = token === '-' ? parent.length : arrayIndex(token, parent.length, pointer);
    parent.splice(index, 0, value);
  } else {
    parent[token] = value;
  }
  return doc;
}

/** RFC 6902 over a copy of `doc`. Malformed operations are 400, failed ones 422 (as the real server). */
export function applyJsonPatch(doc: JsonValue, operations: JsonValue): JsonValue {
  if (!Array.isArray(operations)) {
    throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  }
  let result = deepClone(doc);
  for (const raw of operations) {
    if (!isJsonObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw badRequest(`invalid JSON patch operation: ${JSON.stringify(raw)}`);
    }
    const { op, path } = raw;
    const from = typeof raw.from === 'string' ? raw.from : undefined;
    const needValue = (): JsonValue => {
      if (raw.value === undefined)
        throw badRequest(`JSON patch "${op}" operation on "${path}" has no value`);
      return deepClone(raw.value);
    };
    const needFrom = (): string => {
      if (from === undefined)
        throw badRequest(`JSON patch "${op}" operation on "${path}" has no from`);
      return from;
    };
    switch (op) {
      case 'add':
        result = addAt(result, path, needValue());
        break;
      case 'remove':
        removeAt(result, path);
        break;
      case 'replace': {
        const value = needValue();
        if (path === '') {
          result = value;
        } else {
          removeAt(result, path);
          result = addAt(result, path, value);
        }
        break;
      }
      case 'move': {
        const source = needFrom();
        const value = removeAt(result, source);
        result = addAt(result, path, value);
        break;
      }
      case 'copy':
        result = addAt(result, path, deepClone(getAt(result, needFrom())));
        break;
      case 'test':
        if (!deepEqual(getAt(result, path), needValue())) {
          throw jsonPatchFailure(`testing value ${path} failed: test failed`);
        }
        break;
      default:
        throw badRequest(`unexpected JSON patch operation "${op}"`);
    }
  }
  return result;
}

/**
 * How strategic merge treats list fields, by path (`spec.ports`,
 * `spec.containers[].env`): a merge key for lists of objects, or `merge` for
 * primitive lists merged as sets. Unlisted lists are replaced whole.
 */
export type ListStrategies = Readonly<Record<string, string>>;
export const MERGE_PRIMITIVES = '$primitive';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

/**
 * Strategic merge patch: merge patch, except that lists named in
 * `strategies` merge element-wise, and the `$patch`, `$retainKeys`,
 * `$setElementOrder/` and `$deleteFromPrimitiveList/` directives apply.
 */
export function applyStrategicMergePatch(
  original: JsonObject,
  patch: JsonValue,
  strategies: ListStrategies,
): JsonObject {
  if (!isJsonObject(patch)) throw badRequest('strategic merge patch body must be a JSON object');
  const merged = mergeMap(deepClone(original), patch, '', strategies);
  return merged ?? {};
}

/** Merges `patch` into `target` (owned, mutated); undefined means "delete the map". */
function mergeMap(
  target: JsonObject,
  patch: JsonObject,
  path: string,
  strategies: ListStrategies,
): JsonObject | undefined {
  const directive = patch[DIRECTIVE];
  if (directive === 'delete') return undefined;
  if (directive === 'replace') {
    const replacement = deepClone(patch);
    delete replacement[DIRECTIVE];
    stripDirectives(replacement);
    return replacement;
  }
  if (directive !== undefined && directive !== 'merge') {
    throw badRequest(
      `Unknown patch type: ${JSON.stringify(directive)} in map: ${JSON.stringify(patch)}`,
    );
  }
  const retain = patch[RETAIN_KEYS];
  if (Array.isArray(retain)) {
    for (const key of Object.keys(target)) {
      if (!retain.includes(key)) delete target[key];
    }
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key === DIRECTIVE || key === RETAIN_KEYS || key.startsWith(SET_ELEMENT_ORDER)) continue;
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      const field = key.slice(DELETE_FROM_PRIMITIVE_LIST.length);
      const current = target[field];
      if (Array.isArray(current) && Array.isArray(value)) {
        target[field] = current.filter((item) => !value.some((v) => deepEqual(v, item)));
      }
      continue;
    }
    const childPath = path === '' ? key : `${path}.${key}`;
    const current = target[key];
    if (value === null) {
      delete target[key];
    } else if (isJsonObject(value)) {
      const merged = mergeMap(isJsonObject(current) ? current : {}, value, childPath, strategies);
      if (merged === undefined) delete target[key];
      else target[key] = merged;
    } else if (Array.isArray(value)) {
      target[key] = mergeList(Array.isArray(current) ? current : [], value, childPath, strategies);
    } else {
      target[key] = value;
    }
  }
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const field = key.slice(SET_ELEMENT_ORDER.length);
    const order = patch[key];
    const list = target[field];
    if (Array.isArray(order) && Array.isArray(list)) {
      target[field] = orderList(list, order, strategies[path === '' ? field : `${path}.${field}`]);
    }
  }
  return target;
}

function mergeList(
  current: JsonValue[],
  patch: JsonValue[],
  path: string,
  strategies: ListStrategies,
): JsonValue[] {
  const strategy = strategies[path];
  if (patch.some((item) => isJsonObject(item) && item[DIRECTIVE] === 'replace')) {
    return patch
      .filter((item) => !(isJsonObject(item) && item[DIRECTIVE] === 'replace'))
      .map((v) => stripDirectives(deepClone(v)));
  }
  if (strategy === undefined) return patch.map((v) => stripDirectives(deepClone(v)));
  if (strategy === MERGE_PRIMITIVES) {
    const result = [...current];
    for (const item of patch)
      if (!result.some((existing) => deepEqual(existing, item))) result.push(item);
    return result;
  }
  const result = current.map((v) => deepClone(v));
  for (const item of patch) {
    if (!isJsonObject(item))
      throw badRequest(`strategic merge patch: list ${path} expects objects`);
    const key = item[strategy];
    const index = result.findIndex(
      (existing) => isJsonObject(existing) && deepEqual(existing[strategy], key),
    );
    if (item[DIRECTIVE] === 'delete') {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    const existing = index >= 0 ? result[index] : undefined;
    const merged = mergeMap(isJsonObject(existing) ? existing : {}, item, `${path}[]`, strategies);
    if (merged === undefined) {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) {
      result[index] = merged;
    } else {
      result.push(merged);
    }
  }
  return result;
}

/** Applies `$setElementOrder`: listed elements first in the given order, the rest after. */
function orderList(
  list: JsonValue[],
  order: JsonValue[],
  strategy: string | undefined,
): JsonValue[] {
  const identity = (item: JsonValue): JsonValue | undefined =>
    strategy !== undefined && strategy !== MERGE_PRIMITIVES && isJsonObject(item)
      ? item[strategy]
      : item;
  const ordered: JsonValue[] = [];
  const remaining = [...list];
  for (const wanted of order) {
    const wantedId = identity(wanted);
    const index = remaining.findIndex((item) => deepEqual(identity(item), wantedId));
    if (index >= 0) ordered.push(...remaining.splice(index, 1));
  }
  return [...ordered, ...remaining];
}

function stripDirectives(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map((item) => stripDirectives(item));
  if (!isJsonObject(value)) return value;
  for (const key of Object.keys(value)) {
    if (key.startsWith('$')) delete value[key];
    else value[key] = stripDirectives(value[key] ?? null);
  }
  return value;
}
