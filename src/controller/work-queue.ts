/**
 * A work queue keyed by object (client-go's workqueue semantics): a key is
 * queued at most once however often it is added; a key being processed is
 * never processed twice at once, and if it is added meanwhile it runs again
 * afterwards. Failed keys come back after a per-key exponential backoff, so
 * an API that keeps failing never turns into a hot loop.
 */

export type ProcessResult = 'done' | 'retry';

export interface WorkQueueOptions {
  /** Handles one key; 'retry' (or a throw) brings it back after the key's backoff. */
  readonly process: (key: string) => Promise<ProcessResult>;
  /** Keys processed at once (different keys only). */
  readonly concurrency?: number;
  readonly minRetryMs?: number;
  readonly maxRetryMs?: number;
  /** Told about every throw from `process` (the key is retried). */
  readonly onError?: (key: string, err: unknown) => void;
}

export class WorkQueue {
  readonly #options: WorkQueueOptions;
  readonly #queue: string[] = [];
  #head = 0;
  readonly #dirty = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #failures = new Map<string, number>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #idleWaiters: Array<() => void> = [];
  #active = 0;
  #stopped = false;
  #drained: Promise<void> | undefined;
  #resolveDrained: (() => void) | undefined;

  constructor(options: WorkQueueOptions) {
    this.#options = options;
  }

  /** Queues the key (once); starts processing if a worker is free. */
  add(key: string): void {
    if (this.#stopped || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (!this.#processing.has(key)) this.#queue.push(key);
    this.#pump();
  }

  /** Keys waiting (not counting keys being processed or waiting for a retry). */
  get length(): number {
    return this.#queue.length - this.#head;
  }

  /** Keys waiting for their retry backoff. */
  get retrying(): number {
    return this.#timers.size;
  }

  /** Resolves when nothing is queued, nothing is being processed and no retry is pending. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Takes no more work, cancels pending retries, and resolves once in-flight keys finished. */
  stop(): Promise<void> {
    if (!this.#stopped) {
      this.#stopped = true;
      for (const timer of this.#timers.values()) clearTimeout(timer);
      this.#timers.clear();
      this.#queue.length = 0;
      this.#head = 0;
      this.#dirty.clear();
      this.#drained = new Promise((resolve) => {
        this.#resolveDrained = resolve;
      });
      this.#checkDrained();
      this.#notifyIdle();
    }
    return this.#drained ?? Promise.resolve();
  }

  /** The backoff before the n-th retry of a key: min·2^(n-1), capped. */
  static backoffMs(failures: number, minMs: number, maxMs: number): number {
    return Math.min(maxMs, minMs * 2 ** Math.min(30, Math.max(0, failures - 1)));
  }

  #pump(): void {
    const concurrency = this.#options.concurrency ?? 1;
    while (!this.#stopped && this.#active < concurrency && this.#head < this.#queue.length) {
      const key = this.#queue[this.#head++]!;
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue.splice(0, this.#head);
        this.#head = 0;
      }
      this.#dirty.delete(key);
      this.#processing.add(key);
      this.#active++;
      void this.#run(key);
    }
  }

  async #run(key: string): Promise<void> {
    let result: ProcessResult;
    try {
      result = await this.#options.process(key);
    } catch (err) {
      this.#options.onError?.(key, err);
      result = 'retry';
    }
    this.#active--;
    this.#processing.delete(key);
    if (!this.#stopped) {
      if (result === 'retry') this.#scheduleRetry(key);
      else this.#failures.delete(key);
      // Added while it was processed: run it again.
      if (this.#dirty.has(key)) this.#queue.push(key);
      this.#pump();
    }
    this.#checkDrained();
    this.#notifyIdle();
  }

  #scheduleRetry(key: string): void {
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    if (this.#timers.has(key)) return;
    const base = WorkQueue.backoffMs(
      failures,
      this.#options.minRetryMs ?? 100,
      this.#options.maxRetryMs ?? 60_000,
    );
    // Jitter, so keys that failed together do not come back together.
    const delay = base * (0.75 + Math.random() * 0.5);
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      this.add(key);
      this.#notifyIdle();
    }, delay);
    this.#timers.set(key, timer);
  }

  #isIdle(): boolean {
    return (
      this.#active === 0 &&
      this.#head >= this.#queue.length &&
      (this.#stopped || this.#timers.size === 0)
    );
  }

  #notifyIdle(): void {
    if (!this.#isIdle()) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  #checkDrained(): void {
    if (this.#stopped && this.#active === 0) {
      this.#resolveDrained?.();
      this.#resolveDrained = undefined;
    }
  }
}
