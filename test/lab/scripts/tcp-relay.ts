/**
 * Relays TCP connections accepted in this namespace to a Unix socket. Unix
 * sockets live in the filesystem, not in a network namespace: this is how
 * processes in the lab reach a server in the host's root namespace without any
 * interface being attached to it. Prints `ready` once listening.
 * Usage: tcp-relay.ts --host ADDRESS --port N --unix PATH
 */
import { connect, createServer } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    unix: { type: 'string' },
  },
});
const unixPath = values.unix ?? '';

const server = createServer((downstream) => {
  downstream.setNoDelay(true);
  const upstream = connect(unixPath);
  downstream.pipe(upstream).pipe(downstream);
  upstream.on('error', () => downstream.destroy());
  downstream.on('error', () => upstream.destroy());
});
server.listen({ host: values.host, port: Number(values.port) }, () => {
  process.stdout.write(`ready ${values.host}:${values.port} -> ${unixPath}\n`);
});
process.on('SIGTERM', () => process.exit(0));
