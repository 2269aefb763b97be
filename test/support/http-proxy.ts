import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { kubeConfigFor, kubeconfigYaml } from './api-server/index.ts';
import type { KubeConfig } from '@kubernetes/client-node';

/**
 * A loopback HTTP proxy in front of the test API server, one per client under
 * test: its request log says who sent what (the API server's own log cannot
 * tell two controllers apart), and `cut()` makes that one client's API
 * unreachable (a network partition) while others keep working.
 */
export interface ClientProxy {
  readonly url: string;
  /** Every request forwarded or refused: method, path and query, verb-ish facts, status. */
  readonly requests: ReadonlyArray<{ method: string; url: string; status: number }>;
  /** TCP connections clients opened to the proxy so far. */
  readonly connections: number;
  /** Requests that change something (not GET, not watches). */
  writes(): Array<{ method: string; url: string; status: number }>;
  kubeConfig(namespace?: string): KubeConfig;
  kubeconfigYaml(): string;
  /** Drops every open connection and answers new requests with 503 until `restore()`. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startClientProxy(target: string): Promise<ClientProxy> {
  const upstream = new URL(target);
  const requests: Array<{ method: string; url: string; status: number }> = [];
  const sockets = new Set<Socket>();
  let cut = false;
  let connections = 0;

  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    const entry = { method: req.method ?? 'GET', url: req.url ?? '/', status: 0 };
    requests.push(entry);
    if (cut) {
      entry.status = 503;
      req.resume();
      res.writeHead(503, { 'Content-Type': 'application/json' }).end(
        JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          message: 'proxy cut',
          reason: 'ServiceUnavailable',
          code: 503,
        }),
      );
      return;
    }
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (upstreamRes) => {
        entry.status = upstreamRes.statusCode ?? 0;
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        // Streams (watches) must not wait for their first event to send the headers.
        res.flushHeaders();
        upstreamRes.pipe(res);
        upstreamRes.on('error', () => res.destroy());
        upstreamRes.on('aborted', () => res.destroy());
      },
    );
    out.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    res.on('close', () => out.destroy());
    req.pipe(out);
  };

  const server = createServer(forward);
  server.on('connection', (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    get connections() {
      return connections;
    },
    writes: () => requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD'),
    kubeConfig: (namespace) => kubeConfigFor(url, namespace),
    kubeconfigYaml: () => kubeconfigYaml(url),
    cut() {
      cut = true;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      cut = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
