import type { Clock, TimerHandle } from '../bgp/clock.ts';

export interface DebounceOptions {
  readonly clock: Clock;
  /** Quiet time after the last trigger before running (trailing edge). */
  readonly delayMs: number;
  /** Longest time from the first trigger of a burst to the run, however long the burst lasts. */
  readonly maxDelayMs: number;
  /**
   * After a run that reports it took T ms, the next waits at least
   * `busyFactor` × T after it, so runs take at most 1/(1 + busyFactor) of the
   * time however fast triggers come (default 0: no spacing). This overrides
   * maxDelayMs while runs are slow.
   */
  readonly busyFactor?: number;
  /** Does the work; may return what it cost, in ms (for busyFactor). */
  readonly run: () => number | void;
}

/**
 * Trailing debounce with a ceiling: a burst of triggers (a rollout touching
 * 100 EndpointSlices) runs once, `delayMs` after it goes quiet, but never
 * later than `maxDelayMs` after its first trigger; a single trigger runs
 * after `delayMs`. Runs that report their cost can be spaced (busyFactor),
 * so work that grows with the cluster cannot take a whole core. Time comes
 * from the Clock, so tests use a FakeClock.
 */
export class Debouncer {
  readonly #options: DebounceOptions;
  #timer: TimerHandle | undefined;
  /** When the current burst's first trigger came; undefined when idle. */
  #burstStart: number | undefined;
  /** No run before this (busyFactor × the last run's cost after it). */
  #quietUntil = -Infinity;
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
    const due = Math.max(Math.min(now + delayMs, this.#burstStart + maxDelayMs), this.#quietUntil);
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
    const cost = this.#options.run();
    if (typeof cost === 'number' && this.#options.busyFactor !== undefined) {
      this.#quietUntil = this.#options.clock.now() + this.#options.busyFactor * cost;
    }
  }
}
