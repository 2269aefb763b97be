import {
  ListWatch,
  Watch,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type { Logger } from '../daemon/logger.ts';
import { describeError } from '../common/errors.ts';

export type WatchEventType = 'add' | 'update' | 'delete';

export interface ResourceWatchOptions<T extends KubernetesObject> {
  readonly kubeConfig: KubeConfig;
  /** The collection path, e.g. `/api/v1/services` or `/apis/ironlb.dev/v1beta1/ipaddresspools`. */
  readonly path: string;
  /** Lists the collection (the official client's list call for the kind). */
  readonly list: () => Promise<KubernetesListObject<T>>;
  readonly logger: Logger;
  /** Called for every change after normalisation; also for deletions found by a relist. */
  readonly onChange: (type: WatchEventType, object: T) => void;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Counts API errors (the metric), by resource. */
  readonly onApiError?: (resource: string) => void;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

/**
 * A list + watch of one resource kind that never gives up: the official
 * client's ListWatch resumes from the last resourceVersion and relists after
 * 410 Gone, but it stops for good on any other error; this restarts it with
 * capped exponential backoff and jitter. Objects are normalised to plain JSON
 * (list results are class instances with Date fields, watch events are not).
 */
export class ResourceWatch<T extends KubernetesObject> {
  readonly #options: ResourceWatchOptions<T>;
  readonly #objects = new Map<string, T>();
  #listWatch: ListWatch<T> | undefined;
  #synced = false;
  #failures = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: ResourceWatchOptions<T>) {
    this.#options = options;
  }

  get synced(): boolean {
    return this.#synced;
  }

  /** Starts watching; resolves once the first list has been delivered. */
  async start(signal: AbortSignal): Promise<void> {
    const { kubeConfig, path, labelSelector, fieldSelector } = this.#options;
    const listWatch = new ListWatch<T>(
      path,
      new Watch(kubeConfig),
      async () => {
        const list = await this.#options.list();
        this.#failures = 0;
        return list;
      },
      false,
      labelSelector,
      fieldSelector,
    );
    this.#listWatch = listWatch;
    listWatch.on('add', (obj) => this.#apply('add', obj));
    listWatch.on('update', (obj) => this.#apply('update', obj));
    listWatch.on('delete', (obj) => this.#apply('delete', obj));
    listWatch.on('error', (err: unknown) => this.#onError(err));
    signal.addEventListener('abort', () => void this.stop(), { once: true });
    while (!this.#synced && !this.#stopped) {
      await listWatch.start().catch((err: unknown) => this.#onError(err));
      // start() resolves after the list was delivered, or after reporting an error.
      if (listWatch.latestResourceVersion() !== '') this.#synced = true;
      else if (!this.#stopped) await this.#waitForRestart();
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#restartTimer);
    await this.#listWatch?.stop();
  }

  list(): T[] {
    return [...this.#objects.values()];
  }

  get(name: string, namespace?: string): T | undefined {
    return this.#objects.get(objectKey(namespace, name));
  }

  #apply(type: WatchEventType, raw: T): void {
    const object = JSON.parse(JSON.stringify(raw)) as T;
    const key = objectKey(object.metadata?.namespace, object.metadata?.name ?? '');
    if (type === 'delete') this.#objects.delete(key);
    else this.#objects.set(key, object);
    try {
      this.#options.onChange(type, object);
    } catch (err) {
      this.#options.logger.error({ err: describeError(err), key }, 'watch handler failed');
    }
  }

  #onError(err: unknown): void {
    if (this.#stopped) return;
    this.#failures++;
    this.#options.onApiError?.(this.#options.path);
    this.#options.logger.warn(
      { err: describeError(err), path: this.#options.path, failures: this.#failures },
      'watch failed; restarting',
    );
    if (this.#synced) this.#scheduleRestart();
  }

  #backoffMs(): number {
    const min = this.#options.minBackoffMs ?? 250;
    const max = this.#options.maxBackoffMs ?? 30_000;
    const base = Math.min(max, min * 2 ** Math.max(0, this.#failures - 1));
    return base / 2 + Math.random() * (base / 2);
  }

  #scheduleRestart(): void {
    clearTimeout(this.#restartTimer);
    this.#restartTimer = setTimeout(() => {
      if (this.#stopped) return;
      this.#listWatch?.start().catch((err: unknown) => this.#onError(err));
    }, this.#backoffMs());
  }

  #waitForRestart(): Promise<void> {
    return new Promise((resolve) => {
      this.#restartTimer = setTimeout(resolve, this.#backoffMs());
    });
  }
}

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace === undefined || namespace === '' ? name : `${namespace}/${name}`;
}
