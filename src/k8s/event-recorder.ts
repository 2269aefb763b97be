import { randomBytes } from 'node:crypto';
import {
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type { Logger } from '../daemon/logger.ts';
import { apiErrorText, apiStatusCode } from './kubeconfig.ts';

export type EventType = 'Normal' | 'Warning';

export interface RecordedEvent {
  readonly type: EventType;
  /** A stable CamelCase reason (`IPAllocated`, `AllocationFailed`, `nodeAnnouncing`, …). */
  readonly reason: string;
  readonly message: string;
}

/**
 * Writes core/v1 Events about objects, best effort: a failed write is logged,
 * never thrown (events must not block reconciliation). Repeats of the same
 * event on the same object within the aggregation window bump `count` on the
 * existing Event instead of creating a new one, as kubelet's recorder does.
 */
/** Below this many remembered events the table is never scanned. */
const PRUNE_MIN_ENTRIES = 4096;

export class EventRecorder {
  readonly #api: CoreV1Api;
  readonly #component: string;
  readonly #host: string | undefined;
  readonly #logger: Logger;
  readonly #now: () => Date;
  readonly #recent = new Map<
    string,
    { name: string; namespace: string; count: number; at: number }
  >();
  readonly #windowMs: number;
  readonly #onError: (() => void) | undefined;
  readonly #pruneMinEntries: number;
  #pruneAt: number;

  constructor(options: {
    kubeConfig: KubeConfig;
    component: string;
    host?: string;
    logger: Logger;
    now?: () => Date;
    aggregationWindowMs?: number;
    /** Remembered events below which the table is never scanned for old ones (default 4096). */
    pruneMinEntries?: number;
    /** Called when a write fails (the API error metric). */
    onError?: () => void;
  }) {
    this.#api = options.kubeConfig.makeApiClient(CoreV1Api);
    this.#component = options.component;
    this.#host = options.host;
    this.#logger = options.logger;
    this.#now = options.now ?? (() => new Date());
    this.#windowMs = options.aggregationWindowMs ?? 10 * 60_000;
    this.#onError = options.onError;
    this.#pruneMinEntries = options.pruneMinEntries ?? PRUNE_MIN_ENTRIES;
    this.#pruneAt = this.#pruneMinEntries;
  }

  async record(object: KubernetesObject, event: RecordedEvent): Promise<void> {
    const meta = object.metadata ?? {};
    const namespace = meta.namespace ?? 'default';
    const key = [
      meta.uid ?? `${namespace}/${meta.name}`,
      event.type,
      event.reason,
      event.message,
    ].join('\u0000');
    const now = this.#now();
    const previous = this.#recent.get(key);
    try {
      if (previous !== undefined && now.getTime() - previous.at < this.#windowMs) {
        previous.count++;
        previous.at = now.getTime();
        try {
          await this.#api.patchNamespacedEvent(
            {
              name: previous.name,
              namespace: previous.namespace,
              body: { count: previous.count, lastTimestamp: now.toISOString() },
            },
            setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
          );
          return;
        } catch (err) {
          // The Event expired or was deleted: forget it and write a new one.
          this.#recent.delete(key);
          if (apiStatusCode(err) !== 404) throw err;
        }
      }
      const name = `${meta.name ?? 'object'}.${randomBytes(8).toString('hex')}`;
      await this.#api.createNamespacedEvent({
        namespace,
        body: {
          metadata: { name, namespace },
          involvedObject: {
            apiVersion: object.apiVersion ?? 'v1',
            kind: object.kind ?? 'Service',
            name: meta.name ?? '',
            namespace,
            ...(meta.uid === undefined ? {} : { uid: meta.uid }),
            ...(meta.resourceVersion === undefined
              ? {}
              : { resourceVersion: meta.resourceVersion }),
          },
          type: event.type,
          reason: event.reason,
          message: event.message,
          source: {
            component: this.#component,
            ...(this.#host === undefined ? {} : { host: this.#host }),
          },
          reportingComponent: this.#component,
          ...(this.#host === undefined ? {} : { reportingInstance: this.#host }),
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      });
      this.#recent.set(key, { name, namespace, count: 1, at: now.getTime() });
      this.#prune(now.getTime());
    } catch (err) {
      this.#onError?.();
      this.#logger.warn({ err: apiErrorText(err), reason: event.reason }, 'could not write event');
    }
  }

  /** Events remembered for aggregation (old ones are forgotten in amortised passes). */
  get remembered(): number {
    return this.#recent.size;
  }

  /**
   * Forgets entries older than the window once the table has doubled since
   * the last pass (at least 4096): amortised O(1) per event, where a pass per
   * event cost O(entries) each while 10k recent events were all still fresh.
   */
  #prune(now: number): void {
    if (this.#recent.size < this.#pruneAt) return;
    for (const [key, entry] of this.#recent) {
      if (now - entry.at >= this.#windowMs) this.#recent.delete(key);
    }
    this.#pruneAt = Math.max(this.#pruneMinEntries, 2 * this.#recent.size);
  }
}
