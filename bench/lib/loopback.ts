import { createServer } from 'node:net';

/**
 * A TCP port nobody listens on at `address` right now (the kernel picks it).
 * A daemon started just after gets it unless something else races for it.
 */
export function freePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: address, port: 0, exclusive: true }, () => {
      const bound = server.address();
      const port = typeof bound === 'object' && bound !== null ? bound.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Checks the argument is a 127.0.0.0/8 network prefix of three octets ("127.0.77"). */
export function isLoopbackBase(base: string): boolean {
  const parts = base.split('.');
  return (
    parts.length === 3 &&
    parts[0] === '127' &&
    parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)
  );
}
