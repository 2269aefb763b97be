import { optionalObject, type JsonObject, type KubeObject } from './json.ts';
import type { VersionView } from './resource-definition.ts';
import { ApiError, StatusReason } from './status.ts';
import { buildTable, type IncludeObject } from './tables.ts';

/**
 * Content negotiation on `Accept`: plain JSON objects, `meta.k8s.io/v1`
 * Tables (kubectl get) or PartialObjectMetadata (metadata-only clients).
 * Protobuf is never offered; a client that accepts nothing else gets 406.
 */

export type Representation =
  | { readonly as: 'object' }
  | { readonly as: 'table'; readonly includeObject: IncludeObject }
  | { readonly as: 'metadata' };

interface MediaRange {
  readonly type: string;
  readonly params: Readonly<Record<string, string>>;
}

function parseAccept(accept: string): MediaRange[] {
  return accept
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const [type = '', ...rawParams] = part.split(';').map((p) => p.trim());
      const params: Record<string, string> = {};
      for (const p of rawParams) {
        const eq = p.indexOf('=');
        if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
      }
      return { type: type.toLowerCase(), params };
    });
}

export function negotiate(
  accept: string | undefined,
  includeObjectParam: string | null,
): Representation {
  if (accept === undefined || accept.trim() === '') return { as: 'object' };
  for (const range of parseAccept(accept)) {
    const jsonish =
      range.type === 'application/json' || range.type === '*/*' || range.type === 'application/*';
    if (!jsonish) continue;
    const as = range.params.as;
    if (as === undefined) return { as: 'object' };
    if (range.params.g !== 'meta.k8s.io') continue;
    if (as === 'Table' && (range.params.v === 'v1' || range.params.v === 'v1beta1')) {
      const include =
        includeObjectParam === 'None' || includeObjectParam === 'Object'
          ? includeObjectParam
          : 'Metadata';
      return { as: 'table', includeObject: include };
    }
    if (
      (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') &&
      range.params.v === 'v1'
    ) {
      return { as: 'metadata' };
    }
  }
  throw new ApiError(
    406,
    StatusReason.NotAcceptable,
    `only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf`,
  );
}

function partialMetadata(obj: KubeObject): JsonObject {
  return {
    kind: 'PartialObjectMetadata',
    apiVersion: 'meta.k8s.io/v1',
    metadata: optionalObject(obj, 'metadata') ?? {},
  };
}

export function representObject(
  obj: KubeObject,
  representation: Representation,
  version: VersionView,
  now: Date,
): JsonObject {
  switch (representation.as) {
    case 'object':
      return obj;
    case 'metadata':
      return partialMetadata(obj);
    case 'table': {
      const rv = optionalObject(obj, 'metadata')?.resourceVersion;
      return buildTable(
        [obj],
        version.columns,
        now,
        representation.includeObject,
        typeof rv === 'string' ? { resourceVersion: rv } : {},
      );
    }
  }
}

export function representList(
  list: JsonObject,
  items: readonly KubeObject[],
  listMetadata: JsonObject,
  representation: Representation,
  version: VersionView,
  now: Date,
): JsonObject {
  switch (representation.as) {
    case 'object':
      return list;
    case 'metadata':
      return {
        kind: 'PartialObjectMetadataList',
        apiVersion: 'meta.k8s.io/v1',
        metadata: listMetadata,
        items: items.map(partialMetadata),
      };
    case 'table':
      return buildTable(items, version.columns, now, representation.includeObject, listMetadata);
  }
}
