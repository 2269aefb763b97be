import type { Clock, TimerHandle } from './clock.ts';

interface FakeTimer {
  readonly id: number;
  readonly dueAt: number;
  readonly callback: () => void;
}

/**
 * A Clock for tests: time stands still until advance() moves it, firing due
 * timers in order of due time (then of scheduling), each with now() equal to
 * its due time. Timers scheduled by callbacks fire too when they fall due
 * within the same advance.
 */
export class FakeClock implements Clock {
  #now: number;
  #nextId = 0;
  readonly #timers = new Map<number, FakeTimer>();

  constructor(startMs = 0) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const id = this.#nextId++;
    this.#timers.set(id, { id, dueAt: this.#now + Math.max(0, delayMs), callback });
    return { cancel: () => this.#timers.delete(id) };
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (let timer = this.#nextDue(target); timer !== undefined; timer = this.#nextDue(target)) {
      this.#fire(timer);
    }
    this.#now = target;
  }

  /**
   * Like advance(), but lets promise callbacks run after each timer (and before
   * the next), for code that awaits inside a timer callback.
   */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.#now + ms;
    await settle();
    for (let timer = this.#nextDue(target); timer !== undefined; timer = this.#nextDue(target)) {
      this.#fire(timer);
      await settle();
    }
    this.#now = target;
  }

  /** How many timers are scheduled and not yet fired or cancelled. */
  get pendingCount(): number {
    return this.#timers.size;
  }

  /** Milliseconds until the next timer is due, or undefined when none is scheduled. */
  nextDueInMs(): number | undefined {
    const next = this.#nextDue(Infinity);
    return next === undefined ? undefined : next.dueAt - this.#now;
  }

  #nextDue(limit: number): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const timer of this.#timers.values()) {
      if (timer.dueAt > limit) continue;
      if (best === undefined || timer.dueAt < best.dueAt) best = timer;
      // Map iteration follows insertion (= id) order, so ties keep scheduling order.
    }
    return best;
  }

  #fire(timer: FakeTimer): void {
    this.#timers.delete(timer.id);
    this.#now = Math.max(this.#now, timer.dueAt);
    timer.callback();
  }
}

/** Lets queued promise callbacks (and their follow-ups) run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
