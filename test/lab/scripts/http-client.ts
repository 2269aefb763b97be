/**
 * The lab's client: sends N HTTP GETs, each on a new TCP connection (new
 * source port, so the ToR's L4 ECMP hash spreads them), a few at a time, and
 * prints one JSON summary of who answered. Run inside the client namespace.
 * Usage: http-client.ts --host VIP --port N --count N [--concurrency N] [--timeout-ms N]
 *        http-client.ts --host VIP --port N --until-stopped [--concurrency N] [--pause-ms N]
 * With --until-stopped it prints `started`, sends until SIGTERM or SIGINT,
 * lets the requests in flight finish, then prints the summary.
 */
import { request } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    host: { type: 'string' },
    port: { type: 'string', default: '80' },
    count: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '8' },
    'timeout-ms': { type: 'string', default: '2000' },
    'until-stopped': { type: 'boolean', default: false },
    'pause-ms': { type: 'string', default: '0' },
  },
});
const host = values.host ?? '';
const port = Number(values.port);
const count = Number(values.count);
const concurrency = Math.max(1, Number(values.concurrency));
const timeoutMs = Number(values['timeout-ms']);
const untilStopped = values['until-stopped'] === true;
const pauseMs = Number(values['pause-ms']);
let stopped = false;

interface Answer {
  pod?: unknown;
  node?: unknown;
  client?: unknown;
}

const summary = {
  requested: count,
  ok: 0,
  failures: 0,
  byPod: {} as Record<string, number>,
  byNode: {} as Record<string, number>,
  byClientAddress: {} as Record<string, number>,
  errors: {} as Record<string, number>,
  /** When the first failures happened (ms since the start), to line them up with events. */
  failureTimesMs: [] as number[],
  elapsedMs: 0,
};

function failed(reason: string): void {
  summary.failures++;
  bump(summary.errors, reason);
  if (summary.failureTimesMs.length < 50) {
    summary.failureTimesMs.push(Math.round(performance.now() - started));
  }
}

const started = performance.now();

function bump(table: Record<string, number>, key: string): void {
  table[key] = (table[key] ?? 0) + 1;
}

function once(): Promise<void> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/', agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Answer;
          summary.ok++;
          bump(summary.byPod, String(answer.pod));
          bump(summary.byNode, String(answer.node));
          bump(summary.byClientAddress, String(answer.client));
        } catch {
          failed(`HTTP ${res.statusCode}: not a pod answer`);
        }
        resolve();
      });
      res.on('error', (err) => {
        failed(err.message);
        resolve();
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      failed(err.code ?? err.message);
      resolve();
    });
    req.end();
  });
}

let next = 0;
async function worker(): Promise<void> {
  while (untilStopped ? !stopped : next < count) {
    next++;
    summary.requested = next;
    await once();
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}
if (untilStopped) {
  const stop = (): void => {
    stopped = true;
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write('started\n');
}
await Promise.all(
  Array.from({ length: untilStopped ? concurrency : Math.min(concurrency, count) }, () => worker()),
);
summary.elapsedMs = Math.round(performance.now() - started);
process.stdout.write(`${JSON.stringify(summary)}\n`);
