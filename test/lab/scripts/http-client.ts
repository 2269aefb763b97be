/**
 * The lab's client: sends N HTTP GETs, each on a new TCP connection (new
 * source port, so the ToR's L4 ECMP hash spreads them), a few at a time, and
 * prints one JSON summary of who answered. Run inside the client namespace.
 * Usage: http-client.ts --host VIP --port N --count N [--concurrency N] [--timeout-ms N]
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
  },
});
const host = values.host ?? '';
const port = Number(values.port);
const count = Number(values.count);
const concurrency = Math.max(1, Number(values.concurrency));
const timeoutMs = Number(values['timeout-ms']);

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
  elapsedMs: 0,
};

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
          summary.failures++;
          bump(summary.errors, `HTTP ${res.statusCode}: not a pod answer`);
        }
        resolve();
      });
      res.on('error', (err) => {
        summary.failures++;
        bump(summary.errors, err.message);
        resolve();
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      summary.failures++;
      bump(summary.errors, err.code ?? err.message);
      resolve();
    });
    req.end();
  });
}

const started = performance.now();
let next = 0;
async function worker(): Promise<void> {
  while (next < count) {
    next++;
    await once();
  }
}
await Promise.all(Array.from({ length: Math.min(concurrency, count) }, () => worker()));
summary.elapsedMs = Math.round(performance.now() - started);
process.stdout.write(`${JSON.stringify(summary)}\n`);
