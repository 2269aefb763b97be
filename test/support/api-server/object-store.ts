import { deepClone, metadataOf, nameOf, namespaceOf, type KubeObject } from './json.ts';

/**
 * All objects, one revision counter shared by every kind (like etcd's), and
 * a bounded history of changes from which watches replay. An event older
 * than the history window is gone: watching from before it gets 410.
 */

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  readonly revision: number;
  readonly type: ChangeType;
  /** `services`, `leases.coordination.k8s.io`, ... */
  readonly groupResource: string;
  /** The object after the change; for DELETED its last state, stamped with the deletion revision. */
  readonly object: KubeObject;
  /** The object before the change (MODIFIED, DELETED). */
  readonly previous: KubeObject | undefined;
}

export interface ObjectStoreOptions {
  /** How many events watches can replay. */
  readonly historyLimit: number;
}

function objectKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export class ObjectStore {
  readonly #objects = new Map<string, Map<string, KubeObject>>();
  readonly #history: StoreEvent[] = [];
  readonly #listeners = new Set<(event: StoreEvent) => void>();
  readonly #historyLimit: number;
  #revision = 0;
  #compactedRevision = 0;

  constructor(options: ObjectStoreOptions) {
    this.#historyLimit = options.historyLimit;
  }

  /** The latest revision (every write increments it). */
  get revision(): number {
    return this.#revision;
  }

  /** Watching from a revision below this one is answered with 410 Gone. */
  get compactedRevision(): number {
    return this.#compactedRevision;
  }

  get(groupResource: string, namespace: string, name: string): KubeObject | undefined {
    const found = this.#objects.get(groupResource)?.get(objectKey(namespace, name));
    return found === undefined ? undefined : deepClone(found);
  }

  /** Objects of one kind (in one namespace when given), in key order like etcd. */
  list(groupResource: string, namespace?: string): KubeObject[] {
    const bucket = this.#objects.get(groupResource);
    if (bucket === undefined) return [];
    return [...bucket.entries()]
      .filter(([, obj]) => namespace === undefined || namespaceOf(obj) === namespace)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, obj]) => deepClone(obj));
  }

  /**
   * Visits the stored objects of one kind without copying them (a benchmark
   * polling 10k objects must not spend the CPU the daemons under test need).
   * The objects are the store's own: read them, never change them.
   */
  scan(
    groupResource: string,
    namespace: string | undefined,
    visit: (object: Readonly<KubeObject>) => void,
  ): void {
    for (const obj of this.#objects.get(groupResource)?.values() ?? []) {
      if (namespace === undefined || namespaceOf(obj) === namespace) visit(obj);
    }
  }

  /** Stores a new object, stamping its resourceVersion; emits ADDED. */
  create(groupResource: string, obj: KubeObject): KubeObject {
    return this.#write(groupResource, obj, 'ADDED', undefined);
  }

  /** Replaces an existing object, stamping its resourceVersion; emits MODIFIED. */
  replace(groupResource: string, obj: KubeObject): KubeObject {
    const previous = this.get(groupResource, namespaceOf(obj), nameOf(obj));
    return this.#write(groupResource, obj, previous === undefined ? 'ADDED' : 'MODIFIED', previous);
  }

  /**
   * Removes an object; emits DELETED carrying `finalState` when given (an
   * update that dropped the last finalizer) or the stored object.
   * Undefined when there was none.
   */
  remove(
    groupResource: string,
    namespace: string,
    name: string,
    finalState?: KubeObject,
  ): KubeObject | undefined {
    const bucket = this.#objects.get(groupResource);
    const previous = bucket?.get(objectKey(namespace, name));
    if (bucket === undefined || previous === undefined) return undefined;
    bucket.delete(objectKey(namespace, name));
    const revision = ++this.#revision;
    const last = deepClone(finalState ?? previous);
    metadataOf(last).resourceVersion = String(revision);
    this.#record({
      revision,
      type: 'DELETED',
      groupResource,
      object: last,
      previous: deepClone(previous),
    });
    return deepClone(last);
  }

  /** Removes every object of a kind (a deleted CRD takes its objects along). */
  removeAll(groupResource: string): void {
    for (const obj of this.list(groupResource))
      this.remove(groupResource, namespaceOf(obj), nameOf(obj));
  }

  /**
   * Events of one kind after `revision`, oldest first; undefined when some of
   * them have left the history window (the caller answers 410).
   */
  eventsAfter(revision: number, groupResource: string): StoreEvent[] | undefined {
    if (revision < this.#compactedRevision) return undefined;
    return this.#history.filter((e) => e.revision > revision && e.groupResource === groupResource);
  }

  /** Forgets the whole history, like an etcd compaction at the current revision. */
  compact(): void {
    this.#history.length = 0;
    this.#compactedRevision = this.#revision;
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #write(
    groupResource: string,
    obj: KubeObject,
    type: ChangeType,
    previous: KubeObject | undefined,
  ): KubeObject {
    const revision = ++this.#revision;
    const stored = deepClone(obj);
    metadataOf(stored).resourceVersion = String(revision);
    let bucket = this.#objects.get(groupResource);
    if (bucket === undefined) {
      bucket = new Map();
      this.#objects.set(groupResource, bucket);
    }
    bucket.set(objectKey(namespaceOf(stored), nameOf(stored)), stored);
    this.#record({ revision, type, groupResource, object: deepClone(stored), previous });
    return deepClone(stored);
  }

  #record(event: StoreEvent): void {
    this.#history.push(event);
    while (this.#history.length > this.#historyLimit) {
      const dropped = this.#history.shift();
      if (dropped !== undefined) this.#compactedRevision = dropped.revision;
    }
    for (const listener of this.#listeners) listener(event);
  }
}
