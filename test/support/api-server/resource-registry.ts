import { compareKubeVersions } from './crd.ts';
import {
  groupResourceKey,
  type ResourceDefinition,
  type VersionView,
} from './resource-definition.ts';

/**
 * The kinds the server currently serves, keyed by group and plural. CRDs
 * add and remove entries at run time; tests may register kinds directly.
 */

export interface ResolvedResource {
  readonly definition: ResourceDefinition;
  readonly version: VersionView;
}

export interface GroupVersions {
  readonly group: string;
  /** Preferred first. */
  readonly versions: readonly string[];
}

export class ResourceRegistry {
  readonly #byKey = new Map<string, ResourceDefinition>();

  register(definition: ResourceDefinition): void {
    this.#byKey.set(groupResourceKey(definition), definition);
  }

  unregister(group: string, plural: string): boolean {
    return this.#byKey.delete(groupResourceKey({ group, plural }));
  }

  byGroupResource(group: string, plural: string): ResourceDefinition | undefined {
    return this.#byKey.get(groupResourceKey({ group, plural }));
  }

  resolve(group: string, version: string, plural: string): ResolvedResource | undefined {
    const definition = this.byGroupResource(group, plural);
    const view = definition?.versions.find((v) => v.name === version);
    return definition === undefined || view === undefined
      ? undefined
      : { definition, version: view };
  }

  /** By `apiVersion` and `kind`, as objects name their own type. */
  byKind(apiVersion: string, kind: string): ResolvedResource | undefined {
    const slash = apiVersion.lastIndexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = apiVersion.slice(slash + 1);
    for (const definition of this.#byKey.values()) {
      if (definition.group !== group || definition.kind !== kind) continue;
      const view = definition.versions.find((v) => v.name === version);
      if (view !== undefined) return { definition, version: view };
    }
    return undefined;
  }

  all(): ResourceDefinition[] {
    return [...this.#byKey.values()];
  }

  /** Every group with its served versions; the core group is not included. */
  groups(): GroupVersions[] {
    const versions = new Map<string, Set<string>>();
    for (const definition of this.#byKey.values()) {
      if (definition.group === '') continue;
      const set = versions.get(definition.group) ?? new Set<string>();
      for (const v of definition.versions) set.add(v.name);
      versions.set(definition.group, set);
    }
    return [...versions.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([group, set]) => ({ group, versions: [...set].sort(compareKubeVersions) }));
  }

  /** Every kind served at `group/version`. */
  inGroupVersion(group: string, version: string): ResolvedResource[] {
    const result: ResolvedResource[] = [];
    for (const definition of this.#byKey.values()) {
      if (definition.group !== group) continue;
      const view = definition.versions.find((v) => v.name === version);
      if (view !== undefined) result.push({ definition, version: view });
    }
    return result.sort((a, b) => a.definition.plural.localeCompare(b.definition.plural));
  }
}
