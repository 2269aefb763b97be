/**
 * Running the controller against the test API server, in-process (through
 * startController, the function the CLI calls) or as a real `ironlb
 * controller` child process, and reading the results back through the API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { startController, type RunningController } from '../../src/controller/controller.ts';
import { Readiness } from '../../src/daemon/readiness.ts';
import { Shutdown } from '../../src/daemon/shutdown.ts';
import { memoryLogger } from '../../src/daemon/test-logger.ts';
import { startApiServer, type TestApiServer } from '../support/api-server/index.ts';
import { installCrds, namespaceManifest, waitFor } from '../support/controller-fixtures.ts';

export const NAMESPACE = 'ironlb-system';

/** Short timings: a lease of 1 s, so takeovers happen within a test. */
export const fastLease = { leaseDurationMs: 1000, renewDeadlineMs: 600, retryPeriodMs: 100 };

/**
 * For a single in-process controller: the first lease is created (and won) at
 * once; long deadlines keep a busy test machine from making leadership flap.
 */
export const steadyLease = { leaseDurationMs: 10_000, renewDeadlineMs: 8_000, retryPeriodMs: 500 };

export async function startCluster(): Promise<TestApiServer> {
  const server = await startApiServer();
  installCrds(server);
  server.store.put(namespaceManifest(NAMESPACE));
  return server;
}

export interface InProcessController {
  readonly controller: RunningController;
  readonly registry: Registry;
  readonly readiness: Readiness;
  readonly logs: () => Array<Record<string, unknown>>;
  metric(name: string, labels?: Record<string, string>): Promise<number | undefined>;
  stop(): Promise<void>;
}

export function startInProcess(
  kubeConfig: KubeConfig,
  identity: string,
  options: { loadBalancerClass?: string; lease?: typeof fastLease } = {},
): InProcessController {
  const { logger, lines } = memoryLogger(identity);
  const registry = new Registry();
  const readiness = new Readiness();
  const shutdown = new Shutdown({ logger, deadlineMs: 10_000 });
  const controller = startController({
    kubeConfig,
    namespace: NAMESPACE,
    identity,
    ...(options.lease ?? steadyLease),
    logger,
    registry,
    readiness,
    shutdown,
    signal: shutdown.signal,
    minBackoffMs: 20,
    maxBackoffMs: 500,
    ...(options.loadBalancerClass === undefined
      ? {}
      : { loadBalancerClass: options.loadBalancerClass }),
  });
  return {
    controller,
    registry,
    readiness,
    logs: lines,
    async metric(name, labels = {}) {
      const metric = await registry.getSingleMetric(name)?.get();
      const value = metric?.values.find((v) =>
        Object.entries(labels).every(([k, l]) => String(v.labels[k]) === l),
      );
      return value?.value;
    },
    async stop() {
      const result = await shutdown.shutdown('test');
      if (!result.clean)
        throw new Error(`unclean shutdown: ${result.errors.map(String).join('; ')}`);
    },
  };
}

const bin = fileURLToPath(new URL('../../bin/ironlb.js', import.meta.url));

export interface ChildController {
  readonly identity: string;
  readonly process: ChildProcess;
  /** JSON log lines so far. */
  readonly lines: Array<Record<string, unknown>>;
  /** The port of /metrics, /healthz, /readyz (from the "http listening" line). */
  httpPort(): Promise<number>;
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): void;
}

/** A temporary kubeconfig file for child processes; removed by `remove()`. */
export function kubeconfigFile(yaml: string): { path: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ironlb-controller-'));
  const path = join(dir, 'kubeconfig');
  writeFileSync(path, yaml, { mode: 0o600 });
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Lease timings for child processes: short enough for takeovers within a
 * test, long enough that a busy machine does not make leadership flap.
 */
export const childLease = { leaseDuration: '2s', renewDeadline: '1500ms', retryPeriod: '200ms' };

/** Starts `ironlb controller` with short lease timings, logging JSON to stdout. */
export function spawnController(
  kubeconfigPath: string,
  identity: string,
  extraArgs: string[] = [],
  lease: typeof childLease = childLease,
): ChildController {
  const child = spawn(
    process.execPath,
    [
      bin,
      'controller',
      '--kubeconfig',
      kubeconfigPath,
      '--namespace',
      NAMESPACE,
      '--identity',
      identity,
      '--http-host',
      '127.0.0.1',
      '--http-port',
      '0',
      '--lease-duration',
      lease.leaseDuration,
      '--renew-deadline',
      lease.renewDeadline,
      '--retry-period',
      lease.retryPeriod,
      '--log-level',
      'info',
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: Array<Record<string, unknown>> = [];
  createInterface(child.stdout).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      lines.push({ msg: line });
    }
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return {
    identity,
    process: child,
    lines,
    exited,
    async httpPort() {
      await waitFor(`${identity} listening (stderr: ${stderr})`, () =>
        lines.some((l) => l.msg === 'http listening'),
      );
      return Number(lines.find((l) => l.msg === 'http listening')!.port);
    },
    kill(signal) {
      child.kill(signal);
    },
  };
}

/** GET on the child's health/metrics server. */
export async function httpGet(
  port: number,
  path: string,
): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.text() };
}
