import { setTimeout as sleep } from 'node:timers/promises';
import { IronlbError, describeError } from '../common/errors.ts';
import { DaemonErrors } from './errors.ts';
import type { Logger } from './logger.ts';

export type ShutdownHook = (signal: AbortSignal) => Promise<void> | void;

export interface ShutdownResult {
  /** True when every hook finished without error before the deadline. */
  readonly clean: boolean;
  readonly errors: readonly IronlbError[];
}

/**
 * Graceful shutdown: one AbortSignal that every loop honours, and hooks that
 * run in reverse order of registration (last started, first stopped), all
 * within one deadline.
 */
export class Shutdown {
  readonly #controller = new AbortController();
  readonly #hooks: Array<{ name: string; hook: ShutdownHook }> = [];
  readonly #logger: Logger;
  readonly #deadlineMs: number;
  #running: Promise<ShutdownResult> | undefined;

  constructor(options: { logger: Logger; deadlineMs?: number }) {
    this.#logger = options.logger;
    this.#deadlineMs = options.deadlineMs ?? 30_000;
  }

  /** Aborted when shutdown begins. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  onShutdown(name: string, hook: ShutdownHook): void {
    this.#hooks.push({ name, hook });
  }

  /** Starts shutdown once; later calls return the same result. */
  shutdown(reason: string): Promise<ShutdownResult> {
    this.#running ??= this.#run(reason);
    return this.#running;
  }

  async #run(reason: string): Promise<ShutdownResult> {
    this.#logger.info({ reason }, 'shutting down');
    this.#controller.abort(reason);
    const errors: IronlbError[] = [];
    const deadline = new AbortController();
    const timer = sleep(this.#deadlineMs, 'timeout' as const, { signal: deadline.signal }).catch(
      () => 'cancelled' as const,
    );
    try {
      for (const { name, hook } of [...this.#hooks].reverse()) {
        const outcome = await Promise.race([
          Promise.resolve()
            .then(() => hook(deadline.signal))
            .then(
              () => 'done' as const,
              (err: unknown) => err,
            ),
          timer,
        ]);
        if (outcome === 'timeout') {
          errors.push(
            new IronlbError(
              DaemonErrors.IRONLB_ERR_SHUTDOWN_TIMEOUT,
              `shutdown hook "${name}" did not finish within ${this.#deadlineMs} ms`,
            ),
          );
          break;
        }
        if (outcome !== 'done') {
          errors.push(
            new IronlbError(
              DaemonErrors.IRONLB_ERR_SHUTDOWN_HOOK,
              `shutdown hook "${name}" failed`,
              {
                cause: outcome,
              },
            ),
          );
        } else {
          this.#logger.debug({ hook: name }, 'shutdown hook done');
        }
      }
    } finally {
      deadline.abort();
    }
    for (const err of errors) this.#logger.error({ code: err.code }, describeError(err));
    this.#logger.info({ clean: errors.length === 0 }, 'shutdown complete');
    return { clean: errors.length === 0, errors };
  }

  /**
   * SIGTERM and SIGINT start shutdown; the process exits 0 when it was clean,
   * 1 otherwise. A second signal exits at once.
   */
  installSignalHandlers(proc: NodeJS.Process = process): void {
    let received = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (received) {
        this.#logger.warn({ signal }, 'second signal: exiting now');
        proc.exit(1);
      }
      received = true;
      void this.shutdown(signal).then((result) => {
        proc.exitCode = result.clean ? 0 : 1;
        // Let pending writes (logs, final socket bytes) flush, then leave even if a handle lingers.
        setTimeout(() => proc.exit(), 50).unref();
      });
    };
    proc.on('SIGTERM', onSignal);
    proc.on('SIGINT', onSignal);
  }
}
