import type { JsonObject, JsonValue, KubeObject } from './json.ts';
import type { ListStrategies } from './patch.ts';
import type { FieldError } from './status.ts';

/**
 * What the server knows about one kind of object: its names (for discovery
 * and routing), how writes treat it (status subresource, generation,
 * unconditional updates), how strategic merge patches its lists, which
 * fields select it and how `kubectl get` prints it.
 */

export interface TableColumn {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  readonly format?: string;
  readonly description: string;
  /** 0 shows by default, higher only with `-o wide`. */
  readonly priority: number;
  readonly cell: (obj: KubeObject, now: Date) => JsonValue;
}

/** One served version of a kind. */
export interface VersionView {
  readonly name: string;
  readonly statusSubresource: boolean;
  /** openAPIV3Schema of a custom resource version: defaults, pruning, validation. */
  readonly schema: JsonObject | undefined;
  readonly columns: readonly TableColumn[];
}

export interface WriteContext {
  /** The stored object before this write; undefined on create. */
  readonly old: KubeObject | undefined;
  readonly subresource: '' | 'status';
  readonly now: Date;
}

export interface ResourceDefinition {
  /** '' is the core group (`/api/v1`). */
  readonly group: string;
  /** Served versions, preferred first. All share one storage. */
  readonly versions: readonly VersionView[];
  readonly kind: string;
  readonly listKind: string;
  readonly plural: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  /** Custom resources: no strategic merge patch, list items carry apiVersion/kind. */
  readonly custom: boolean;
  readonly tracksGeneration: boolean;
  /** PUT of a missing object creates it. */
  readonly allowCreateOnUpdate: boolean;
  /** PUT without metadata.resourceVersion is accepted (custom resources refuse it). */
  readonly allowUnconditionalUpdate: boolean;
  /** Create drops a status the client sent (Services, custom resources with a status subresource). */
  readonly resetStatusOnCreate: boolean;
  readonly nameFormat: 'dns-subdomain' | 'dns-label' | 'dns-1035-label' | 'path-segment';
  readonly listStrategies: ListStrategies;
  /** Field-selector values beyond metadata.name and metadata.namespace. */
  readonly selectableFields: (obj: KubeObject) => Record<string, string>;
  /** Defaults and validation of a create or update; mutates `obj`, returns problems. */
  readonly prepare: ((obj: KubeObject, ctx: WriteContext) => readonly FieldError[]) | undefined;
}

export function groupResourceKey(def: { readonly group: string; readonly plural: string }): string {
  return def.group === '' ? def.plural : `${def.plural}.${def.group}`;
}

export function apiVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}
