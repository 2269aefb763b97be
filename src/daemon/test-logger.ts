import { Writable } from 'node:stream';
import { createLogger, type Logger } from './logger.ts';

/** A real pino logger whose JSON lines are kept in memory, for tests that read logs. */
export function memoryLogger(name = 'test'): {
  logger: Logger;
  lines: () => Array<Record<string, unknown>>;
} {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  const logger = createLogger({ name, level: 'debug', destination: sink });
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
