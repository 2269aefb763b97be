/**
 * Benchmark 4 — speaker and controller scale, and (for benchmark 2) the
 * controller's start-up with Services that already hold addresses.
 *
 * Both daemons run as real `ironlb` child processes against the in-repo
 * Kubernetes API test server; the Services and EndpointSlices are put in
 * through its direct store access before the daemons start, so what is timed
 * is the daemons. The speaker announces to a real receiving BIRD on loopback
 * (`import all; export none`, the announce benchmark's Receiver).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCluster } from '../test/controller/harness.ts';
import type { TestApiServer } from '../test/support/api-server/index.ts';
import type { JsonObject, KubeObject } from '../test/support/api-server/index.ts';
import { poolManifest } from '../test/support/controller-fixtures.ts';
import {
  advertisementManifest,
  nodeManifest,
  peerManifest,
  sliceManifest,
} from '../test/speaker/fixtures.ts';
import { Receiver } from './announce/receiver.ts';
import { deployedNodeFlags, IRONLB_BIN, warmCompileCache } from './lib/ironlb-runtime.ts';
import { freePort } from './lib/loopback.ts';
import type { MetricSpec } from './lib/model.ts';
import { Cleanup, commandExists, ManagedProcess, peakRssKiB, waitFor } from './lib/processes.ts';
import type { BenchContext, Benchmark } from './lib/runner.ts';

const NAMESPACE = 'ironlb-system';
const NODE = 'bench-node';
/** Loopback network of this benchmark (the others use 127.0.20–40, 77 and 78). */
const LOOPBACK = '127.0.50';
const BIRD_ASN = 64512;
const SPEAKER_ASN = 64513;
/** Pool for the Services: a /16 holds the sizes this benchmark runs (up to 65,536). */
const POOL = '10.96.0.0/16';

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return clockTicks;
}

/** utime + stime of a process in seconds (fields 14 and 15 of /proc/PID/stat). */
export function cpuSeconds(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so utime (14) is fields[11] and stime (15) fields[12].
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return (utime + stime) / ticksPerSecond();
}

/** The i-th address of 10.96.0.0/16 (i < 65,536). */
function addressOf(i: number): string {
  return `10.96.${Math.floor(i / 256)}.${i % 256}`;
}

function serviceName(i: number): string {
  return `svc-${i}`;
}

/** A LoadBalancer Service (Cluster policy), optionally already holding `ip` in its status. */
function service(i: number, ip?: string): KubeObject {
  const name = serviceName(i);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    // A Service the controller already served carries its pool annotation too; without it a
    // start-up would (rightly) write the annotation to every Service, which is not what is timed.
    metadata: {
      name,
      namespace: 'default',
      ...(ip === undefined
        ? {}
        : { annotations: { 'ironlb.dev/ip-allocated-from-pool': 'bench' } }),
    },
    spec: {
      type: 'LoadBalancer',
      selector: { app: name },
      ports: [{ protocol: 'TCP', port: 80 }],
      externalTrafficPolicy: 'Cluster',
      // The NodePort range holds 2,768 ports; 10,000 Services need none.
      allocateLoadBalancerNodePorts: false,
    },
    ...(ip === undefined ? {} : { status: { loadBalancer: { ingress: [{ ip }] } } }),
  };
}

interface Scene {
  readonly server: TestApiServer;
  readonly kubeconfigPath: string;
}

/** An API server with the CRDs, a pool and N Services (each with an EndpointSlice on NODE). */
async function scene(
  cleanup: Cleanup,
  count: number,
  withAddresses: boolean,
  dir: string,
): Promise<Scene> {
  const server = await startCluster();
  cleanup.defer('close the API server', () => server.close());
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, server.kubeconfig, { mode: 0o600 });
  const { store } = server;
  store.put(nodeManifest(NODE, { internalIP: '192.0.2.10' }));
  store.put(poolManifest('bench', [POOL]));
  for (let i = 0; i < count; i++) {
    store.put(service(i, withAddresses ? addressOf(i) : undefined));
    store.put(sliceManifest(serviceName(i), [NODE]));
  }
  return { server, kubeconfigPath };
}

/** name → first ingress IP, for every Service holding one. */
function assignments(server: TestApiServer): Map<string, string> {
  const map = new Map<string, string>();
  // Without copies: this runs every 100 ms over 10k Services, on the daemons' CPUs.
  server.store.scan('v1', 'Service', 'default', (object) => {
    const status = object.status as
      { loadBalancer?: { ingress?: Array<{ ip?: string }> } } | undefined;
    const ip = status?.loadBalancer?.ingress?.[0]?.ip;
    const name = (object.metadata as JsonObject | undefined)?.['name'];
    if (ip !== undefined && typeof name === 'string') map.set(name, ip);
  });
  return map;
}

/** What the daemons load, to fill the compile cache before anything is timed. */
const daemonModules = [
  '../src/cli/program.ts',
  '../src/cli/commands/controller-run.ts',
  '../src/cli/commands/speaker-run.ts',
].map((path) => fileURLToPath(new URL(path, import.meta.url)));

/** Starts `ironlb COMPONENT ARGS` as deployed: the manifest's Node flags, a warm compile cache under `dir`. */
async function startDaemon(
  cleanup: Cleanup,
  name: string,
  component: 'controller' | 'speaker',
  args: readonly string[],
  dir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ManagedProcess> {
  const cacheDir = join(dir, 'compile-cache');
  warmCompileCache(cacheDir, daemonModules);
  return cleanup.process(
    await ManagedProcess.start(
      name,
      process.execPath,
      [...deployedNodeFlags(component), IRONLB_BIN, ...args],
      { env: { ...env, NODE_COMPILE_CACHE: cacheDir } },
    ),
    10_000,
  );
}

async function startController(
  cleanup: Cleanup,
  kubeconfigPath: string,
  httpPort: number,
  dir: string,
): Promise<ManagedProcess> {
  return startDaemon(
    cleanup,
    'ironlb controller',
    'controller',
    [
      'controller',
      '--kubeconfig',
      kubeconfigPath,
      '--namespace',
      NAMESPACE,
      '--identity',
      'bench-controller',
      '--http-host',
      '127.0.0.1',
      '--http-port',
      String(httpPort),
      '--log-level',
      'warn',
    ],
    dir,
  );
}

async function readyz(port: number): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`);
  await response.arrayBuffer();
  return response.status === 200;
}

const MiB = 1024;

/**
 * Waits until no write other than a Lease renewal has reached the API server
 * for `quietMs`; returns the time of the last such write (ms since `since`).
 */
async function idleAfter(
  server: TestApiServer,
  since: number,
  quietMs: number,
  timeoutMs: number,
  giveUpIf: () => Error | undefined,
): Promise<number> {
  const isWork = (r: { verb: string | undefined; url: string }): boolean =>
    r.verb !== undefined &&
    !['get', 'list', 'watch'].includes(r.verb) &&
    !r.url.includes('/leases');
  let lastSeen = server.requests.findLast(isWork);
  let lastActivity = performance.now();
  await waitFor(
    () => {
      const latest = server.requests.findLast(isWork);
      if (latest !== lastSeen) {
        lastSeen = latest;
        lastActivity = performance.now();
      }
      return performance.now() - lastActivity >= quietMs ? true : undefined;
    },
    { timeoutMs, intervalMs: 25, what: 'the controller to go idle', giveUpIf },
  );
  return Math.max(0, lastActivity - since);
}

const scaleMetrics: readonly MetricSpec[] = [
  { key: 'allocatedS', label: 'all allocated', unit: 's', better: 'lower', digits: 2 },
  { key: 'announcedS', label: 'all in BIRD', unit: 's', better: 'lower', digits: 2 },
  { key: 'controllerPeakRssMiB', label: 'ctrl RSS', unit: 'MiB', better: 'lower', digits: 0 },
  { key: 'speakerPeakRssMiB', label: 'spkr RSS', unit: 'MiB', better: 'lower', digits: 0 },
  { key: 'controllerCpuS', label: 'ctrl CPU', unit: 's', better: 'lower', digits: 2 },
  { key: 'speakerCpuS', label: 'spkr CPU', unit: 's', better: 'lower', digits: 2 },
];

/** One repetition of benchmark 4: N fresh Services, controller and speaker started together. */
async function scaleRepetition(
  bench: BenchContext,
  count: number,
): Promise<Record<string, number>> {
  const cleanup = new Cleanup();
  try {
    const dir = cleanup.tempDir('speaker-scale');
    const { server, kubeconfigPath } = await scene(cleanup, count, false, dir);
    const base = LOOPBACK;
    const birdAddress = `${base}.1`;
    const speakerAddress = `${base}.2`;
    const bgpPort = await freePort(birdAddress);
    const receiver = await Receiver.start(
      {
        dir,
        address: birdAddress,
        port: bgpPort,
        asn: BIRD_ASN,
        peers: [{ protocol: 'speaker', address: speakerAddress, asn: SPEAKER_ASN }],
        pollMs: bench.options.pollMs,
      },
      cleanup,
    );
    server.store.put(
      peerManifest('bird', {
        myASN: SPEAKER_ASN,
        peerASN: BIRD_ASN,
        peerAddress: birdAddress,
        peerPort: bgpPort,
        sourceAddress: speakerAddress,
        holdTime: '90s',
        connectTime: '1s',
      }),
    );
    server.store.put(advertisementManifest('all', {}));

    const started = performance.now();
    const controller = await startController(
      cleanup,
      kubeconfigPath,
      await freePort('127.0.0.1'),
      dir,
    );
    const speaker = await startDaemon(
      cleanup,
      'ironlb speaker',
      'speaker',
      [
        'speaker',
        '--kubeconfig',
        kubeconfigPath,
        '--namespace',
        NAMESPACE,
        '--http-host',
        '127.0.0.1',
        '--http-port',
        String(await freePort('127.0.0.1')),
        '--log-level',
        'warn',
      ],
      dir,
      { ...process.env, NODE_NAME: NODE },
    );
    const giveUpIf = (): Error | undefined => controller.exitedError() ?? speaker.exitedError();
    // Generous: the machine is shared, and a slow run is a result, not a failure.
    const timeoutMs = Math.max(60_000, 30 * count);
    const pollMs = count >= 1000 ? 100 : 20;
    const allocated = waitFor(
      () => (assignments(server).size === count ? performance.now() - started : undefined),
      { timeoutMs, intervalMs: pollMs, what: `${count} Services allocated`, giveUpIf },
    );
    const announced = waitFor(
      async () =>
        (await receiver.status('speaker')).routes.ipv4 === count
          ? performance.now() - started
          : undefined,
      { timeoutMs, intervalMs: pollMs, what: `${count} routes in BIRD`, giveUpIf },
    );
    const [allocatedMs, announcedMs] = await Promise.all([allocated, announced]).catch(
      async (err: unknown) => {
        const routes = (await receiver.status('speaker').catch(() => undefined))?.routes.ipv4;
        throw new Error(
          `${assignments(server).size} of ${count} allocated, ${routes ?? '?'} in BIRD`,
          { cause: err },
        );
      },
    );
    const ips = new Set(assignments(server).values());
    if (ips.size !== count) throw new Error(`${count} Services share ${ips.size} addresses`);
    // Let both settle (status writes, events) before reading memory and CPU.
    await idleAfter(server, started, 1000, timeoutMs, giveUpIf);
    const sample = {
      allocatedS: allocatedMs / 1000,
      announcedS: announcedMs / 1000,
      controllerPeakRssMiB: (peakRssKiB(controller.pid) ?? NaN) / MiB,
      speakerPeakRssMiB: (peakRssKiB(speaker.pid) ?? NaN) / MiB,
      controllerCpuS: cpuSeconds(controller.pid) ?? NaN,
      speakerCpuS: cpuSeconds(speaker.pid) ?? NaN,
    };
    for (const [key, value] of Object.entries(sample)) {
      if (!Number.isFinite(value)) throw new Error(`${key} could not be read`);
    }
    return sample;
  } finally {
    const errors = await cleanup.run();
    if (errors.length > 0) bench.log(`cleanup: ${errors.join('; ')}`);
  }
}

const startupMetrics: readonly MetricSpec[] = [
  { key: 'readyS', label: '/readyz 200', unit: 's', better: 'lower', digits: 2 },
  { key: 'idleS', label: 'idle', unit: 's', better: 'lower', digits: 2 },
  { key: 'changedIPs', label: 'changed IPs', unit: '', better: 'lower', digits: 0 },
  { key: 'controllerPeakRssMiB', label: 'RSS', unit: 'MiB', better: 'lower', digits: 0 },
  { key: 'controllerCpuS', label: 'CPU', unit: 's', better: 'lower', digits: 2 },
];

/** One repetition of the start-up case: N Services already holding addresses, one controller. */
async function startupRepetition(
  bench: BenchContext,
  count: number,
): Promise<Record<string, number>> {
  const cleanup = new Cleanup();
  try {
    const dir = cleanup.tempDir('controller-startup');
    const { server, kubeconfigPath } = await scene(cleanup, count, true, dir);
    const before = assignments(server);
    const httpPort = await freePort('127.0.0.1');
    const started = performance.now();
    const controller = await startController(cleanup, kubeconfigPath, httpPort, dir);
    const giveUpIf = (): Error | undefined => controller.exitedError();
    const timeoutMs = Math.max(60_000, 10 * count);
    const readyMs = await waitFor(
      async () => ((await readyz(httpPort)) ? performance.now() - started : undefined),
      { timeoutMs, intervalMs: 20, what: 'controller /readyz 200', giveUpIf },
    );
    const idleMs = await idleAfter(server, started, 1000, timeoutMs, giveUpIf);
    const after = assignments(server);
    const changedIPs = [...before].filter(([name, ip]) => after.get(name) !== ip).length;
    const rss = peakRssKiB(controller.pid);
    const cpu = cpuSeconds(controller.pid);
    if (rss === undefined || cpu === undefined) throw new Error('controller gone before reading');
    return {
      readyS: readyMs / 1000,
      idleS: Math.max(readyMs, idleMs) / 1000,
      changedIPs,
      controllerPeakRssMiB: rss / MiB,
      controllerCpuS: cpu,
    };
  } finally {
    const errors = await cleanup.run();
    if (errors.length > 0) bench.log(`cleanup: ${errors.join('; ')}`);
  }
}

function sizesOf(bench: BenchContext): readonly number[] {
  return bench.options.sizes ?? (bench.options.smoke ? [50] : [10_000]);
}

/** Benchmark 2's controller row: start-up with N Services that already hold addresses. */
export async function controllerStartupCase(bench: BenchContext): Promise<void> {
  if (!bench.wantsCase('controller-startup')) return;
  const sizes = sizesOf(bench).filter((n) => n <= 65_536);
  await bench.runCase(
    {
      id: 'controller-startup',
      title: 'ironlb controller start-up with N Services already holding IPs (real process)',
      metrics: startupMetrics,
    },
    async (recorder) => {
      recorder.note('idle: no write but Lease renewals reached the API server for 1 s');
      for (const count of sizes) {
        await recorder
          .contender(`n=${count}`, `${count.toLocaleString('en')} Services`)
          .repeat(bench.reps(3), () => startupRepetition(bench, count));
      }
    },
  );
}

export const speakerScaleBenchmark: Benchmark = {
  id: 'speaker-scale',
  title: 'Speaker and controller scale (N Services, one node, one BIRD peer)',
  async run(bench) {
    if (!bench.wantsCase('services')) return;
    const sizes = sizesOf(bench).filter((n) => n <= 65_536);
    await bench.runCase(
      {
        id: 'services',
        title: 'N new Services with endpoints: controller allocates, speaker announces to BIRD',
        metrics: scaleMetrics,
      },
      async (recorder) => {
        recorder.note(
          'times from starting both daemons; CPU = utime+stime of each process over the whole run',
        );
        for (const count of sizes) {
          const contender = recorder.contender(
            `n=${count}`,
            `${count.toLocaleString('en')} Services`,
          );
          if (!commandExists('bird')) {
            contender.skip('bird is not installed: no receiving peer');
            continue;
          }
          await contender.repeat(bench.reps(3), () => scaleRepetition(bench, count));
        }
      },
    );
  },
};
