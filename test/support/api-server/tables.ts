import {
  isJsonObject,
  optionalObject,
  optionalString,
  type JsonObject,
  type JsonValue,
  type KubeObject,
} from './json.ts';
import type { TableColumn } from './resource-definition.ts';

/**
 * Server-side printing: the `meta.k8s.io/v1` Table that `kubectl get`
 * asks for (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`).
 */

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** Age as kubectl prints it (`45s`, `5m3s`, `3h20m`, `4d2h`, `2y10d`). */
export function humanDuration(milliseconds: number): string {
  const seconds = Math.floor(milliseconds / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (days < 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (days < 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

export function timestampAge(timestamp: JsonValue | undefined, now: Date): string {
  if (typeof timestamp !== 'string') return '<unknown>';
  const then = Date.parse(timestamp);
  return Number.isNaN(then) ? '<unknown>' : humanDuration(now.getTime() - then);
}

export const NAME_COLUMN: TableColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
  priority: 0,
  cell: (obj) => optionalString(optionalObject(obj, 'metadata'), 'name') ?? '',
};

export const AGE_COLUMN: TableColumn = {
  name: 'Age',
  type: 'string',
  description:
    'CreationTimestamp is a timestamp representing the server time when this object was created.',
  priority: 0,
  cell: (obj, now) => timestampAge(optionalObject(obj, 'metadata')?.creationTimestamp, now),
};

/**
 * The subset of kubectl JSONPath that CRD printer columns use:
 * `.a.b`, `[0]`, `[*]`, `['key']` and `[?(@.field=="value")]`.
 * Returns every match in document order.
 */
export function evaluateJsonPath(root: JsonValue, expression: string): JsonValue[] {
  let path = expression.trim();
  if (path.startsWith('{') && path.endsWith('}')) path = path.slice(1, -1);
  if (path.startsWith('$')) path = path.slice(1);
  let current: JsonValue[] = [root];
  let i = 0;
  while (i < path.length && current.length > 0) {
    const ch = path.charAt(i);
    if (ch === '.') {
      let j = i + 1;
      while (j < path.length && /[^.[]/.test(path.charAt(j))) j++;
      const field = path.slice(i + 1, j);
      i = j;
      if (field === '') continue;
      current = current.flatMap((node) =>
        isJsonObject(node) && node[field] !== undefined ? [node[field]] : [],
      );
    } else if (ch === '[') {
      const end = findClosingBracket(path, i);
      const inner = path.slice(i + 1, end).trim();
      i = end + 1;
      current = current.flatMap((node) => selectInBrackets(node, inner));
    } else {
      throw new Error(`unsupported JSONPath syntax at "${path.slice(i)}"`);
    }
  }
  return current;
}

function findClosingBracket(path: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < path.length; i++) {
    const ch = path.charAt(i);
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '[') {
      depth++;
    } else if (ch === ']') {
      depth--;
      if (depth === 0) return i;
    }
  }
  throw new Error(`unclosed "[" in JSONPath "${path}"`);
}

function selectInBrackets(node: JsonValue, inner: string): JsonValue[] {
  if (inner === '*') {
    if (Array.isArray(node)) return node;
    return isJsonObject(node) ? Object.values(node) : [];
  }
  if (/^-?\d+$/.test(inner)) {
    if (!Array.isArray(node)) return [];
    const index = Number(inner);
    const item = node[index < 0 ? node.length + index : index];
    return item === undefined ? [] : [item];
  }
  const quoted = /^['"](.*)['"]$/.exec(inner);
  if (quoted !== null) {
    const key = quoted[1] ?? '';
    return isJsonObject(node) && node[key] !== undefined ? [node[key]] : [];
  }
  const filter = /^\?\(@((?:\.[^=!<>\s]+)+)\s*(==|!=)\s*(?:"([^"]*)"|'([^']*)'|(\S+))\s*\)$/.exec(
    inner,
  );
  if (filter !== null && Array.isArray(node)) {
    const [, fieldPath = '', op, doubleQuoted, singleQuoted, bare] = filter;
    const wanted = doubleQuoted ?? singleQuoted ?? bare ?? '';
    return node.filter((item) => {
      const found = evaluateJsonPath(item, fieldPath)[0];
      const text = typeof found === 'string' ? found : JSON.stringify(found);
      return (text === wanted) === (op === '==');
    });
  }
  throw new Error(`unsupported JSONPath filter "[${inner}]"`);
}

/** The Table for a list (or a single object) of one kind. */
export function buildTable(
  objects: readonly KubeObject[],
  columns: readonly TableColumn[],
  now: Date,
  includeObject: IncludeObject,
  listMetadata: JsonObject,
): JsonObject {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMetadata,
    columnDefinitions: columns.map((c) => {
      const definition: JsonObject = {
        name: c.name,
        type: c.type,
        format: c.format ?? '',
        description: c.description,
        priority: c.priority,
      };
      return definition;
    }),
    rows: objects.map((obj) => {
      const row: JsonObject = { cells: columns.map((c) => c.cell(obj, now)) };
      if (includeObject === 'Object') {
        row.object = obj;
      } else if (includeObject === 'Metadata') {
        row.object = {
          kind: 'PartialObjectMetadata',
          apiVersion: 'meta.k8s.io/v1',
          metadata: optionalObject(obj, 'metadata') ?? {},
        };
      }
      return row;
    }),
  };
}
