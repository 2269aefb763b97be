import { LabCluster, type LabClusterOptions, type SpeakerKind } from '../lab/cluster.ts';
import type { ClientResult } from '../lab/lab.ts';

/**
 * Shared by the end-to-end tests: the whole system in the lab (docs/lab.md),
 * one cluster per test file, torn down in `after` (and by the lab's exit
 * handlers if the process dies).
 */

export const skipUnlessRoot: string | false =
  process.getuid?.() === 0 ? false : 'needs root (network namespaces)';

/**
 * `ironlb` unless IRONLB_LAB_SPEAKERS=stand-in: then ironlb's decision drives
 * BIRD stand-ins, to tell a speaker problem from a lab problem.
 */
export function speakerKind(): SpeakerKind {
  return process.env['IRONLB_LAB_SPEAKERS'] === 'stand-in' ? 'stand-in' : 'ironlb';
}

export interface E2eCluster {
  readonly cluster: LabCluster;
  /** Every progress line so far, with its time since the start of the file. */
  readonly progress: string[];
}

export async function startCluster(options: LabClusterOptions = {}): Promise<E2eCluster> {
  const progress: string[] = [];
  const started = performance.now();
  const cluster = await LabCluster.create({
    nodes: 3,
    ipv6: true,
    speakers: speakerKind(),
    ...options,
    log: (line) =>
      progress.push(`[${((performance.now() - started) / 1000).toFixed(3)} s] ${line}`),
  });
  return { cluster, progress };
}

/** The nodes and pods that answered, compactly, for diagnostics. */
export function traffic(result: ClientResult): string {
  const nodes = Object.entries(result.byNode)
    .sort()
    .map(([n, c]) => `${n}=${c}`)
    .join(' ');
  const pods = Object.entries(result.byPod)
    .sort()
    .map(([p, c]) => `${p}=${c}`)
    .join(' ');
  const failures =
    result.failures === 0 ? '' : `, ${result.failures} failed ${JSON.stringify(result.errors)}`;
  return `${result.ok}/${result.requested} ok; nodes ${nodes}; pods ${pods}${failures}`;
}

/**
 * What the system looked like, for an assertion message: the ToR's routes for
 * the VIPs, the last lines of the ToR BIRD's log and of each speaker, and the
 * nodes' dataplane plans.
 */
export async function fabricReport(cluster: LabCluster, vips: readonly string[]): Promise<string> {
  const { lab } = cluster;
  const lines: string[] = [];
  for (const vip of vips) {
    const hops = await lab.torRoutes(vip).catch(() => []);
    lines.push(`ToR route ${vip}: ${hops.map((h) => h.node ?? h.gateway).join(', ') || 'none'}`);
  }
  lines.push('ToR BIRD log:', ...tail(lab.birdProcess('tor').output(), 10));
  for (const node of lab.nodes) {
    const speaker = cluster.speaker(node.name);
    if (speaker !== undefined) lines.push(`speaker ${node.name}:`, ...tail(speaker.output(), 6));
  }
  for (const [node, plan] of cluster.kubeProxy.plans) {
    lines.push(
      `dataplane ${node}: ${plan.vips.map((v) => `${v.vip}:${v.port}→${v.targets.length}`).join(' ')}`,
    );
  }
  return `\n${lines.join('\n')}`;
}

function tail(text: string, count: number): string[] {
  return text
    .trim()
    .split('\n')
    .slice(-count)
    .map((l) => `  ${l.length > 400 ? `${l.slice(0, 400)}…` : l}`);
}

/** Rounds a duration for the log. */
export function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}
