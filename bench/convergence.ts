/**
 * Benchmark 3 — convergence in the lab: the whole system (API test server,
 * the real `ironlb controller`, a real `ironlb speaker` per node, the lab's
 * EndpointSlice controller and kube-proxy, BIRD on every node and on the ToR;
 * docs/lab.md) with 3 nodes. Each sample is the time from an API write to the
 * ToR's kernel route for the Service IP changing (`ip monitor` on the ToR),
 * split into "the speaker decided" (its log line for the change, same clock)
 * and the rest (BGP through the node's BIRD, the ToR's BIRD, the kernel).
 *
 * The lab is built once per run and brought back to the same state between
 * repetitions. Needs root (network namespaces), BIRD and nftables.
 */
import { describeError } from '../src/common/errors.ts';
import { LabCluster } from '../test/lab/cluster.ts';
import type { LabDeployment } from '../test/lab/deployment.ts';
import { commandExists } from './lib/processes.ts';
import type { MetricSpec } from './lib/model.ts';
import type { Benchmark, BenchContext, CaseRecorder, CaseSpec } from './lib/runner.ts';

const NODES = ['node-1', 'node-2', 'node-3'] as const;
const DEFAULT_REPS = 50;
const ROUTE_TIMEOUT_MS = 20_000;
const CONTENDER = { id: 'ironlb', label: 'ironlb controller + speaker' } as const;

const METRICS: readonly MetricSpec[] = [
  { key: 'totalMs', label: 'API → ToR', unit: 'ms', better: 'lower', digits: 0, percentiles: true },
  { key: 'speakerMs', label: 'speaker decided', unit: 'ms', better: 'lower', digits: 0 },
  { key: 'bgpMs', label: 'BGP → ToR kernel', unit: 'ms', better: 'lower', digits: 0 },
];

const CASES = {
  serviceCreated: {
    id: 'service-created',
    title: 'Service created (ETP Local, pods on node-1 and node-2) → ToR route via node-1, node-2',
    metrics: METRICS,
  },
  lastPodDeleted: {
    id: 'last-pod-deleted',
    title: 'last local pod on node-3 deleted → node-3 leaves the ToR route',
    metrics: METRICS,
  },
  podAdded: {
    id: 'pod-added',
    title: 'pod added on node-3 (had none) → node-3 joins the ToR route',
    metrics: METRICS,
  },
} as const satisfies Record<string, CaseSpec>;

/** Why the lab cannot run here, or undefined when it can. */
function unavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (the lab is built from network namespaces)';
  for (const command of ['ip', 'bird', 'birdc', 'nft']) {
    if (!commandExists(command)) return `needs ${command} (scripts/install-system-deps.sh)`;
  }
  return undefined;
}

/**
 * When the speakers on `nodes` logged the Service's `reason` event (nodeAnnouncing
 * or nodeWithdrew) at or after `since`: the latest of them, as performance.now()
 * time. Undefined when a node has no such line (the split is then left out).
 */
function speakerDecidedAt(
  cluster: LabCluster,
  nodes: readonly string[],
  service: string,
  reason: string,
  since: number,
): number | undefined {
  let latest = -Infinity;
  for (const node of nodes) {
    let found: number | undefined;
    for (const line of cluster.speaker(node)?.output().split('\n') ?? []) {
      if (!line.includes(reason) || !line.includes(service)) continue;
      let entry: { time?: unknown; reason?: unknown; service?: unknown };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        continue;
      }
      if (entry.reason !== reason || entry.service !== service) continue;
      if (typeof entry.time !== 'string') continue;
      const at = Date.parse(entry.time) - performance.timeOrigin;
      // Log times have 1 ms resolution; the first line after the API write is the one.
      if (at >= since - 1) {
        found = at;
        break;
      }
    }
    if (found === undefined) return undefined;
    latest = Math.max(latest, found);
  }
  return latest;
}

function sampleOf(
  totalMs: number,
  since: number,
  decidedAt: number | undefined,
): Record<string, number> {
  if (decidedAt === undefined) return { totalMs };
  const speakerMs = Math.min(totalMs, Math.max(0, decidedAt - since));
  return { totalMs, speakerMs, bgpMs: totalMs - speakerMs };
}

export const convergenceBenchmark: Benchmark = {
  id: 'convergence', // 3
  title: 'Convergence in the lab (API change → the ToR’s kernel route), 3 nodes',
  async run(ctx: BenchContext): Promise<void> {
    const wanted = Object.values(CASES).filter((c) => ctx.wantsCase(c.id));
    if (wanted.length === 0 || !ctx.wantsContender(CONTENDER.id)) return;
    const reason = unavailable();
    if (reason !== undefined) {
      for (const spec of wanted) {
        await ctx.runCase(spec, (recorder) => {
          recorder.contender(CONTENDER.id, CONTENDER.label).skip(reason);
          return Promise.resolve();
        });
      }
      return;
    }
    const reps = ctx.reps(DEFAULT_REPS);
    const started = performance.now();
    ctx.log('building the lab (3 nodes, controller, speakers)');
    let cluster: LabCluster | undefined;
    try {
      cluster = await LabCluster.create({ nodes: 3, ipv6: false });
      ctx.log(`lab ${cluster.lab.prefix} up in ${Math.round(performance.now() - started)} ms`);
      ctx.note(
        `lab built once (${((performance.now() - started) / 1000).toFixed(1)} s) and reused; ` +
          `state restored between repetitions; IPv4 only; speaker split from its log lines (1 ms)`,
      );
      await runCases(ctx, cluster, reps);
    } finally {
      if (cluster !== undefined) {
        await cluster.destroy();
        ctx.log('lab torn down');
      }
    }
  },
};

async function runCases(ctx: BenchContext, cluster: LabCluster, reps: number): Promise<void> {
  const { lab } = cluster;
  const web = cluster.deployment('web');
  await web.scale({ 'node-1': 1, 'node-2': 1 });
  await cluster.settled();

  if (ctx.wantsCase(CASES.serviceCreated.id)) {
    await ctx.runCase(CASES.serviceCreated, async (recorder) => {
      const contender = recorder.contender(CONTENDER.id, CONTENDER.label);
      await contender.repeat(reps, async (i) => {
        const name = `conv-${i}`;
        const since = performance.now();
        await cluster.createService({
          name,
          selector: web.labels,
          externalTrafficPolicy: 'Local',
        });
        const [vip] = await cluster.waitForServiceIPs(name, { timeoutMs: ROUTE_TIMEOUT_MS });
        const route = await lab.waitForTorRoute(vip!, ['node-1', 'node-2'], {
          since,
          timeoutMs: ROUTE_TIMEOUT_MS,
        });
        const decided = speakerDecidedAt(
          cluster,
          ['node-1', 'node-2'],
          `default/${name}`,
          'nodeAnnouncing',
          since,
        );
        // Back to "no such Service": deleted, and its route gone from the ToR.
        await cluster.core.deleteNamespacedService({ name, namespace: 'default' });
        await lab.waitForTorRoute(vip!, [], { timeoutMs: ROUTE_TIMEOUT_MS });
        return sampleOf(route.elapsedMs, since, decided);
      });
    });
  }

  const wantsRemove = ctx.wantsCase(CASES.lastPodDeleted.id);
  const wantsAdd = ctx.wantsCase(CASES.podAdded.id);
  if (!wantsRemove && !wantsAdd) return;
  // One Service, pods on all three nodes; each repetition deletes node-3's only
  // pod (a "remove" sample) and puts one back (an "add" sample): the two
  // changes bring each other's starting state back.
  await cluster.createService({
    name: 'web',
    selector: web.labels,
    externalTrafficPolicy: 'Local',
  });
  const [vip] = await cluster.waitForServiceIPs('web', { timeoutMs: ROUTE_TIMEOUT_MS });
  await web.scale({ 'node-3': 1 });
  await lab.waitForTorRoute(vip!, NODES, { timeoutMs: ROUTE_TIMEOUT_MS });
  await cluster.settled();

  const removed: Array<Record<string, number>> = [];
  const added: Array<Record<string, number>> = [];
  let failure: unknown;
  try {
    for (let i = 0; i < reps; i++) {
      removed.push(await measurePodChange(cluster, web, vip!, 'remove'));
      added.push(await measurePodChange(cluster, web, vip!, 'add'));
    }
  } catch (err) {
    failure = err;
    ctx.log(`pod changes stopped after ${removed.length} repetitions: ${describeError(err)}`);
  }
  const record =
    (samples: ReadonlyArray<Record<string, number>>) =>
    (recorder: CaseRecorder): Promise<void> => {
      const contender = recorder.contender(CONTENDER.id, CONTENDER.label);
      for (const sample of samples) contender.sample(sample);
      if (failure !== undefined) contender.fail(failure);
      return Promise.resolve();
    };
  if (wantsRemove) await ctx.runCase(CASES.lastPodDeleted, record(removed));
  if (wantsAdd) await ctx.runCase(CASES.podAdded, record(added));
}

async function measurePodChange(
  cluster: LabCluster,
  web: LabDeployment,
  vip: string,
  change: 'remove' | 'add',
): Promise<Record<string, number>> {
  const result =
    change === 'remove' ? await web.killPods('node-3') : await web.scale({ 'node-3': 1 });
  const since = result.apiChangeAt;
  if (since === undefined) throw new Error(`scaling node-3 changed nothing (${change})`);
  const expected = change === 'remove' ? ['node-1', 'node-2'] : [...NODES];
  const route = await cluster.lab.waitForTorRoute(vip, expected, {
    since,
    timeoutMs: ROUTE_TIMEOUT_MS,
  });
  const decided = speakerDecidedAt(
    cluster,
    ['node-3'],
    'default/web',
    change === 'remove' ? 'nodeWithdrew' : 'nodeAnnouncing',
    since,
  );
  // The EndpointSlices and kube-proxy catch up before the next change.
  await cluster.settled();
  return sampleOf(route.elapsedMs, since, decided);
}
