import { Writable } from 'node:stream';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { createLogger, type Logger } from '../../src/daemon/logger.ts';
import {
  ResourceWatch,
  type ResourceList,
  type WatchEventType,
} from '../../src/k8s/resource-watch.ts';
import type { LabLog } from './lab.ts';

/**
 * The lab's Kubernetes components (the EndpointSlice controller, the node
 * dataplane standing in for kube-proxy) list and watch through the API with
 * the official client, on ironlb's ResourceWatch (which resumes, relists on
 * 410 and retries, where the client's informer stops on errors).
 */

/** A pino logger whose warnings and errors become lab progress lines. */
export function labLogger(name: string, log: LabLog): Logger {
  let partial = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      partial += chunk.toString('utf8');
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        try {
          const entry = JSON.parse(line) as { msg?: unknown; err?: unknown; resource?: unknown };
          const err = entry.err as { message?: unknown } | string | undefined;
          const detail =
            typeof err === 'string'
              ? `: ${err}`
              : typeof err?.message === 'string'
                ? `: ${err.message}`
                : '';
          const resource = typeof entry.resource === 'string' ? ` (${entry.resource})` : '';
          log(`${name}: ${String(entry.msg)}${resource}${detail}`);
        } catch {
          log(`${name}: ${line}`);
        }
      }
      callback();
    },
  });
  return createLogger({ name, level: 'warn', destination: sink });
}

export interface WatchSpec<T extends KubernetesObject> {
  readonly path: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly list: () => Promise<ResourceList<T>>;
  readonly labelSelector?: string;
}

export function watchResource<T extends KubernetesObject>(
  kubeConfig: KubeConfig,
  logger: Logger,
  spec: WatchSpec<T>,
  onChange: (type: WatchEventType, object: T) => void,
): ResourceWatch<T> {
  return new ResourceWatch<T>({
    kubeConfig,
    logger,
    path: spec.path,
    apiVersion: spec.apiVersion,
    kind: spec.kind,
    list: spec.list,
    resource: spec.path,
    minBackoffMs: 50,
    maxBackoffMs: 1000,
    ...(spec.labelSelector === undefined ? {} : { labelSelector: spec.labelSelector }),
    onChange: (type, object) => onChange(type, object),
  });
}

/**
 * Runs `work` again whenever `request()` was called since it last started,
 * one run at a time: bursts of watch events become one or two runs.
 * `settled()` resolves once every request so far has been served.
 */
export class CoalescingRunner {
  readonly #work: () => Promise<void>;
  readonly #onError: (err: unknown) => void;
  #requested = 0;
  #served = 0;
  #stopped = false;
  #running: Promise<void> | undefined;
  #waiters: Array<{ until: number; resolve: () => void }> = [];

  constructor(work: () => Promise<void>, onError: (err: unknown) => void) {
    this.#work = work;
    this.#onError = onError;
  }

  request(): void {
    if (this.#stopped) return;
    this.#requested++;
    this.#running ??= this.#loop();
  }

  async #loop(): Promise<void> {
    try {
      while (this.#served < this.#requested) {
        const target = this.#requested;
        try {
          await this.#work();
        } catch (err) {
          this.#onError(err);
          // Try again shortly (the API or a command may have failed transiently).
          if (!this.#stopped) setTimeout(() => this.request(), 200).unref();
        }
        this.#served = target;
        if (this.#stopped) break;
        this.#waiters = this.#waiters.filter((w) => {
          if (w.until > this.#served) return true;
          w.resolve();
          return false;
        });
      }
    } finally {
      this.#running = undefined;
    }
  }

  /** Resolves when every request made before this call has been served. */
  settled(): Promise<void> {
    const until = this.#requested;
    if (this.#served >= until) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ until, resolve }));
  }

  /** No more runs; waits for a run in progress to end. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
    for (const waiter of this.#waiters.splice(0)) waiter.resolve();
  }
}
