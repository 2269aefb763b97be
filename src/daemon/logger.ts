import { pino, type Logger, type DestinationStream, type LevelWithSilent } from 'pino';

export type { Logger };

export interface LoggerOptions {
  readonly name: string;
  readonly level?: LevelWithSilent;
  /** Where JSON lines go; standard output by default (what Kubernetes collects). */
  readonly destination?: DestinationStream | number;
}

/**
 * The one place a root logger is made; everything else receives a logger (or a
 * child of one, per component) as a parameter.
 */
export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? 1;
  return pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    typeof destination === 'number'
      ? pino.destination({ fd: destination, sync: true })
      : destination,
  );
}
