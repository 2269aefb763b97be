/**
 * `npm run demo [-- --keep] [-- --verbose]`: ironlb in a data center on one
 * machine. Builds the lab (docs/lab.md) with the real ironlb controller and
 * speakers, deploys an app behind a LoadBalancer Service, and shows what
 * happens at the top-of-rack router as pods move and a speaker restarts.
 * Needs root (network namespaces); installs BIRD and nftables if missing.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { describeError } from '../src/common/errors.ts';
import { LabCluster } from '../test/lab/cluster.ts';
import { IRONLB_NAMESPACE, labConfigObjects } from '../test/lab/cluster-objects.ts';
import {
  annotatedRoute,
  duration,
  nextHopNames,
  table,
  trafficTable,
} from '../test/lab/demo-format.ts';
import type { LabDeployment } from '../test/lab/deployment.ts';
import { runCommand } from '../test/lab/processes.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'ironlb.js');
const REQUESTS = 300;

const { values } = parseArgs({
  options: {
    keep: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    'skip-install': { type: 'boolean', default: false },
  },
});

const started = performance.now();
const say = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};
const elapsed = (): string => `${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s`;
const step = (n: number, title: string): void => {
  say();
  say(`\x1b[1m[${n}/6] ${title}\x1b[0m   (${elapsed()})`);
};
const ok = (line: string): void => say(`  ✓ ${line}`);
const detail = (line: string): void => say(`    ${line}`);

if (process.getuid?.() !== 0) {
  say('The demo builds a data center out of Linux network namespaces, which needs root.');
  say('Run it as root, e.g.:  sudo npm run demo   (or in a root shell: npm run demo)');
  process.exit(1);
}

say('\x1b[1mironlb demo: a data center on one machine\x1b[0m');
say('A ToR router (BIRD), 3 Kubernetes nodes (BIRD + the real ironlb speaker), a client,');
say('a Kubernetes API server and the real ironlb controller, all in network namespaces.');

if (!values['skip-install']) {
  const install = spawnSync('bash', [join(ROOT, 'scripts', 'install-system-deps.sh')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (install.status !== 0) {
    say(`Installing the system packages failed (exit ${install.status}).`);
    process.exit(1);
  }
  say(`(${install.stdout.trim()})`);
}

let cluster: LabCluster | undefined;
try {
  cluster = await run();
} catch (err) {
  say();
  say(`\x1b[31mThe demo failed: ${describeError(err)}\x1b[0m`);
  if (cluster !== undefined) await cluster.destroy().catch(() => {});
  process.exit(1);
}

async function run(): Promise<LabCluster | undefined> {
  // ------------------------------------------------------------------ 1
  step(1, 'Building the lab and starting Kubernetes and ironlb');
  const c = await LabCluster.create({
    nodes: 3,
    ipv6: true,
    configure: false,
    // Rolling restarts of the speakers keep the routes (RFC 4724), see step 5.
    gracefulRestartTime: '30s',
    log: (line) => {
      if (values.verbose || /^cluster: (ironlb|API server)|all node ↔ ToR/.test(line)) {
        detail(`· ${line.replace(/^lab \w+-: /, '')}`);
      }
    },
  });
  cluster = c;
  const { lab } = c;
  ok(
    `lab ${lab.prefix}: ToR, ${lab.nodes.length} nodes, client, management network (namespaces ${lab.prefix}*)`,
  );
  ok(`Kubernetes API test server ${c.api.url}; ironlb CRDs and 3 Node objects`);
  ok(
    'ironlb controller (management namespace) and an ironlb speaker on every node (no config yet)',
  );
  ok('the lab’s EndpointSlice controller and kube-proxy (nftables) follow the API');

  const kubectlCache = join(lab.runDir, 'kube-cache');
  mkdirSync(kubectlCache, { recursive: true });
  const kubectl = async (args: string[], input?: string): Promise<string[]> => {
    say(`  $ kubectl ${args.join(' ')}`);
    const result = await runCommand(
      'kubectl',
      ['--kubeconfig', c.kubeconfigPath, '--cache-dir', kubectlCache, ...args],
      { allowFailure: true, timeoutMs: 30_000, ...(input === undefined ? {} : { input }) },
    );
    const text = (result.code === 0 ? result.stdout : result.stderr || result.stdout).trimEnd();
    const lines = text.split('\n').map((l) => `    ${l}`);
    for (const line of lines) say(line);
    if (result.code !== 0) throw new Error(`kubectl ${args[0]} failed (exit ${result.code})`);
    return lines;
  };

  // ------------------------------------------------------------------ 2
  step(2, 'An address pool, a BGP peer, an app and its LoadBalancer Service');
  const configYaml = labConfigObjects({
    pools: lab.pools,
    holdTime: '3s',
    gracefulRestartTime: '30s',
  })
    .map((o) => stringify(o))
    .join('---\n');
  detail('IPAddressPool "lab" = 203.0.113.128/25 + 2001:db8:5::/112;');
  detail('BGPPeer "node-bird" = the BIRD on each node, 127.0.0.1, AS 64698 → 64699, hold 3 s,');
  detail('graceful restart 30 s; BGPAdvertisement "lab" announces the pool to it.');
  const configuredAt = performance.now();
  await kubectl(['apply', '-n', IRONLB_NAMESPACE, '-f', '-'], configYaml);
  await Promise.all(lab.nodes.map((n) => c.waitForSpeakerSession(n, true, 20_000)));
  ok(
    `every speaker opened its BGP session to its node's BIRD (${duration(performance.now() - configuredAt)} after kubectl apply)`,
  );

  const web = c.deployment('web');
  await web.scale({ 'node-1': 2, 'node-2': 1 });
  ok(`pods: ${podsByNode(web)}  (node-3 has none)`);
  await kubectl(['get', 'pods', '-o', 'wide']);
  const serviceYaml = stringify({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      ipFamilyPolicy: 'RequireDualStack',
      ipFamilies: ['IPv4', 'IPv6'],
      selector: { app: 'web' },
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
    },
  });
  detail('Service "web": type LoadBalancer, externalTrafficPolicy Local, dual-stack, port 80');
  const createdAt = performance.now();
  await kubectl(['apply', '-f', '-'], serviceYaml);
  const vips = await c.waitForServiceIPs('web', { count: 2 });
  const [vip, vip6] = vips as [string, string];
  const first = await lab.waitForTorRoute(vip, ['node-1', 'node-2'], {
    since: createdAt,
    timeoutMs: 20_000,
  });
  await lab.waitForTorRoute(vip6, ['node-1', 'node-2'], { timeoutMs: 20_000 });
  await c.settled();
  ok(
    `the controller assigned ${vip} and ${vip6}; the ToR routed them ${duration(first.elapsedMs)} after \`kubectl apply\` started`,
  );

  // ------------------------------------------------------------------ 3
  step(3, 'What the world sees');
  await kubectl(['get', 'svc', 'web']);
  await showRoute(c, vip);
  await showTraffic(c, web, vip);
  const v6 = await lab.client.request(vip6, 80, 60, { concurrency: 4 });
  detail(
    `IPv6: 60 requests to [${vip6}]:80 → ${Object.entries(v6.byNode)
      .sort()
      .map(([n, k]) => `${n} ${k}`)
      .join(', ')}${v6.failures > 0 ? `, ${v6.failures} failed` : ''}`,
  );

  // ------------------------------------------------------------------ 4
  step(4, 'Pods move: scale onto node-3, then kill every pod on node-1');
  say('  Scaling: one more pod, on node-3');
  const up = await web.scale({ 'node-3': 1 });
  const added = await lab.waitForTorRoute(vip, ['node-1', 'node-2', 'node-3'], {
    since: up.apiChangeAt,
    timeoutMs: 20_000,
  });
  await c.settled();
  ok(
    `ToR: ${nextHopNames(added.nextHops)} — ${duration(added.elapsedMs)} from the Pod write to the ToR's kernel route`,
  );
  detail(breakdown(c, 'node-3', 'nodeAnnouncing', up.apiChangeAt, added.elapsedMs));
  await showRoute(c, vip);
  await showTraffic(c, web, vip);

  say();
  say('  Killing every pod on node-1 (externalTrafficPolicy Local: node-1 has nothing to serve)');
  const killed = await web.killPods('node-1');
  const removed = await lab.waitForTorRoute(vip, ['node-2', 'node-3'], {
    since: killed.apiChangeAt,
    timeoutMs: 20_000,
  });
  await c.settled();
  ok(
    `ToR: ${nextHopNames(removed.nextHops)} — ${duration(removed.elapsedMs)} from the Pod deletes to the ToR's kernel route`,
  );
  detail(breakdown(c, 'node-1', 'nodeWithdrew', killed.apiChangeAt, removed.elapsedMs));
  await showRoute(c, vip);
  await showTraffic(c, web, vip);
  say(`  $ ironlb explain web   (why each node does or does not announce)`);
  const explain = await runCommand(
    process.execPath,
    [BIN, 'explain', 'web', '-n', 'default', '--kubeconfig', c.kubeconfigPath],
    { allowFailure: true, timeoutMs: 30_000 },
  );
  const report = explain.stdout.split('\n');
  const routesAt = report.findIndex((line) => line.startsWith('Routes:'));
  const decisions = (routesAt < 0 ? report : report.slice(0, routesAt)).join('\n').trimEnd();
  for (const line of decisions.split('\n')) say(line === '' ? '' : `    ${line}`);

  // ------------------------------------------------------------------ 5
  step(5, 'Restarting the speaker on node-2 while the client keeps sending');
  const changesBefore = lab.torRouteChanges(vip);
  const held = await lab.client.holdConnections(vip, 80, 30);
  const load = await lab.client.startLoad(vip, 80, { concurrency: 4 });
  await sleep(500);
  const restartAt = performance.now();
  const exit = await c.stopSpeaker('node-2', 'SIGTERM');
  ok(
    `SIGTERM: the speaker exited ${exit?.code ?? exit?.signal} (graceful restart: BIRD keeps its routes)`,
  );
  await c.startSpeaker('node-2');
  ok(
    `a new speaker on node-2 was back in session with the node's BIRD ${duration(performance.now() - restartAt)} after the SIGTERM`,
  );
  await sleep(500);
  const during = await load.stop();
  const routeChanges = lab.torRouteChanges(vip) - changesBefore;
  ok(
    `${during.ok + during.failures} requests during the restart: ${during.ok} answered, ` +
      `${during.failures === 0 ? '\x1b[32m0 failed\x1b[0m' : `\x1b[31m${during.failures} failed\x1b[0m ${JSON.stringify(during.errors)}`}`,
  );
  ok(`the ToR's route for ${vip} changed ${routeChanges} time(s) meanwhile`);
  const survivors = await held.answer();
  ok(
    `30 connections opened before the restart and held idle: ${survivors.ok} still answered afterwards` +
      (survivors.failures > 0
        ? `, ${survivors.failures} failed ${JSON.stringify(survivors.errors)}`
        : ''),
  );

  // ------------------------------------------------------------------ 6
  step(6, values.keep ? 'Leaving everything running' : 'Tearing down');
  if (!values.keep) {
    await c.destroy();
    ok(`lab ${lab.prefix} removed (namespaces, processes, files) in ${elapsed().trim()} total`);
    return c;
  }
  say('  The lab stays up until you press Ctrl-C. Try, as root:');
  for (const line of table(
    [
      [`kubectl --kubeconfig ${c.kubeconfigPath} get svc,pods -o wide`, ''],
      [`npx ironlb explain web -n default --kubeconfig ${c.kubeconfigPath}`, ''],
      [`ip -n ${lab.tor.netns} route`, '# the ToR’s ECMP routes'],
      [`birdc -s ${lab.tor.birdSocket} show route all`, ''],
      [`birdc -s ${lab.node('node-1').birdSocket} show protocols all speaker`, ''],
      [`ip netns exec ${lab.node('node-2').netns} nft list ruleset`, '# kube-proxy’s DNAT'],
      [`ip netns exec ${lab.client.netns} curl -s http://${vip}/`, ''],
    ],
    '    ',
  )) {
    say(line);
  }
  // The lab's own SIGINT handler removes everything.
  setInterval(() => {}, 1 << 30);
  return c;
}

/**
 * Where the time went: from the API change to the speaker's decision (its
 * log line for the Service event, same clock), then BGP through the node's
 * BIRD to the ToR's kernel.
 */
function breakdown(
  c: LabCluster,
  node: string,
  reason: string,
  since: number | undefined,
  totalMs: number,
): string {
  if (since === undefined) return '';
  for (const line of c.speaker(node)?.output().split('\n') ?? []) {
    let entry: { time?: unknown; reason?: unknown };
    try {
      entry = JSON.parse(line) as { time?: unknown; reason?: unknown };
    } catch {
      continue;
    }
    if (entry.reason !== reason || typeof entry.time !== 'string') continue;
    const at = Date.parse(entry.time) - performance.timeOrigin;
    if (at < since - 5) continue;
    const decided = Math.max(0, at - since);
    return `(the API change reached the speaker on ${node} through its watches, which decided after ${duration(decided)}; BGP through ${node}'s BIRD to the ToR's kernel took ${duration(Math.max(0, totalMs - decided))})`;
  }
  return '';
}

function podsByNode(deployment: LabDeployment): string {
  const byNode = new Map<string, string[]>();
  for (const pod of deployment.pods)
    byNode.set(pod.node, [...(byNode.get(pod.node) ?? []), pod.name]);
  return [...byNode.entries()]
    .sort()
    .map(([node, pods]) => `${pods.join(', ')} on ${node}`)
    .join('; ');
}

async function showRoute(c: LabCluster, vip: string): Promise<void> {
  const { stdout } = await c.lab.exec(c.lab.tor.netns, 'ip', ['route', 'show', `${vip}/32`]);
  const hops = await c.lab.torRoutes(vip);
  say(`  ToR kernel route (ip route show ${vip}):`);
  for (const line of annotatedRoute(stdout, hops)) say(line);
}

async function showTraffic(c: LabCluster, deployment: LabDeployment, vip: string): Promise<void> {
  const result = await c.lab.client.request(vip, 80, REQUESTS, { concurrency: 4 });
  say(`  ${REQUESTS} requests from the client to ${vip}:80, each on a new connection:`);
  for (const line of trafficTable(result, deployment.pods)) say(`  ${line}`);
}
