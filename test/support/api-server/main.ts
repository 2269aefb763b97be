import { parseArgs } from 'node:util';
import { IronlbError } from '../../../src/common/errors.ts';
import { TestApiServerErrors } from './errors.ts';
import { startApiServer } from './server.ts';

/**
 * Standalone test API server for the lab and demos:
 *   node test/support/api-server/main.ts --port 6443 --kubeconfig /tmp/kubeconfig
 * Prints its URL, serves until SIGTERM or SIGINT, then closes cleanly.
 */

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    kubeconfig: { type: 'string' },
  },
  strict: true,
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  throw new IronlbError(
    TestApiServerErrors.IRONLB_ERR_TEST_API_USAGE,
    `--port must be 0..65535, got "${values.port}"`,
  );
}

const server = await startApiServer({
  port,
  host: values.host,
  ...(values.kubeconfig === undefined ? {} : { kubeconfigPath: values.kubeconfig }),
});
process.stdout.write(`test API server listening on ${server.url}\n`);
if (server.kubeconfigPath !== undefined)
  process.stdout.write(`kubeconfig written to ${server.kubeconfigPath}\n`);

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`${signal}: shutting down\n`);
  void server.close().then(() => process.exit(0));
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
