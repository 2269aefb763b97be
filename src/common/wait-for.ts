import { setTimeout as sleep } from 'node:timers/promises';
import { type ErrorSpec, IronlbError } from './errors.ts';

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** Said in the timeout error: what was awaited. */
  readonly what: string;
  /** Checked before every probe: an error to fail with at once (the awaited thing cannot happen). */
  readonly giveUpIf?: () => Error | undefined;
}

/**
 * Polls `probe` until it returns a value other than undefined, within a time
 * limit. Errors from the probe count as "not yet" (the last one becomes the
 * cause); the timeout is an IronlbError with the caller's catalogue entry.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  options: WaitOptions,
  timeoutError: ErrorSpec,
): Promise<T> {
  const deadline = performance.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    const hopeless = options.giveUpIf?.();
    if (hopeless !== undefined) throw hopeless;
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (performance.now() >= deadline) {
      throw new IronlbError(
        timeoutError,
        `timed out after ${options.timeoutMs} ms waiting for ${options.what}`,
        lastError === undefined ? undefined : { cause: lastError },
      );
    }
    await sleep(options.intervalMs ?? 20);
  }
}
