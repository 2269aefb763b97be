import type { Registry } from 'prom-client';
import { DaemonHttpServer } from './http-server.ts';
import type { Logger } from './logger.ts';
import { createMetricsRegistry } from './metrics.ts';
import { Readiness } from './readiness.ts';
import { Shutdown } from './shutdown.ts';

/** What a component receives to run inside a daemon: all of it passed in, nothing global. */
export interface DaemonContext {
  readonly logger: Logger;
  readonly registry: Registry;
  readonly readiness: Readiness;
  readonly shutdown: Shutdown;
  readonly signal: AbortSignal;
  /** The port the health/metrics server bound (useful when 0 was asked). */
  readonly httpPort: number;
}

export interface DaemonOptions {
  readonly logger: Logger;
  readonly httpHost: string;
  readonly httpPort: number;
  readonly shutdownDeadlineMs?: number;
  readonly registry?: Registry;
}

/**
 * The shell shared by the controller and the speaker: metrics, health and
 * readiness over HTTP, and graceful shutdown on SIGTERM/SIGINT.
 */
export async function startDaemon(
  options: DaemonOptions,
  main: (ctx: DaemonContext) => Promise<void> | void,
  proc: NodeJS.Process = process,
): Promise<DaemonContext> {
  const registry = options.registry ?? createMetricsRegistry();
  const readiness = new Readiness();
  const shutdown = new Shutdown({
    logger: options.logger.child({ component: 'shutdown' }),
    ...(options.shutdownDeadlineMs === undefined ? {} : { deadlineMs: options.shutdownDeadlineMs }),
  });
  const http = new DaemonHttpServer({
    host: options.httpHost,
    port: options.httpPort,
    registry,
    readiness,
    logger: options.logger.child({ component: 'http' }),
  });
  const address = await http.listen();
  // Registered first, so it runs last: health and metrics stay visible while components drain.
  shutdown.onShutdown('http', () => http.close());
  shutdown.installSignalHandlers(proc);
  const ctx: DaemonContext = {
    logger: options.logger,
    registry,
    readiness,
    shutdown,
    signal: shutdown.signal,
    httpPort: address.port,
  };
  await main(ctx);
  return ctx;
}
