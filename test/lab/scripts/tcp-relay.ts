/**
 * Relays connections between a TCP address in this network namespace and a
 * Unix socket. Unix sockets live in the filesystem, not in a network
 * namespace: this is how the lab connects servers in the host's root namespace
 * and servers in the management namespace without attaching any interface to
 * the root namespace. Prints `ready` once listening.
 * Usage: tcp-relay.ts --listen-tcp HOST:PORT --to-unix PATH
 *        tcp-relay.ts --listen-unix PATH --to-tcp HOST:PORT
 */
import { connect, createServer, type Socket } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    'listen-tcp': { type: 'string' },
    'to-unix': { type: 'string' },
    'listen-unix': { type: 'string' },
    'to-tcp': { type: 'string' },
  },
});

function hostPort(text: string): { host: string; port: number } {
  const at = text.lastIndexOf(':');
  return { host: text.slice(0, at), port: Number(text.slice(at + 1)) };
}

function splice(downstream: Socket, upstream: Socket): void {
  downstream.pipe(upstream).pipe(downstream);
  upstream.on('error', () => downstream.destroy());
  downstream.on('error', () => upstream.destroy());
}

const toUnix = values['to-unix'];
const toTcp = values['to-tcp'];
const server = createServer((downstream) => {
  if (toUnix !== undefined) {
    downstream.setNoDelay(true);
    splice(downstream, connect(toUnix));
  } else if (toTcp !== undefined) {
    const upstream = connect(hostPort(toTcp));
    upstream.setNoDelay(true);
    splice(downstream, upstream);
  }
});
const listenTcp = values['listen-tcp'];
const listenUnix = values['listen-unix'];
const onListening = (): void => {
  process.stdout.write(`ready ${listenTcp ?? listenUnix} -> ${toUnix ?? toTcp}\n`);
};
if (listenTcp !== undefined) server.listen(hostPort(listenTcp), onListening);
else server.listen(listenUnix, onListening);
process.on('SIGTERM', () => process.exit(0));
