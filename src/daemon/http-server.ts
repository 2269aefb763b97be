import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { IronlbError } from '../common/errors.ts';
import { DaemonErrors } from './errors.ts';
import type { Logger } from './logger.ts';
import type { Readiness } from './readiness.ts';

export interface DaemonHttpOptions {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly registry: Registry;
  readonly readiness: Readiness;
  readonly logger: Logger;
}

/**
 * The observability endpoints every daemon serves: `/metrics` (Prometheus),
 * `/healthz` (the process is alive and its event loop answers) and `/readyz`
 * (every registered readiness check passes; 503 lists the failing ones).
 */
export class DaemonHttpServer {
  readonly #options: DaemonHttpOptions;
  readonly #server: Server;

  constructor(options: DaemonHttpOptions) {
    this.#options = options;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        options.logger.error({ err }, 'http handler failed');
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
  }

  async listen(): Promise<AddressInfo> {
    const { host, port } = this.#options;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        reject(
          new IronlbError(DaemonErrors.IRONLB_ERR_HTTP_LISTEN, `cannot listen on ${host}:${port}`, {
            cause: err,
          }),
        );
      };
      this.#server.once('error', onError);
      this.#server.listen(port, host, () => {
        this.#server.off('error', onError);
        resolve();
      });
    });
    const address = this.#server.address() as AddressInfo;
    this.#options.logger.info({ address: address.address, port: address.port }, 'http listening');
    return address;
  }

  async close(): Promise<void> {
    if (!this.#server.listening) return;
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    switch (path) {
      case '/metrics': {
        const body = await this.#options.registry.metrics();
        res.writeHead(200, { 'content-type': this.#options.registry.contentType }).end(body);
        return;
      }
      case '/healthz':
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
        return;
      case '/readyz': {
        const report = this.#options.readiness.report();
        const body = report.ready
          ? 'ok\n'
          : report.failing.map((f) => `not ready: ${f.name}: ${f.reason}`).join('\n') + '\n';
        res.writeHead(report.ready ? 200 : 503, { 'content-type': 'text/plain' }).end(body);
        return;
      }
      default:
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  }
}
