import type { Clock, TimerHandle } from '../bgp/clock.ts';

export interface DebounceOptions {
  readonly clock: Clock;
  /** Quiet time after the last trigger before running (trailing edge). */
  readonly delayMs: number;
  /** Longest time from the first trigger of a burst to the run, however long the burst lasts. */
  readonly maxDelayMs: number;
  readonly run: () => void;
}

/**
 * Trailing debounce with a ceiling: a burst of triggers (a rollout touching
 * 100 EndpointSlices) runs once, `delayMs` after it goes quiet, but never
 * later than `maxDelayMs` after its first trigger; a single trigger runs
 * after `delayMs`. Time comes from the Clock, so tests use a FakeClock.
 */
export class Debouncer {
  readonly #options: DebounceOptions;
  #timer: TimerHandle | undefined;
  /** When the current burst's first trigger came; undefined when idle. */
  #burstStart: number | undefined;
  #stopped = false;

  constructor(options: DebounceOptions) {
    this.#options = options;
  }

  get pending(): boolean {
    return this.#burstStart !== undefined;
  }

  trigger(): void {
    if (this.#stopped) return;
    const { clock, delayMs, maxDelayMs } = this.#options;
    const now = clock.now();
    this.#burstStart ??= now;
    const due = Math.min(now + delayMs, this.#burstStart + maxDelayMs);
    this.#timer?.cancel();
    this.#timer = clock.setTimeout(() => this.#fire(), Math.max(0, due - now));
  }

  /** Runs now if a run is pending. */
  flush(): void {
    if (this.#burstStart !== undefined) this.#fire();
  }

  /** Drops the pending run and ignores later triggers. */
  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#burstStart = undefined;
  }

  #fire(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#burstStart = undefined;
    this.#options.run();
  }
}
