/**
 * A pod of the lab: an HTTP server answering every request with its pod name,
 * its node name and the client address it saw (so tests can tell whether the
 * source address was preserved). Run inside the pod's namespace; prints
 * `ready` once listening. Usage: pod-server.ts --pod NAME --node NODE --port N
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    pod: { type: 'string' },
    node: { type: 'string' },
    port: { type: 'string', default: '8080' },
  },
});
const pod = values.pod ?? 'unnamed';
const node = values.node ?? 'unknown';
const port = Number(values.port);

/** IPv4 clients arrive on the dual-stack socket as ::ffff:a.b.c.d. */
function plainAddress(address: string | undefined): string {
  return (address ?? '').replace(/^::ffff:/, '');
}

const server = createServer((req, res) => {
  const body = JSON.stringify({
    pod,
    node,
    client: plainAddress(req.socket.remoteAddress),
    local: plainAddress(req.socket.localAddress),
  });
  res.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
  res.end(body);
});

server.listen({ host: '::', port }, () => {
  process.stdout.write(`ready ${pod} on ${node} port ${port}\n`);
});

function stop(): void {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 500).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
