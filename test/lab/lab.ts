import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, connect, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import ipaddr from 'ipaddr.js';
import { IronlbError, describeError } from '../../src/common/errors.ts';
import {
  CLIENT_LINK,
  DEFAULT_POOLS,
  familyOf,
  interfaceNames,
  LAB_ASN,
  LAB_LIMITS,
  MAX_INTERFACE_NAME,
  MGMT_ADDRESS,
  MGMT_PREFIX_LENGTH,
  planTopology,
  podAddresses,
  podNameProblem,
  podNames,
  poolProblem,
  prefixProblem,
  randomPrefix,
  type NodePlan,
  type TopologyPlan,
} from './addressing.ts';
import {
  DEFAULT_FABRIC_TIMERS,
  renderNodeBirdConfig,
  renderStandInSpeakerConfig,
  renderTorBirdConfig,
  torSessionName,
  type FabricTimers,
} from './bird-config.ts';
import { isEstablished, parseBirdProtocols } from './bird-output.ts';
import { destroyNowSync, listNetns, registerEmergencyCleanup, runDirectory } from './cleanup.ts';
import {
  planNodeDataplane,
  renderNftRuleset,
  type DataplaneModel,
  type NodeDataplanePlan,
} from './dataplane.ts';
import { LabErrors } from './errors.ts';
import { hasAnyRoute, parseRouteNextHops, routeEventDestination } from './kernel-routes.ts';
import {
  isProcessRunning,
  LabProcess,
  runCommand,
  runInNetns,
  waitFor,
  type CommandOptions,
  type CommandResult,
  type LabProcessOptions,
} from './processes.ts';

/**
 * A data center on one machine, in network namespaces: a client, a top-of-rack
 * router (BIRD 2), N nodes each running BIRD 2 like the reference data center,
 * pods behind the nodes, and a management network for the Kubernetes API test
 * server and the controller. Nothing is attached to the host's root namespace.
 * See docs/lab.md.
 */

/** Progress output: one readable line per step, with optional structured fields. */
export type LabLog = (message: string, fields?: Record<string, unknown>) => void;

export interface LabOptions {
  /** Number of nodes (1–16); 3 by default. */
  readonly nodes?: number;
  /** Dual-stack fabric, pods and client; true by default. */
  readonly ipv6?: boolean;
  /** Service pools the nodes' BIRD accepts host routes from; documentation ranges only. */
  readonly pools?: readonly string[];
  /** Per-run prefix of every namespace, interface and file; random `ilbXXXX-` by default. */
  readonly prefix?: string;
  readonly log?: LabLog;
  readonly timers?: Partial<FabricTimers>;
  /** Wait until every node ↔ ToR session is established (about a second); true by default. */
  readonly waitForFabric?: boolean;
  /** Limit of each bounded wait during bring-up; 10 s by default. */
  readonly timeoutMs?: number;
}

export interface LabNode extends NodePlan {
  /** BIRD control socket of the node's BIRD (for `birdc -s`). */
  readonly birdSocket: string;
  /** The node's directory inside the run directory. */
  readonly dir: string;
}

export interface LabTor {
  readonly netns: string;
  readonly routerId: string;
  readonly asn: number;
  readonly birdSocket: string;
}

export interface LabMgmt {
  readonly netns: string;
  /** The address servers in the management namespace bind to; nodes reach it directly. */
  readonly address: string;
  readonly prefixLength: number;
}

export interface LabPod {
  readonly name: string;
  /** Kubernetes node name. */
  readonly node: string;
  readonly netns: string;
  readonly ip: string;
  /** Undefined when the lab runs without IPv6. */
  readonly ip6: string | undefined;
  readonly port: number;
  readonly process: LabProcess;
}

export interface TorNextHop {
  readonly gateway: string;
  readonly dev: string;
  /** The node owning the gateway address; undefined if it is not a node. */
  readonly node: string | undefined;
}

export interface ClientResult {
  readonly requested: number;
  readonly ok: number;
  readonly failures: number;
  readonly byPod: Readonly<Record<string, number>>;
  readonly byNode: Readonly<Record<string, number>>;
  /** The client address each answering pod saw (preserved for Local, a node address for Cluster via SNAT). */
  readonly byClientAddress: Readonly<Record<string, number>>;
  /** Failure reasons (error codes such as ECONNREFUSED, or timeouts) and their counts. */
  readonly errors: Readonly<Record<string, number>>;
  readonly elapsedMs: number;
}

export interface RequestOptions {
  /** Connections in flight at once; 8 by default. */
  readonly concurrency?: number;
  /** Per request; 2 s by default. */
  readonly timeoutMs?: number;
}

export interface LoadOptions extends RequestOptions {
  /** Pause of each sender between its requests; 0 by default. */
  readonly pauseMs?: number;
}

/** Requests sent continuously until `stop()`; failures carry their time since the start. */
export interface ClientLoad {
  /** performance.now() when the client reported it had started. */
  readonly startedAt: number;
  stop(): Promise<ClientResult & { readonly failureTimesMs: readonly number[] }>;
}

export type NodeRef = LabNode | string | number;

const SCRIPTS = join(import.meta.dirname, 'scripts');
const POD_SERVER = join(SCRIPTS, 'pod-server.ts');
const HTTP_CLIENT = join(SCRIPTS, 'http-client.ts');
const HELD_CONNECTIONS = join(SCRIPTS, 'held-connections.ts');
const TCP_RELAY = join(SCRIPTS, 'tcp-relay.ts');
const STAND_IN_PORT = 1790;
const NFT_TABLE = 'ironlb_lab';

/** The client namespace: sends requests to Service IPs through the ToR. */
export class LabClient {
  readonly netns: string;
  readonly address = CLIENT_LINK.client;
  readonly address6: string | undefined;
  readonly #timeoutMs: number;
  readonly #spawn: (name: string, args: readonly string[]) => Promise<LabProcess>;

  constructor(
    netns: string,
    ipv6: boolean,
    timeoutMs: number,
    spawn: (name: string, args: readonly string[]) => Promise<LabProcess>,
  ) {
    this.netns = netns;
    this.address6 = ipv6 ? CLIENT_LINK.client6 : undefined;
    this.#timeoutMs = timeoutMs;
    this.#spawn = spawn;
  }

  /**
   * Opens `count` connections to vip:port and holds them idle; `answer()`
   * then sends one request on each and counts who answered. A connection
   * survives only while the ToR still sends its packets to the node whose
   * conntrack DNATed it.
   */
  async holdConnections(
    vip: string,
    port: number,
    count: number,
  ): Promise<{ answer(): Promise<ClientResult> }> {
    const proc = await this.#spawn(`client held connections ${vip}:${port}`, [
      HELD_CONNECTIONS,
      '--host',
      vip,
      '--port',
      String(port),
      '--count',
      String(count),
    ]);
    await proc.waitForLine(/^ready$/, this.#timeoutMs);
    return {
      answer: async () => {
        proc.signal('SIGUSR2');
        const line = await proc.waitForLine(/^\{/, this.#timeoutMs);
        return JSON.parse(line) as ClientResult;
      },
    };
  }

  /**
   * Starts sending requests to vip:port continuously (each on a new
   * connection, `concurrency` at a time); `stop()` lets the requests in flight
   * finish and returns the counts.
   */
  async startLoad(vip: string, port: number, options: LoadOptions = {}): Promise<ClientLoad> {
    const proc = await this.#spawn(`client load ${vip}:${port}`, [
      HTTP_CLIENT,
      '--host',
      vip,
      '--port',
      String(port),
      '--until-stopped',
      '--concurrency',
      String(options.concurrency ?? 4),
      '--timeout-ms',
      String(options.timeoutMs ?? 2000),
      '--pause-ms',
      String(options.pauseMs ?? 0),
    ]);
    await proc.waitForLine(/^started$/, this.#timeoutMs);
    const startedAt = performance.now();
    return {
      startedAt,
      stop: async () => {
        await proc.stop('SIGTERM', (options.timeoutMs ?? 2000) + 3000);
        const line = proc
          .output()
          .split('\n')
          .find((l) => l.startsWith('{'));
        if (line === undefined) {
          throw new IronlbError(
            LabErrors.IRONLB_ERR_LAB_PROCESS,
            `the client load printed no summary: ${proc.output().trim()}`,
          );
        }
        return JSON.parse(line) as ClientResult & { failureTimesMs: number[] };
      },
    };
  }

  /**
   * Sends `count` HTTP GETs to vip:port from the client namespace, each on a
   * new connection, and counts who answered. Never throws for failed requests:
   * they are counted in `failures`/`errors`.
   */
  async request(
    vip: string,
    port: number,
    count: number,
    options: RequestOptions = {},
  ): Promise<ClientResult> {
    const perRequest = options.timeoutMs ?? 2000;
    const args = [
      HTTP_CLIENT,
      '--host',
      vip,
      '--port',
      String(port),
      '--count',
      String(count),
      '--concurrency',
      String(options.concurrency ?? 8),
      '--timeout-ms',
      String(perRequest),
    ];
    const { stdout } = await runInNetns(this.netns, process.execPath, args, {
      timeoutMs: this.#timeoutMs + perRequest * count,
    });
    return JSON.parse(stdout) as ClientResult;
  }
}

/** The lab's stand-in for the ironlb speaker: a BIRD in AS 64698 dialing the node's BIRD. */
export class StandInSpeaker {
  readonly node: LabNode;
  readonly #lab: Lab;
  readonly #configPath: string;
  readonly #socket: string;
  readonly #process: LabProcess;
  #routes: string[] = [];
  #gracefulShutdown = false;

  constructor(lab: Lab, node: LabNode, process: LabProcess, configPath: string, socket: string) {
    this.#lab = lab;
    this.node = node;
    this.#process = process;
    this.#configPath = configPath;
    this.#socket = socket;
  }

  get process(): LabProcess {
    return this.#process;
  }

  get routes(): readonly string[] {
    return this.#routes;
  }

  /** Announces exactly these Service IPs (host routes), withdrawing any others. */
  async setRoutes(routes: readonly string[]): Promise<void> {
    this.#routes = [...new Set(routes)].sort();
    await this.#configure();
  }

  /** Re-announces every route with (or without) GRACEFUL_SHUTDOWN, as a draining speaker does. */
  async setGracefulShutdown(on: boolean): Promise<void> {
    this.#gracefulShutdown = on;
    await this.#configure();
  }

  async #configure(): Promise<void> {
    writeFileSync(
      this.#configPath,
      renderStandInSpeakerConfig({
        node: this.node,
        routes: this.#routes,
        listenPort: STAND_IN_PORT,
        gracefulShutdown: this.#gracefulShutdown,
      }),
    );
    const { stdout } = await runCommand('birdc', ['-s', this.#socket, 'configure']);
    if (!/Reconfigured|Reconfiguration in progress/.test(stdout)) {
      throw new IronlbError(
        LabErrors.IRONLB_ERR_LAB_COMMAND,
        `stand-in speaker on ${this.node.name} refused its configuration: ${stdout.trim()}`,
      );
    }
  }

  announce(...vips: string[]): Promise<void> {
    return this.setRoutes([...this.#routes, ...vips]);
  }

  withdraw(...vips: string[]): Promise<void> {
    return this.setRoutes(this.#routes.filter((r) => !vips.includes(r)));
  }

  /** Waits until the node's BIRD reports the speaker session established. */
  async waitEstablished(timeoutMs = 5000): Promise<void> {
    await waitFor(
      async () => {
        const text = await this.#lab.birdc(this.node, 'show protocols speaker');
        return isEstablished(parseBirdProtocols(text).get('speaker')) ? true : undefined;
      },
      { timeoutMs, intervalMs: 25, what: `the speaker session on ${this.node.name}` },
    );
  }

  stop(): Promise<unknown> {
    return this.#process.stop();
  }
}

export class Lab {
  readonly prefix: string;
  readonly runDir: string;
  readonly ipv6: boolean;
  readonly pools: readonly string[];
  readonly timers: FabricTimers;
  readonly tor: LabTor;
  readonly nodes: readonly LabNode[];
  readonly client: LabClient;
  readonly mgmt: LabMgmt;
  readonly plan: TopologyPlan;
  readonly #log: LabLog;
  readonly #timeoutMs: number;
  readonly #namespaces = new Set<string>();
  readonly #processes = new Set<LabProcess>();
  readonly #pods = new Map<string, LabPod>();
  /** Pod name → node and address slot, reserved as soon as addPod is called. */
  readonly #podSlots = new Map<string, { node: string; slot: number }>();
  readonly #relays = new Set<Server>();
  /** The ToR's and nodes' BIRD: one that exits explains a failed wait for the fabric. */
  readonly #birds = new Set<LabProcess>();
  readonly #standIns = new Map<string, StandInSpeaker>();
  /** Kernel route changes at the ToR, per destination: how many, and when the last arrived. */
  readonly #routeEvents = new Map<string, { count: number; lastAt: number }>();
  readonly #routeWaiters = new Set<(destination: string) => void>();
  #podCounter = 0;
  #destroyed = false;
  #ownsRunDir = false;
  #destroying: Promise<void> | undefined;
  #unregisterEmergency: (() => void) | undefined;

  private constructor(plan: TopologyPlan, options: Required<Omit<LabOptions, 'prefix'>>) {
    this.plan = plan;
    this.prefix = plan.prefix;
    this.runDir = runDirectory(plan.prefix);
    this.ipv6 = options.ipv6;
    this.pools = options.pools;
    this.timers = { ...DEFAULT_FABRIC_TIMERS, ...options.timers };
    this.#log = options.log;
    this.#timeoutMs = options.timeoutMs;
    this.tor = {
      netns: plan.torNetns,
      routerId: plan.torRouterId,
      asn: LAB_ASN.rack,
      birdSocket: join(this.runDir, 'tor', 'bird.ctl'),
    };
    this.nodes = plan.nodes.map((n) => ({
      ...n,
      dir: join(this.runDir, n.name),
      birdSocket: join(this.runDir, n.name, 'bird.ctl'),
    }));
    this.client = new LabClient(plan.clientNetns, options.ipv6, options.timeoutMs, (name, args) =>
      this.#spawn(name, plan.clientNetns, process.execPath, args),
    );
    this.mgmt = {
      netns: plan.mgmtNetns,
      address: MGMT_ADDRESS,
      prefixLength: MGMT_PREFIX_LENGTH,
    };
  }

  /** Builds and starts the whole lab; on any failure, tears down what it made and rethrows. */
  static async create(options: LabOptions = {}): Promise<Lab> {
    const nodeCount = options.nodes ?? 3;
    const prefix = options.prefix ?? randomPrefix();
    const pools = options.pools ?? DEFAULT_POOLS;
    const problems = [
      Number.isInteger(nodeCount) && nodeCount >= 1 && nodeCount <= LAB_LIMITS.maxNodes
        ? undefined
        : `nodes must be an integer from 1 to ${LAB_LIMITS.maxNodes}, got ${nodeCount}`,
      prefixProblem(prefix),
      ...pools.map(poolProblem),
    ].filter((p): p is string => p !== undefined);
    if (problems.length > 0) {
      throw new IronlbError(LabErrors.IRONLB_ERR_LAB_OPTIONS, problems.join('; '));
    }
    if (process.getuid?.() !== 0) {
      throw new IronlbError(
        LabErrors.IRONLB_ERR_LAB_NOT_ROOT,
        'the lab creates network namespaces and must run as root',
      );
    }
    const plan = planTopology(prefix, nodeCount);
    const tooLong = interfaceNames(plan).filter((n) => n.length > MAX_INTERFACE_NAME);
    if (tooLong.length > 0) {
      throw new IronlbError(
        LabErrors.IRONLB_ERR_LAB_OPTIONS,
        `interface names longer than ${MAX_INTERFACE_NAME} characters: ${tooLong.join(', ')}`,
      );
    }
    const lab = new Lab(plan, {
      nodes: nodeCount,
      ipv6: options.ipv6 ?? true,
      pools,
      log: options.log ?? (() => {}),
      timers: options.timers ?? {},
      waitForFabric: options.waitForFabric ?? true,
      timeoutMs: options.timeoutMs ?? 10_000,
    });
    try {
      await lab.#bringUp(options.waitForFabric ?? true);
    } catch (err) {
      lab.#log(`lab ${prefix}: bring-up failed, tearing down: ${describeError(err)}`);
      await lab.destroy().catch(() => {});
      throw err;
    }
    return lab;
  }

  // ---------------------------------------------------------------- bring-up

  async #bringUp(waitForFabric: boolean): Promise<void> {
    const started = performance.now();
    const plan = this.plan;
    const taken = (await listNetns()).filter((ns) => ns.startsWith(this.prefix));
    if (taken.length > 0) {
      // Never adopt (and later delete) namespaces this lab did not make.
      throw new IronlbError(
        LabErrors.IRONLB_ERR_LAB_OPTIONS,
        `prefix ${this.prefix} is in use by namespaces ${taken.join(', ')}`,
      );
    }
    mkdirSync(this.runDir, { recursive: true });
    this.#ownsRunDir = true;
    // Written first, so cleanupStale() in another process leaves a live lab alone.
    writeFileSync(
      join(this.runDir, 'owner.json'),
      JSON.stringify({ pid: process.pid, created: new Date().toISOString() }),
    );
    this.#unregisterEmergency = registerEmergencyCleanup(() => this.#destroyNowSync());
    this.#log(
      `lab ${this.prefix}: creating ${this.nodes.length} node(s), ToR, client and management namespaces`,
    );

    const namespaces = [
      plan.torNetns,
      plan.clientNetns,
      plan.mgmtNetns,
      ...this.nodes.map((n) => n.netns),
    ];
    for (const ns of namespaces) this.#namespaces.add(ns);
    await runCommand('ip', ['-batch', '-'], {
      input: namespaces.map((ns) => `netns add ${ns}`).join('\n') + '\n',
    });
    const routers = new Set([plan.torNetns, ...this.nodes.map((n) => n.netns)]);
    await Promise.all(namespaces.map((ns) => this.#sysctls(ns, routers.has(ns))));

    await this.#batch(plan.torNetns, this.#torLinks());
    await this.#batch(plan.mgmtNetns, this.#mgmtLinks());
    await Promise.all([
      this.#batch(plan.torNetns, this.#torAddresses()),
      this.#batch(plan.mgmtNetns, [
        'link set lo up',
        `addr add ${MGMT_ADDRESS}/${MGMT_PREFIX_LENGTH} dev ${plan.mgmtBridge}`,
        `link set ${plan.mgmtBridge} up`,
        ...this.nodes.map((n) => `link set ${n.mgmtBridgePort} up`),
      ]),
      this.#batch(plan.clientNetns, this.#clientAddresses()),
      ...this.nodes.map((n) => this.#batch(n.netns, this.#nodeAddresses(n))),
    ]);
    const linked = performance.now();
    this.#log(
      `lab ${this.prefix}: namespaces, veths and addresses ready (${Math.round(linked - started)} ms)`,
    );

    mkdirSync(join(this.runDir, 'tor'), { recursive: true });
    writeFileSync(
      join(this.runDir, 'tor', 'bird.conf'),
      renderTorBirdConfig({
        routerId: this.tor.routerId,
        nodes: this.nodes,
        ipv6: this.ipv6,
        timers: this.timers,
        nodeInterfacePattern: `${this.prefix}n*`,
      }),
    );
    // The ToR first: it only listens, so it must be up before the nodes dial.
    const torBird = await this.#startBird(
      'tor bird',
      plan.torNetns,
      join(this.runDir, 'tor', 'bird.conf'),
      this.tor.birdSocket,
    );
    const nodeBirds = await Promise.all(
      this.nodes.map((node) => {
        mkdirSync(node.dir, { recursive: true });
        writeFileSync(
          join(node.dir, 'bird.conf'),
          renderNodeBirdConfig({ node, ipv6: this.ipv6, pools: this.pools, timers: this.timers }),
        );
        return this.#startBird(
          `${node.name} bird`,
          node.netns,
          join(node.dir, 'bird.conf'),
          node.birdSocket,
        );
      }),
    );
    for (const bird of [torBird, ...nodeBirds]) this.#birds.add(bird);
    // Every kernel route change at the ToR, timed on arrival (waitForTorRoute).
    await this.#spawn('tor route monitor', plan.torNetns, 'ip', ['-o', 'monitor', 'route'], {
      onLine: (line) => this.#onTorRouteLine(line),
    });
    this.#log(
      `lab ${this.prefix}: BIRD running on the ToR and ${this.nodes.length} node(s) (${Math.round(performance.now() - linked)} ms)`,
    );
    if (waitForFabric) {
      const before = performance.now();
      await this.waitForFabric();
      this.#log(
        `lab ${this.prefix}: all node ↔ ToR BGP sessions established (${Math.round(performance.now() - before)} ms)`,
      );
    }
    this.#log(`lab ${this.prefix}: ready in ${Math.round(performance.now() - started)} ms`);
  }

  async #sysctls(netns: string, router: boolean): Promise<void> {
    const settings = [
      // Addresses usable at once: no duplicate address detection in a lab of veths.
      'net.ipv6.conf.all.accept_dad=0',
      'net.ipv6.conf.default.accept_dad=0',
      'net.ipv6.conf.all.accept_ra=0',
      'net.ipv6.conf.default.accept_ra=0',
    ];
    if (router) {
      settings.push(
        'net.ipv4.ip_forward=1',
        'net.ipv6.conf.all.forwarding=1',
        // ECMP by L4 hash (addresses and ports), so connections spread over next hops.
        'net.ipv4.fib_multipath_hash_policy=1',
        'net.ipv6.fib_multipath_hash_policy=1',
      );
    }
    await runInNetns(netns, 'sysctl', ['-q', '-w', ...settings]);
  }

  #batch(netns: string, commands: readonly string[]): Promise<CommandResult> {
    return runCommand('ip', ['-n', netns, '-batch', '-'], { input: commands.join('\n') + '\n' });
  }

  #torLinks(): string[] {
    const plan = this.plan;
    return [
      ...this.nodes.map(
        (n) =>
          `link add ${n.torInterface} type veth peer name ${n.uplinkInterface} netns ${n.netns}`,
      ),
      `link add ${plan.torClientInterface} type veth peer name ${plan.clientInterface} netns ${plan.clientNetns}`,
    ];
  }

  #mgmtLinks(): string[] {
    const plan = this.plan;
    return [
      `link add ${plan.mgmtBridge} type bridge`,
      ...this.nodes.flatMap((n) => [
        `link add ${n.mgmtBridgePort} type veth peer name ${n.mgmtInterface} netns ${n.netns}`,
        `link set ${n.mgmtBridgePort} master ${plan.mgmtBridge}`,
      ]),
    ];
  }

  #torAddresses(): string[] {
    const plan = this.plan;
    const lines = ['link set lo up'];
    for (const n of this.nodes) {
      lines.push(`addr add ${n.torAddress}/${n.linkPrefixLength} dev ${n.torInterface}`);
      if (this.ipv6) {
        lines.push(`addr add ${n.torAddress6}/${n.linkPrefixLength6} dev ${n.torInterface} nodad`);
      }
      lines.push(`link set ${n.torInterface} up`);
      // Pod networks are routed to their node statically (the fabric carries only Service routes by BGP).
      lines.push(`route add ${n.podCidr} via ${n.nodeAddress} dev ${n.torInterface}`);
      if (this.ipv6)
        lines.push(`route add ${n.podCidr6} via ${n.nodeAddress6} dev ${n.torInterface}`);
    }
    lines.push(
      `addr add ${CLIENT_LINK.tor}/${CLIENT_LINK.prefixLength} dev ${plan.torClientInterface}`,
    );
    if (this.ipv6) {
      lines.push(
        `addr add ${CLIENT_LINK.tor6}/${CLIENT_LINK.prefixLength6} dev ${plan.torClientInterface} nodad`,
      );
    }
    lines.push(`link set ${plan.torClientInterface} up`);
    return lines;
  }

  #clientAddresses(): string[] {
    const dev = this.plan.clientInterface;
    const lines = [
      'link set lo up',
      `addr add ${CLIENT_LINK.client}/${CLIENT_LINK.prefixLength} dev ${dev}`,
      `link set ${dev} up`,
      `route add default via ${CLIENT_LINK.tor} dev ${dev}`,
    ];
    if (this.ipv6) {
      lines.splice(
        2,
        0,
        `addr add ${CLIENT_LINK.client6}/${CLIENT_LINK.prefixLength6} dev ${dev} nodad`,
      );
      lines.push(`route add ::/0 via ${CLIENT_LINK.tor6} dev ${dev}`);
    }
    return lines;
  }

  #nodeAddresses(n: LabNode): string[] {
    const lines = [
      'link set lo up',
      `addr add ${n.nodeAddress}/${n.linkPrefixLength} dev ${n.uplinkInterface}`,
      `link set ${n.uplinkInterface} up`,
      `route add default via ${n.torAddress} dev ${n.uplinkInterface}`,
      `addr add ${n.mgmtAddress}/${MGMT_PREFIX_LENGTH} dev ${n.mgmtInterface}`,
      `link set ${n.mgmtInterface} up`,
    ];
    if (this.ipv6) {
      lines.splice(
        2,
        0,
        `addr add ${n.nodeAddress6}/${n.linkPrefixLength6} dev ${n.uplinkInterface} nodad`,
      );
      lines.push(`route add ::/0 via ${n.torAddress6} dev ${n.uplinkInterface}`);
    }
    return lines;
  }

  async #startBird(
    name: string,
    netns: string,
    configPath: string,
    socket: string,
  ): Promise<LabProcess> {
    const proc = await this.#spawn(name, netns, 'bird', ['-f', '-c', configPath, '-s', socket]);
    // BIRD opens its control socket before it reads its configuration: ask it whether it is up.
    await waitFor(async () => ((await birdIsUp(socket)) ? true : undefined), {
      timeoutMs: this.#timeoutMs,
      intervalMs: 5,
      what: `${name} control socket`,
      // A BIRD that exited (e.g. a configuration error) explains itself better than a timeout.
      giveUpIf: () =>
        proc.exitStatus === undefined
          ? undefined
          : new IronlbError(
              LabErrors.IRONLB_ERR_LAB_PROCESS,
              `${name} exited: ${proc.output().trim()}`,
            ),
    });
    return proc;
  }

  async #spawn(
    name: string,
    netns: string,
    command: string,
    args: readonly string[],
    options: LabProcessOptions = {},
  ): Promise<LabProcess> {
    this.#assertLive();
    const proc = await LabProcess.start(name, netns, command, args, options);
    this.#processes.add(proc);
    void proc.exited.then(() => this.#processes.delete(proc));
    return proc;
  }

  /** Waits until every node ↔ ToR session (IPv4, and IPv6 if enabled) is established. */
  async waitForFabric(timeoutMs = this.#timeoutMs): Promise<void> {
    const expected = this.nodes.flatMap((n) =>
      this.ipv6 ? [torSessionName(n, 4), torSessionName(n, 6)] : [torSessionName(n, 4)],
    );
    await waitFor(
      async () => {
        const status = parseBirdProtocols(await this.birdc('tor', 'show protocols'));
        return expected.every((name) => isEstablished(status.get(name))) ? true : undefined;
      },
      {
        timeoutMs,
        intervalMs: 25,
        what: 'the node ↔ ToR BGP sessions',
        giveUpIf: () => this.#exitedBird(),
      },
    );
  }

  /** The BIRD process of a node, or of the ToR with `'tor'` (e.g. to freeze it with SIGSTOP). */
  birdProcess(target: NodeRef): LabProcess {
    const socket = target === 'tor' ? this.tor.birdSocket : this.node(target).birdSocket;
    const bird = [...this.#birds].find(
      (b) => b.name === (target === 'tor' ? 'tor bird' : `${this.node(target).name} bird`),
    );
    if (bird === undefined) {
      throw new IronlbError(LabErrors.IRONLB_ERR_LAB_UNKNOWN, `no BIRD behind ${socket}`);
    }
    return bird;
  }

  /** An error describing the first BIRD that exited, if any. */
  #exitedBird(): Error | undefined {
    for (const bird of this.#birds) {
      if (bird.exitStatus !== undefined) {
        return new IronlbError(
          LabErrors.IRONLB_ERR_LAB_PROCESS,
          `${bird.name} exited: ${bird.output().trim()}`,
        );
      }
    }
    return undefined;
  }

  // ---------------------------------------------------------------- access

  /** A node by object, Kubernetes name (`node-2`) or 1-based index. */
  node(ref: NodeRef): LabNode {
    const found =
      typeof ref === 'number'
        ? this.nodes[ref - 1]
        : typeof ref === 'string'
          ? this.nodes.find((n) => n.name === ref || n.netns === ref)
          : this.nodes.find((n) => n.netns === ref.netns);
    if (found === undefined) {
      throw new IronlbError(
        LabErrors.IRONLB_ERR_LAB_UNKNOWN,
        `no node ${String(typeof ref === 'object' ? ref.name : ref)} in lab ${this.prefix}`,
      );
    }
    return found;
  }

  /** Every namespace the lab made and has not deleted yet. */
  get namespaces(): readonly string[] {
    return [...this.#namespaces];
  }

  /** Every process the lab started that has not exited yet. */
  get processes(): readonly LabProcess[] {
    return [...this.#processes];
  }

  get pods(): readonly LabPod[] {
    return [...this.#pods.values()];
  }

  /** Runs a command inside one of the lab's namespaces. */
  async exec(
    netns: string,
    command: string,
    args: readonly string[],
    options: CommandOptions = {},
  ): Promise<CommandResult> {
    this.#assertLive();
    if (!this.#namespaces.has(netns)) {
      throw new IronlbError(
        LabErrors.IRONLB_ERR_LAB_UNKNOWN,
        `no namespace ${netns} in lab ${this.prefix}`,
      );
    }
    return runInNetns(netns, command, args, options);
  }

  /** Runs a birdc command against a node's BIRD, or the ToR's with `'tor'`; returns its output. */
  async birdc(target: NodeRef, command: string): Promise<string> {
    this.#assertLive();
    const socket = target === 'tor' ? this.tor.birdSocket : this.node(target).birdSocket;
    const { stdout } = await runCommand('birdc', ['-s', socket, command]);
    return stdout;
  }

  // ---------------------------------------------------------------- routes

  /** The next hops of the ToR's kernel route for a Service IP (empty when there is none). */
  async torRoutes(vip: string): Promise<TorNextHop[]> {
    const family = familyOf(vip);
    const { stdout } = await this.exec(this.tor.netns, 'ip', [
      `-${family}`,
      '-j',
      'route',
      'show',
      `${vip}/${family === 4 ? 32 : 128}`,
    ]);
    return parseRouteNextHops(stdout).map((hop) => ({
      ...hop,
      node: this.nodes.find((n) => n.nodeAddress === hop.gateway || n.nodeAddress6 === hop.gateway)
        ?.name,
    }));
  }

  /**
   * Waits until the ToR's kernel route for the VIP goes exactly through the
   * given nodes (none: no route). It checks the route at once and again after
   * every kernel route change for the VIP (`ip monitor route` on the ToR; at
   * least every 100 ms). Returns the next hops and how long after `since` (a
   * performance.now() timestamp; the call itself by default) the last change
   * of that route arrived — 0 if it was already so.
   */
  async waitForTorRoute(
    vip: string,
    nodeNames: readonly string[],
    options: { timeoutMs?: number | undefined; since?: number | undefined } = {},
  ): Promise<{ nextHops: TorNextHop[]; elapsedMs: number }> {
    const since = options.since ?? performance.now();
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const deadline = performance.now() + timeoutMs;
    const key = canonicalAddress(vip);
    const want = [...nodeNames].sort().join(',');
    let have = '';
    for (;;) {
      const seen = this.#routeEventCount(key);
      const hops = await this.torRoutes(vip);
      have = hops
        .map((h) => h.node ?? h.gateway)
        .sort()
        .join(',');
      if (have === want) {
        const last = this.#lastRouteEvent(key);
        const elapsedMs = last !== undefined && last >= since ? last - since : 0;
        return { nextHops: hops, elapsedMs };
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) break;
      await this.#nextRouteEvent(key, seen, Math.min(100, remaining));
    }
    throw new IronlbError(
      LabErrors.IRONLB_ERR_LAB_TIMEOUT,
      `timed out after ${timeoutMs} ms waiting for the ToR route for ${vip} via [${want}] (it goes via [${have}])`,
    );
  }

  /** How many kernel route changes for the VIP the ToR has made since the lab started. */
  torRouteChanges(vip: string): number {
    return this.#routeEventCount(canonicalAddress(vip));
  }

  #routeEventCount(key: string): number {
    return this.#routeEvents.get(key)?.count ?? 0;
  }

  #lastRouteEvent(key: string): number | undefined {
    return this.#routeEvents.get(key)?.lastAt;
  }

  /** Resolves after the next route change for `key` past `seen` changes, or after `ms`. */
  #nextRouteEvent(key: string, seen: number, ms: number): Promise<void> {
    if (this.#routeEventCount(key) > seen) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#routeWaiters.delete(listener);
        resolve();
      };
      const listener = (changed: string): void => {
        if (changed === key) done();
      };
      const timer = setTimeout(done, ms);
      this.#routeWaiters.add(listener);
    });
  }

  /** A line of `ip -o monitor route` on the ToR: counts the change of that destination. */
  #onTorRouteLine(line: string): void {
    const destination = routeEventDestination(line);
    if (destination === undefined) return;
    const key = canonicalAddress(destination);
    const at = performance.now();
    const entry = this.#routeEvents.get(key);
    this.#routeEvents.set(key, { count: (entry?.count ?? 0) + 1, lastAt: at });
    for (const listener of [...this.#routeWaiters]) listener(key);
  }

  /** Whether a node's own kernel has any route for the VIP (it must not: the community filter). */
  async nodeHasKernelRoute(node: NodeRef, vip: string): Promise<boolean> {
    const family = familyOf(vip);
    const { stdout } = await this.exec(this.node(node).netns, 'ip', [
      `-${family}`,
      '-j',
      'route',
      'show',
      'table',
      'all',
      `${vip}/${family === 4 ? 32 : 128}`,
    ]);
    return hasAnyRoute(stdout);
  }

  // ---------------------------------------------------------------- processes

  /** Starts a process inside a node's namespace (e.g. the ironlb speaker, dialing 127.0.0.1:179). */
  spawnInNode(
    node: NodeRef,
    command: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv = {},
    options: Omit<LabProcessOptions, 'env'> = {},
  ): Promise<LabProcess> {
    const target = this.node(node);
    return this.#spawn(`${target.name}: ${command}`, target.netns, command, args, {
      ...options,
      env: { ...process.env, ...env },
    });
  }

  /** Starts a process inside the management namespace (the API test server, the controller). */
  spawnInMgmt(
    command: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv = {},
    options: Omit<LabProcessOptions, 'env'> = {},
  ): Promise<LabProcess> {
    return this.#spawn(`mgmt: ${command}`, this.mgmt.netns, command, args, {
      ...options,
      env: { ...process.env, ...env },
    });
  }

  /**
   * Makes a TCP server of this process (host, usually 127.0.0.1:hostPort in the
   * root namespace) reachable from every node and the management namespace at
   * MGMT_ADDRESS:port — through a Unix socket, so no interface touches the root
   * namespace. Use it for an API test server running inside the test process.
   */
  async exposeHostPort(
    hostPort: number,
    options: { host?: string; port?: number } = {},
  ): Promise<{ address: string; port: number }> {
    this.#assertLive();
    const port = options.port ?? hostPort;
    const socketPath = join(this.runDir, `relay-${port}.sock`);
    const server = createNetServer((downstream) => {
      downstream.setNoDelay(true);
      const upstream = connect({ host: options.host ?? '127.0.0.1', port: hostPort });
      upstream.setNoDelay(true);
      downstream.pipe(upstream).pipe(downstream);
      upstream.on('error', () => downstream.destroy());
      downstream.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, resolve);
    });
    server.unref();
    this.#relays.add(server);
    const relay = await this.#spawn(`mgmt relay :${port}`, this.mgmt.netns, process.execPath, [
      TCP_RELAY,
      '--listen-tcp',
      `${MGMT_ADDRESS}:${port}`,
      '--to-unix',
      socketPath,
    ]);
    await relay.waitForLine(/^ready /, this.#timeoutMs);
    this.#log(`lab ${this.prefix}: host port ${hostPort} reachable at ${MGMT_ADDRESS}:${port}`);
    return { address: MGMT_ADDRESS, port };
  }

  /**
   * The other direction: a server listening on MGMT_ADDRESS:mgmtPort inside the
   * management namespace (e.g. the API test server started with spawnInMgmt)
   * becomes reachable from this process at 127.0.0.1 on the returned port.
   */
  async connectToMgmtPort(mgmtPort: number): Promise<{ host: string; port: number }> {
    this.#assertLive();
    const socketPath = join(this.runDir, `mgmt-${mgmtPort}.sock`);
    const relay = await this.#spawn(`mgmt relay ${mgmtPort}`, this.mgmt.netns, process.execPath, [
      TCP_RELAY,
      '--listen-unix',
      socketPath,
      '--to-tcp',
      `${MGMT_ADDRESS}:${mgmtPort}`,
    ]);
    await relay.waitForLine(/^ready /, this.#timeoutMs);
    const server = createNetServer((downstream) => {
      downstream.setNoDelay(true);
      const upstream = connect(socketPath);
      downstream.pipe(upstream).pipe(downstream);
      upstream.on('error', () => downstream.destroy());
      downstream.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    server.unref();
    this.#relays.add(server);
    const { port } = server.address() as AddressInfo;
    this.#log(
      `lab ${this.prefix}: ${MGMT_ADDRESS}:${mgmtPort} in mgmt reachable at 127.0.0.1:${port}`,
    );
    return { host: '127.0.0.1', port };
  }

  /** Starts the stand-in speaker (a BIRD in AS 64698) on a node, announcing `routes`. */
  async startStandInSpeaker(
    node: NodeRef,
    routes: readonly string[] = [],
  ): Promise<StandInSpeaker> {
    const target = this.node(node);
    if (this.#standIns.has(target.name)) {
      throw new IronlbError(
        LabErrors.IRONLB_ERR_LAB_OPTIONS,
        `${target.name} already has a stand-in speaker`,
      );
    }
    const configPath = join(target.dir, 'stand-in.conf');
    const socket = join(target.dir, 'stand-in.ctl');
    writeFileSync(
      configPath,
      renderStandInSpeakerConfig({ node: target, routes, listenPort: STAND_IN_PORT }),
    );
    const proc = await this.#startBird(`${target.name} stand-in`, target.netns, configPath, socket);
    const speaker = new StandInSpeaker(this, target, proc, configPath, socket);
    await speaker.setRoutes(routes);
    this.#standIns.set(target.name, speaker);
    void proc.exited.then(() => this.#standIns.delete(target.name));
    this.#log(`lab ${this.prefix}: stand-in speaker on ${target.name} (AS 64698 → 127.0.0.1:179)`);
    return speaker;
  }

  // ---------------------------------------------------------------- pods

  /**
   * Adds a pod behind a node: its own namespace, a veth into the node, the
   * pod's IPs routed by the node, and an HTTP server answering with its pod and
   * node name. Resolves once the server listens.
   */
  async addPod(node: NodeRef, name: string, options: { port?: number } = {}): Promise<LabPod> {
    this.#assertLive();
    const target = this.node(node);
    const problem = podNameProblem(name);
    if (problem !== undefined) throw new IronlbError(LabErrors.IRONLB_ERR_LAB_OPTIONS, problem);
    if (this.#podSlots.has(name)) {
      throw new IronlbError(LabErrors.IRONLB_ERR_LAB_OPTIONS, `pod ${name} already exists`);
    }
    // Reserve the slot before the first await, so pods added in parallel get distinct addresses.
    const used = new Set(
      [...this.#podSlots.values()].filter((p) => p.node === target.name).map((p) => p.slot),
    );
    let slot = 1;
    while (used.has(slot)) slot++;
    if (slot > LAB_LIMITS.maxPodsPerNode) {
      throw new IronlbError(
        LabErrors.IRONLB_ERR_LAB_OPTIONS,
        `${target.name} already has ${LAB_LIMITS.maxPodsPerNode} pods`,
      );
    }
    this.#podSlots.set(name, { node: target.name, slot });
    const names = podNames(this.prefix, name, ++this.#podCounter);
    try {
      return await this.#startPod(target, name, slot, names, options.port ?? 8080);
    } catch (err) {
      this.#podSlots.delete(name);
      if (!this.#destroyed) {
        await runCommand('ip', ['netns', 'del', names.netns], { allowFailure: true });
        this.#namespaces.delete(names.netns);
      }
      throw err;
    }
  }

  async #startPod(
    target: LabNode,
    name: string,
    slot: number,
    names: ReturnType<typeof podNames>,
    port: number,
  ): Promise<LabPod> {
    const { ip, ip6 } = podAddresses(target.index, slot);
    const started = performance.now();
    this.#namespaces.add(names.netns);
    await runCommand('ip', ['netns', 'add', names.netns]);
    await this.#sysctls(names.netns, false);
    const nodeSide = [
      `link add ${names.nodeInterface} type veth peer name ${names.podInterface} netns ${names.netns}`,
      `link set ${names.nodeInterface} up`,
      `route add ${ip}/32 dev ${names.nodeInterface}`,
    ];
    const podSide = [
      'link set lo up',
      `addr add ${ip}/32 dev ${names.podInterface}`,
      `link set ${names.podInterface} up`,
      // The node answers ARP for its own address on every interface: it is the pod's gateway.
      `route add default via ${target.nodeAddress} dev ${names.podInterface} onlink`,
    ];
    if (this.ipv6) {
      nodeSide.push(
        `addr add fe80::1/64 dev ${names.nodeInterface} nodad`,
        `route add ${ip6}/128 dev ${names.nodeInterface}`,
      );
      podSide.push(
        `addr add ${ip6}/128 dev ${names.podInterface} nodad`,
        `route add ::/0 via fe80::1 dev ${names.podInterface}`,
      );
    }
    await this.#batch(target.netns, nodeSide);
    await this.#batch(names.netns, podSide);
    const proc = await this.#spawn(`pod ${name}`, names.netns, process.execPath, [
      POD_SERVER,
      '--pod',
      name,
      '--node',
      target.name,
      '--port',
      String(port),
    ]);
    await proc.waitForLine(/^ready /, this.#timeoutMs);
    const pod: LabPod = {
      name,
      node: target.name,
      netns: names.netns,
      ip,
      ip6: this.ipv6 ? ip6 : undefined,
      port,
      process: proc,
    };
    this.#pods.set(name, pod);
    this.#log(
      `lab ${this.prefix}: pod ${name} on ${target.name} at ${ip}${this.ipv6 ? ` and ${ip6}` : ''} port ${port} (${Math.round(performance.now() - started)} ms)`,
    );
    return pod;
  }

  /** Stops a pod's server and deletes its namespace (the node's veth end and route go with it). */
  async removePod(name: string): Promise<void> {
    this.#assertLive();
    const pod = this.#pods.get(name);
    if (pod === undefined) {
      throw new IronlbError(
        LabErrors.IRONLB_ERR_LAB_UNKNOWN,
        `no pod ${name} in lab ${this.prefix}`,
      );
    }
    await pod.process.stop();
    await runCommand('ip', ['netns', 'del', pod.netns]);
    this.#namespaces.delete(pod.netns);
    this.#pods.delete(name);
    this.#podSlots.delete(name);
    this.#log(`lab ${this.prefix}: pod ${name} removed from ${pod.node}`);
  }

  // ---------------------------------------------------------------- dataplane

  /**
   * Renders the model into one nftables ruleset per node and applies each
   * atomically (`nft -f`, the table replaced in one transaction).
   */
  async applyDataplane(model: DataplaneModel): Promise<ReadonlyMap<string, NodeDataplanePlan>> {
    this.#assertLive();
    const plans = new Map<string, NodeDataplanePlan>();
    await Promise.all(
      this.nodes.map(async (node) => {
        const plan = planNodeDataplane(model, node.name);
        plans.set(node.name, plan);
        const ruleset = renderNftRuleset(plan, {
          table: NFT_TABLE,
          uplinkInterface: node.uplinkInterface,
        });
        writeFileSync(join(node.dir, 'dataplane.nft'), ruleset);
        await this.exec(node.netns, 'nft', ['-f', '-'], { input: ruleset });
      }),
    );
    const summary = [...plans.values()]
      .map(
        (p) =>
          `${p.nodeName}: ${p.vips.map((v) => `${v.vip}:${v.port}→${v.targets.length}`).join(' ') || 'nothing'}`,
      )
      .join('; ');
    this.#log(`lab ${this.prefix}: dataplane applied (${summary})`);
    return plans;
  }

  // ---------------------------------------------------------------- teardown

  /** Stops every process and deletes every namespace and file of the lab. Idempotent. */
  destroy(): Promise<void> {
    this.#destroying ??= this.#destroy();
    return this.#destroying;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.destroy();
  }

  async #destroy(): Promise<void> {
    const started = performance.now();
    this.#destroyed = true;
    for (const server of this.#relays) server.close();
    this.#relays.clear();
    await Promise.allSettled([...this.#processes].map((p) => p.stop('SIGTERM', 1000)));
    // Anything else still inside our namespaces (children of spawned processes, strays).
    const strays: number[] = [];
    for (const netns of this.#namespaces) {
      const { stdout } = await runCommand('ip', ['netns', 'pids', netns], { allowFailure: true });
      for (const line of stdout.split('\n')) {
        const pid = Number(line.trim());
        if (Number.isInteger(pid) && pid > 0) strays.push(pid);
      }
    }
    for (const pid of strays) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    await waitFor(() => (strays.some(isProcessRunning) ? undefined : true), {
      timeoutMs: 3000,
      intervalMs: 10,
      what: `stray processes ${strays.join(', ')} to exit`,
    }).catch(() => {});
    const namespaces = [...this.#namespaces];
    if (namespaces.length > 0) {
      await runCommand('ip', ['-force', '-batch', '-'], {
        input: namespaces.map((ns) => `netns del ${ns}`).join('\n') + '\n',
        allowFailure: true,
      });
    }
    this.#namespaces.clear();
    if (this.#ownsRunDir) rmSync(this.runDir, { recursive: true, force: true });
    this.#unregisterEmergency?.();
    this.#log(
      `lab ${this.prefix}: destroyed (${namespaces.length} namespaces, ${Math.round(performance.now() - started)} ms)`,
    );
  }

  /** The emergency path (signal, exit): synchronous, no waiting. */
  #destroyNowSync(): void {
    this.#destroyed = true;
    for (const proc of this.#processes) proc.killNow();
    destroyNowSync([...this.#namespaces], this.#ownsRunDir ? this.runDir : undefined);
  }

  #assertLive(): void {
    if (this.#destroyed) {
      throw new IronlbError(LabErrors.IRONLB_ERR_LAB_DESTROYED, `lab ${this.prefix} was destroyed`);
    }
  }
}

/** One spelling per address, so `ip` output and Service IPs compare equal. */
function canonicalAddress(address: string): string {
  return ipaddr.isValid(address) ? ipaddr.parse(address).toString() : address;
}

/** True when the BIRD behind the control socket has loaded its configuration and runs. */
async function birdIsUp(socket: string): Promise<boolean> {
  const { code, stdout } = await runCommand('birdc', ['-s', socket, 'show status'], {
    allowFailure: true,
  });
  return code === 0 && stdout.includes('Daemon is up and running');
}
