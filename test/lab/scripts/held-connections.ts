/**
 * Long-lived connections for the lab: opens N TCP connections to VIP:PORT (the
 * ToR hashes each to a node, whose conntrack DNATs it to a pod), prints
 * `ready` and holds them idle. On SIGUSR2 it sends one HTTP request on each and
 * prints one JSON summary of who answered: a connection survives only if its
 * packets still reach the node that holds its conntrack entry.
 * Usage: held-connections.ts --host VIP --port N --count N [--timeout-ms N]
 */
import { connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    host: { type: 'string' },
    port: { type: 'string', default: '80' },
    count: { type: 'string', default: '30' },
    'timeout-ms': { type: 'string', default: '2000' },
  },
});
const host = values.host ?? '';
const port = Number(values.port);
const count = Number(values.count);
const timeoutMs = Number(values['timeout-ms']);

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: timeoutMs }, () => {
      socket.setTimeout(0);
      resolve(socket);
    });
    socket.once('timeout', () => socket.destroy(new Error('connect timeout')));
    socket.once('error', reject);
  });
}

/** The node and pod that answered, or the error. */
function ask(socket: Socket): Promise<{ node?: string; pod?: string; error?: string }> {
  return new Promise((resolve) => {
    let data = '';
    const timer = setTimeout(
      () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ error: err.code ?? err.message });
    });
    socket.on('close', () => {
      clearTimeout(timer);
      // The JSON answer, whatever the framing (the pod server's may be chunked).
      const body = data.slice(data.indexOf('{'), data.lastIndexOf('}') + 1);
      try {
        const answer = JSON.parse(body) as { node?: string; pod?: string };
        resolve({ node: String(answer.node), pod: String(answer.pod) });
      } catch {
        resolve({ error: data === '' ? 'closed without an answer' : 'not a pod answer' });
      }
    });
    socket.write(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  });
}

const sockets = await Promise.all(Array.from({ length: count }, () => open()));
process.on('SIGUSR2', () => {
  void Promise.all(sockets.map((s) => ask(s))).then((answers) => {
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
    for (const answer of answers) {
      if (answer.error !== undefined) {
        summary.failures++;
        summary.errors[answer.error] = (summary.errors[answer.error] ?? 0) + 1;
        continue;
      }
      summary.ok++;
      summary.byNode[answer.node ?? ''] = (summary.byNode[answer.node ?? ''] ?? 0) + 1;
      summary.byPod[answer.pod ?? ''] = (summary.byPod[answer.pod ?? ''] ?? 0) + 1;
    }
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    process.exit(0);
  });
});
process.on('SIGTERM', () => process.exit(0));
process.stdout.write('ready\n');
setInterval(() => {}, 1 << 30);
