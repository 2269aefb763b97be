/**
 * Time as a dependency: the session core asks a Clock for the time and for
 * timers, so tests drive it with FakeClock and never wait for real time.
 */

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds on a monotonic scale; only differences between readings mean anything. */
  now(): number;
  /** Calls `callback` once after `delayMs` unless cancelled first. */
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
}

// Node fires a setTimeout longer than 2^31-1 ms after 1 ms; longer delays are chained.
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** The real clock: performance.now() (monotonic, unlike Date.now()) and Node's timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout(callback, delayMs) {
    let timeout: NodeJS.Timeout;
    const arm = (remaining: number): void => {
      const step = Math.min(Math.max(remaining, 0), MAX_TIMEOUT_MS);
      timeout = setTimeout(() => {
        if (remaining > step) arm(remaining - step);
        else callback();
      }, step);
    };
    arm(delayMs);
    return { cancel: () => clearTimeout(timeout) };
  },
};
