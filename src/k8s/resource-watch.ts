import { Watch, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../daemon/logger.ts';
import { apiErrorText, apiStatusCode } from './kubeconfig.ts';

export type WatchEventType = 'add' | 'update' | 'delete';

/** A list as the API returns it: the items and the resourceVersion to watch from. */
export interface ResourceList<T> {
  readonly metadata?: { readonly resourceVersion?: string | undefined } | undefined;
  readonly items: readonly T[];
}

export interface ResourceWatchOptions<T extends KubernetesObject> {
  readonly kubeConfig: KubeConfig;
  /** The collection path, e.g. `/api/v1/services` or `/apis/ironlb.dev/v1beta1/namespaces/x/ipaddresspools`. */
  readonly path: string;
  /** Lists the collection (the official client's list call for the kind, with the same selectors). */
  readonly list: () => Promise<ResourceList<T>>;
  readonly logger: Logger;
  /**
   * Called for every change after normalisation, also for changes a relist
   * found (an object that vanished meanwhile is reported deleted). `previous`
   * is the cached object an update or delete replaces.
   */
  readonly onChange?: (type: WatchEventType, object: T, previous: T | undefined) => void;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Stamped on objects that lack them (list items carry no apiVersion and kind). */
  readonly apiVersion?: string;
  readonly kind?: string;
  /** The resource name for the error metric; default the path. */
  readonly resource?: string;
  /** Counts API errors (the metric), by resource. */
  readonly onApiError?: (resource: string) => void;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /**
   * What the cache keeps of each object (client-go's informer transform):
   * onChange sees the whole object, the cache (`get`, `list`, onChange's
   * `previous`) only what this returns. Must keep metadata.name, namespace and
   * resourceVersion. metadata.managedFields is always dropped first (it is
   * often larger than the rest of the object, and nothing here reads it).
   */
  readonly keep?: (object: T) => T;
}

/** How one watch request ended. */
type WatchEnd =
  | { readonly kind: 'closed'; readonly events: number }
  /** 410 Gone (an ERROR event or the HTTP status): the resourceVersion is too old; relist. */
  | { readonly kind: 'expired' }
  | { readonly kind: 'failed'; readonly error: unknown };

/**
 * A list + watch of one resource kind that never gives up, on top of the
 * official client's `Watch` (one watch request):
 *
 * - lists, then watches from the list's resourceVersion; a watch that ends is
 *   resumed from the last resourceVersion seen, without relisting;
 * - 410 Gone (compaction, or a watch cache that moved on) relists, and the
 *   relist is compared with the cache, so objects deleted meanwhile are
 *   reported deleted;
 * - any other error (failed list, non-200 watch, a dropped connection) is
 *   counted and retried with capped exponential backoff and jitter;
 * - `resync()` forces a fresh list (a quorum read), e.g. when a replica
 *   becomes leader and must see the previous leader's last writes.
 *
 * (client-node's ListWatch stops for good on any error but 410, and its
 * restart races with the abort of the previous request; hence this loop.)
 *
 * Objects are normalised to plain JSON: list results are class instances
 * with Date fields, watch events are not.
 */
export class ResourceWatch<T extends KubernetesObject> {
  readonly #options: ResourceWatchOptions<T>;
  readonly #watch: Watch;
  readonly #objects = new Map<string, T>();
  #resourceVersion = '';
  #relistRequested = false;
  #synced = false;
  #failures = 0;
  #stopped = false;
  #running: Promise<void> | undefined;
  #request: AbortController | undefined;
  /** Ends the current watch wait at once (resync, stop), even before its headers arrived. */
  #endWatch: (() => void) | undefined;
  /** Bumped whenever the current watch is abandoned; events of older watches are ignored. */
  #generation = 0;
  /** Settles when the newest watch request has been answered (and, if abandoned, aborted). */
  #connecting: Promise<void> = Promise.resolve();
  #wake: (() => void) | undefined;
  #relistWaiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  #syncWaiters: Array<() => void> = [];

  constructor(options: ResourceWatchOptions<T>) {
    this.#options = options;
    this.#watch = new Watch(options.kubeConfig);
  }

  /** True once the first list has been delivered. */
  get synced(): boolean {
    return this.#synced;
  }

  /** The resource name used in logs and the error metric. */
  get resource(): string {
    return this.#options.resource ?? this.#options.path;
  }

  /** Starts watching; resolves once the first list has been delivered (or the watch stopped). */
  async start(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) return;
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
    this.#running ??= this.#run();
    await this.waitForSync();
  }

  /** Resolves when synced, or when the watch is stopped. */
  waitForSync(): Promise<void> {
    if (this.#synced || this.#stopped) return Promise.resolve();
    return new Promise((resolve) => this.#syncWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#abandonWatch();
    this.#wake?.();
    for (const resolve of this.#syncWaiters.splice(0)) resolve();
    for (const waiter of this.#relistWaiters.splice(0)) waiter.reject(new Error('watch stopped'));
    await this.#running;
    // A request still connecting is aborted when its answer comes; wait for that, briefly.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#connecting,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, 1000))),
    ]);
    clearTimeout(timer);
  }

  /**
   * Lists again now (ending the current watch) and applies the result as a
   * relist; resolves once the cache reflects it. Rejects if the watch stops first.
   */
  resync(): Promise<void> {
    if (this.#stopped) return Promise.reject(new Error('watch stopped'));
    const done = new Promise<void>((resolve, reject) =>
      this.#relistWaiters.push({ resolve, reject }),
    );
    this.#relistRequested = true;
    this.#abandonWatch();
    this.#wake?.();
    return done;
  }

  /**
   * Stops listening to the current watch request now. Its AbortController
   * only exists once the response headers are in, so the request is aborted
   * as soon as it can be; its events are ignored from here on.
   */
  #abandonWatch(): void {
    this.#generation++;
    this.#request?.abort();
    this.#request = undefined;
    this.#endWatch?.();
  }

  list(): T[] {
    return [...this.#objects.values()];
  }

  get(name: string, namespace?: string): T | undefined {
    return this.#objects.get(objectKey(namespace, name));
  }

  get size(): number {
    return this.#objects.size;
  }

  async #run(): Promise<void> {
    const { logger } = this.#options;
    while (!this.#stopped) {
      try {
        if (this.#resourceVersion === '' || this.#relistRequested) {
          await this.#relist();
          continue;
        }
        const startedAt = performance.now();
        const end = await this.#watchOnce();
        if (this.#stopped) break;
        if (end.kind === 'expired') {
          logger.debug({ resource: this.resource }, 'watch expired (410); relisting');
          this.#resourceVersion = '';
        } else if (end.kind === 'failed') {
          // A relist was asked for while the watch ran: not a failure.
          if (this.#relistRequested) continue;
          await this.#failed(end.error);
        } else if (end.events === 0 && performance.now() - startedAt < this.#minBackoffMs()) {
          // A server that ends every watch at once must not make this a hot loop.
          await this.#sleep(this.#minBackoffMs());
        }
      } catch (err) {
        if (this.#stopped) break;
        if (apiStatusCode(err) === 410) {
          this.#resourceVersion = '';
          continue;
        }
        await this.#failed(err);
      }
    }
  }

  async #relist(): Promise<void> {
    this.#relistRequested = false;
    const waiters = this.#relistWaiters.splice(0);
    let list: ResourceList<T>;
    try {
      list = await this.#options.list();
    } catch (err) {
      // The waiters stay for the next successful relist.
      this.#relistWaiters.unshift(...waiters);
      if (waiters.length > 0) this.#relistRequested = true;
      throw err;
    }
    if (this.#stopped) {
      for (const waiter of waiters) waiter.reject(new Error('watch stopped'));
      return;
    }
    const seen = new Set<string>();
    for (const raw of list.items) {
      const object = this.#normalise(raw);
      const key = keyOf(object);
      seen.add(key);
      this.#store(object, key);
    }
    for (const [key, previous] of [...this.#objects]) {
      if (!seen.has(key)) this.#remove(key, previous);
    }
    this.#resourceVersion = list.metadata?.resourceVersion ?? '';
    this.#failures = 0;
    if (!this.#synced) {
      this.#synced = true;
      for (const resolve of this.#syncWaiters.splice(0)) resolve();
    }
    for (const waiter of waiters) waiter.resolve();
  }

  #watchOnce(): Promise<WatchEnd> {
    const { path, labelSelector, fieldSelector } = this.#options;
    const generation = this.#generation;
    const current = (): boolean => generation === this.#generation && !this.#stopped;
    return new Promise<WatchEnd>((resolve) => {
      this.#endWatch = () => {
        this.#endWatch = undefined;
        resolve({ kind: 'failed', error: new Error('watch abandoned') });
      };
      let events = 0;
      let expired = false;
      let failure: unknown;
      const query: Record<string, string | boolean> = {
        resourceVersion: this.#resourceVersion,
        allowWatchBookmarks: true,
      };
      if (labelSelector !== undefined) query.labelSelector = labelSelector;
      if (fieldSelector !== undefined) query.fieldSelector = fieldSelector;
      const onEvent = (phase: string, raw: unknown): void => {
        if (!current()) return;
        if (phase === 'ERROR') {
          const status = raw as { code?: unknown; message?: unknown };
          if (status.code === 410) expired = true;
          else failure ??= new Error(`watch ERROR event: ${JSON.stringify(raw)}`);
          return;
        }
        const object = this.#normalise(raw as T);
        const version = object.metadata?.resourceVersion;
        if (phase === 'ADDED' || phase === 'MODIFIED') {
          this.#store(object, keyOf(object));
        } else if (phase === 'DELETED') {
          const key = keyOf(object);
          const previous = this.#objects.get(key);
          if (previous !== undefined) this.#remove(key, object);
        } else if (phase !== 'BOOKMARK') {
          return;
        }
        events++;
        this.#failures = 0;
        if (version !== undefined && version !== '') this.#resourceVersion = version;
      };
      const onDone = (err: unknown): void => {
        if (!current()) return;
        this.#request = undefined;
        this.#endWatch = undefined;
        if (expired || apiStatusCode(err) === 410) resolve({ kind: 'expired' });
        else if (failure !== undefined) resolve({ kind: 'failed', error: failure });
        else if (err === null || err === undefined || isTimeout(err))
          resolve({ kind: 'closed', events });
        else resolve({ kind: 'failed', error: err });
      };
      this.#connecting = this.#watch.watch(path, query, onEvent, onDone).then(
        (controller) => {
          // Abandoned while connecting: abort it now. (If done was already called, aborting is harmless.)
          if (current()) this.#request = controller;
          else controller.abort();
        },
        (err: unknown) => onDone(err ?? new Error('watch request failed')),
      );
    });
  }

  /** Stores an added or updated object; reports it unless it is the version already cached. */
  #store(object: T, key: string): void {
    const previous = this.#objects.get(key);
    const version = object.metadata?.resourceVersion;
    if (
      previous !== undefined &&
      version !== undefined &&
      previous.metadata?.resourceVersion === version
    ) {
      return;
    }
    this.#objects.set(key, this.#options.keep?.(object) ?? object);
    this.#notify(previous === undefined ? 'add' : 'update', object, previous);
  }

  #remove(key: string, last: T): void {
    const previous = this.#objects.get(key);
    this.#objects.delete(key);
    this.#notify('delete', last, previous);
  }

  #notify(type: WatchEventType, object: T, previous: T | undefined): void {
    try {
      this.#options.onChange?.(type, object, previous);
    } catch (err) {
      this.#options.logger.error(
        { err: err instanceof Error ? err.message : String(err), resource: this.resource },
        'watch handler failed',
      );
    }
  }

  #normalise(raw: T): T {
    const object = JSON.parse(JSON.stringify(raw)) as T;
    if (object.metadata?.managedFields !== undefined) delete object.metadata.managedFields;
    if (object.apiVersion === undefined && this.#options.apiVersion !== undefined)
      object.apiVersion = this.#options.apiVersion;
    if (object.kind === undefined && this.#options.kind !== undefined)
      object.kind = this.#options.kind;
    return object;
  }

  async #failed(err: unknown): Promise<void> {
    this.#failures++;
    this.#options.onApiError?.(this.resource);
    const delay = this.#backoffMs();
    this.#options.logger.warn(
      {
        err: apiErrorText(err),
        resource: this.resource,
        failures: this.#failures,
        retryInMs: Math.round(delay),
      },
      'list/watch failed; retrying',
    );
    await this.#sleep(delay);
  }

  #minBackoffMs(): number {
    return this.#options.minBackoffMs ?? 250;
  }

  #backoffMs(): number {
    const min = this.#minBackoffMs();
    const max = this.#options.maxBackoffMs ?? 30_000;
    const base = Math.min(max, min * 2 ** Math.min(30, Math.max(0, this.#failures - 1)));
    return base / 2 + Math.random() * (base / 2);
  }

  /** Sleeps, cut short by stop() or resync(). */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = undefined;
        done();
      };
    });
  }
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && err.name === 'TimeoutError';
}

function keyOf(object: KubernetesObject): string {
  return objectKey(object.metadata?.namespace, object.metadata?.name ?? '');
}

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace === undefined || namespace === '' ? name : `${namespace}/${name}`;
}
