import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type V1Service,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { describeError, IronlbError } from '../../src/common/errors.ts';
import { allKinds } from '../../src/config/index.ts';
import { apiStatusCode } from '../../src/k8s/kubeconfig.ts';
import {
  kubeConfigFor,
  kubeconfigYaml,
  startApiServer,
  type TestApiServer,
} from '../support/api-server/index.ts';
import { MGMT_ADDRESS } from './addressing.ts';
import { isEstablished, parseBirdProtocols } from './bird-output.ts';
import { IRONLB_NAMESPACE, labConfigObjects, nodeObject } from './cluster-objects.ts';
import { LabDeployment, type DeploymentOptions } from './deployment.ts';
import { LabEndpointSliceController } from './endpoint-slice-controller.ts';
import { LabErrors } from './errors.ts';
import { LabKubeProxy } from './kube-proxy.ts';
import {
  Lab,
  type LabLog,
  type LabNode,
  type LabOptions,
  type NodeRef,
  type StandInSpeaker,
} from './lab.ts';
import { waitFor, withTimeout, type ExitStatus, type LabProcess } from './processes.ts';
import { StandInSpeakers } from './stand-in-speakers.ts';

/**
 * The whole system in the lab: the Kubernetes API test server (in this
 * process, reachable from the lab at 203.0.113.1:6443), the ironlb CRDs, a
 * Node object per lab node, the real `ironlb controller` in the management
 * namespace, one real `ironlb speaker` per node inside the node's namespace
 * (dialing the node's BIRD on 127.0.0.1:179), the lab's EndpointSlice
 * controller and kube-proxy (both watching the API), and Deployment-like pod
 * sets. See docs/lab.md.
 */

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'ironlb.js');
const CRD_DIR = join(import.meta.dirname, '..', '..', 'deploy', 'crds');
export const API_PORT_IN_LAB = 6443;
export const CONTROLLER_HTTP_PORT = 7472;
export const SPEAKER_HTTP_PORT = 7473;

export type SpeakerKind = 'ironlb' | 'stand-in';

export interface LabClusterOptions extends LabOptions {
  /**
   * `ironlb` (default): `ironlb speaker` processes. `stand-in`: the lab's BIRD
   * stand-in driven by ironlb's decision function in this process.
   */
  readonly speakers?: SpeakerKind;
  /** Write the lab's ironlb configuration (pool, BGPPeer, advertisement) at start; true by default. */
  readonly configure?: boolean;
  /** The speakers' `--drain-period`; 2s by default. */
  readonly drainPeriod?: string;
  /** BGPPeer hold time; 3s by default (a killed or frozen speaker is noticed within it). */
  readonly holdTime?: string;
  /** BGPPeer graceful restart with this restart time; off by default. */
  readonly gracefulRestartTime?: string;
  /** Start the controller and speakers; true by default. */
  readonly startIronlb?: boolean;
  /** `--log-level` of the controller and speakers; info by default. */
  readonly logLevel?: string;
}

export interface ServiceSpecInput {
  readonly name: string;
  readonly namespace?: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly port?: number;
  readonly targetPort?: number;
  readonly externalTrafficPolicy?: 'Local' | 'Cluster';
  /** `['IPv4']` by default; `['IPv4', 'IPv6']` makes a dual-stack Service. */
  readonly ipFamilies?: ReadonlyArray<'IPv4' | 'IPv6'>;
  readonly labels?: Readonly<Record<string, string>>;
}

export class LabCluster {
  readonly lab: Lab;
  readonly api: TestApiServer;
  /** kubeconfig for this machine (kubectl, ironlb explain): the API server on 127.0.0.1. */
  readonly kubeconfigPath: string;
  /** kubeconfig for processes inside the lab: the API server at 203.0.113.1:6443. */
  readonly labKubeconfigPath: string;
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;
  readonly speakerKind: SpeakerKind;
  readonly drainPeriod: string;
  readonly #log: LabLog;
  readonly #holdTime: string;
  readonly #gracefulRestartTime: string | undefined;
  readonly #logLevel: string;
  readonly #speakers = new Map<string, LabProcess>();
  #controller: LabProcess | undefined;
  #kubeProxy: LabKubeProxy | undefined;
  #endpointSlices: LabEndpointSliceController | undefined;
  #standIns: StandInSpeakers | undefined;
  #destroying: Promise<void> | undefined;

  private constructor(lab: Lab, api: TestApiServer, options: LabClusterOptions, log: LabLog) {
    this.lab = lab;
    this.api = api;
    this.#log = log;
    this.speakerKind = options.speakers ?? 'ironlb';
    this.drainPeriod = options.drainPeriod ?? '2s';
    this.#holdTime = options.holdTime ?? '3s';
    this.#gracefulRestartTime = options.gracefulRestartTime;
    this.#logLevel = options.logLevel ?? 'info';
    this.kubeconfigPath = join(lab.runDir, 'kubeconfig');
    this.labKubeconfigPath = join(lab.runDir, 'kubeconfig-lab');
    writeFileSync(this.kubeconfigPath, api.kubeconfig, { mode: 0o600 });
    writeFileSync(
      this.labKubeconfigPath,
      kubeconfigYaml(`http://${MGMT_ADDRESS}:${API_PORT_IN_LAB}`),
      { mode: 0o600 },
    );
    this.kubeConfig = kubeConfigFor(api.url);
    this.core = this.kubeConfig.makeApiClient(CoreV1Api);
    this.custom = this.kubeConfig.makeApiClient(CustomObjectsApi);
  }

  /** Builds the lab and starts everything; tears down what it made on failure. */
  static async create(options: LabClusterOptions = {}): Promise<LabCluster> {
    const log = options.log ?? (() => {});
    const lab = await Lab.create(options);
    let api: TestApiServer | undefined;
    let cluster: LabCluster | undefined;
    try {
      api = await startApiServer();
      cluster = new LabCluster(lab, api, options, log);
      await cluster.#bootstrap(options);
      return cluster;
    } catch (err) {
      log(`cluster: start failed, tearing down: ${describeError(err)}`);
      if (cluster !== undefined) await cluster.destroy().catch(() => {});
      else {
        await api?.close().catch(() => {});
        await lab.destroy().catch(() => {});
      }
      throw err;
    }
  }

  async #bootstrap(options: LabClusterOptions): Promise<void> {
    const started = performance.now();
    await this.lab.exposeHostPort(this.api.port, { port: API_PORT_IN_LAB });
    installCrds(this.api);
    this.api.store.put({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: IRONLB_NAMESPACE },
    });
    for (const node of this.lab.nodes) {
      this.api.store.put(nodeObject(node, { ipv6: this.lab.ipv6 }));
    }
    this.#log(
      `cluster: API server ${this.api.url} (in the lab: ${MGMT_ADDRESS}:${API_PORT_IN_LAB}), CRDs, ${this.lab.nodes.length} Nodes`,
    );
    if (options.configure ?? true) await this.applyConfig();
    this.#endpointSlices = await withTimeout(
      LabEndpointSliceController.start(this.kubeConfig, this.#log),
      15_000,
      'the EndpointSlice controller to list Services and Pods',
    );
    this.#kubeProxy = await withTimeout(
      LabKubeProxy.start(this.lab, this.kubeConfig, this.#log),
      15_000,
      'kube-proxy to list Services and EndpointSlices and program the nodes',
    );
    this.#log('cluster: EndpointSlice controller and kube-proxy (nftables) watching the API');
    if (options.startIronlb ?? true) {
      await Promise.all([this.startController(), this.startSpeakers()]);
    }
    this.#log(`cluster: ready in ${Math.round(performance.now() - started)} ms`);
  }

  // ---------------------------------------------------------------- configuration

  /** Writes (creates or replaces) the lab's ironlb configuration through the API. */
  async applyConfig(objects = this.configObjects()): Promise<void> {
    for (const object of objects) await this.apply(object);
    this.#log(`cluster: ironlb configuration written (${objects.length} objects)`);
  }

  /** The lab's ironlb configuration: pool, BGPPeer to the node's BIRD, advertisement. */
  configObjects(): object[] {
    return labConfigObjects({
      pools: this.lab.pools,
      holdTime: this.#holdTime,
      ...(this.#gracefulRestartTime === undefined
        ? {}
        : { gracefulRestartTime: this.#gracefulRestartTime }),
    });
  }

  /** Creates an ironlb custom resource, or replaces it (keeping its resourceVersion) if it exists. */
  async apply(object: object): Promise<void> {
    const o = object as {
      apiVersion: string;
      kind: string;
      metadata: { name: string; namespace?: string; resourceVersion?: string };
    };
    const [group = '', version = ''] = o.apiVersion.split('/');
    const plural = allKinds.find((k) => k.kind === o.kind)?.plural;
    if (plural === undefined) {
      throw new IronlbError(LabErrors.IRONLB_ERR_LAB_OPTIONS, `not an ironlb kind: ${o.kind}`);
    }
    const namespace = o.metadata.namespace ?? IRONLB_NAMESPACE;
    try {
      await this.custom.createNamespacedCustomObject({
        group,
        version,
        namespace,
        plural,
        body: o,
      });
    } catch (err) {
      if (apiStatusCode(err) !== 409) throw err;
      const current = (await this.custom.getNamespacedCustomObject({
        group,
        version,
        namespace,
        plural,
        name: o.metadata.name,
      })) as { metadata: { resourceVersion: string } };
      await this.custom.replaceNamespacedCustomObject({
        group,
        version,
        namespace,
        plural,
        name: o.metadata.name,
        body: {
          ...o,
          metadata: { ...o.metadata, resourceVersion: current.metadata.resourceVersion },
        },
      });
    }
  }

  // ---------------------------------------------------------------- ironlb processes

  /** Starts `ironlb controller` in the management namespace; resolves when it is ready. */
  async startController(): Promise<LabProcess> {
    if (this.#controller?.running === true) return this.#controller;
    const proc = await this.lab.spawnInMgmt(process.execPath, [
      BIN,
      'controller',
      '--kubeconfig',
      this.labKubeconfigPath,
      '--namespace',
      IRONLB_NAMESPACE,
      '--identity',
      'controller-0',
      '--http-host',
      MGMT_ADDRESS,
      '--http-port',
      String(CONTROLLER_HTTP_PORT),
      '--log-level',
      this.#logLevel,
    ]);
    this.#controller = proc;
    await proc.waitForLine(/"msg":"http listening"/, 20_000);
    this.#log(`cluster: ironlb controller running in the management namespace (pid ${proc.pid})`);
    return proc;
  }

  get controller(): LabProcess | undefined {
    return this.#controller;
  }

  async stopController(signal: NodeJS.Signals = 'SIGTERM'): Promise<ExitStatus | undefined> {
    const status = await this.#controller?.stop(signal, 10_000);
    this.#log(`cluster: controller stopped (${status?.code ?? status?.signal})`);
    return status;
  }

  async startSpeakers(): Promise<void> {
    if (this.speakerKind === 'stand-in') {
      this.#standIns ??= await withTimeout(
        StandInSpeakers.start(this.lab, this.kubeConfig, this.#log),
        20_000,
        'the stand-in speakers',
      );
      return;
    }
    await Promise.all(this.lab.nodes.map((n) => this.startSpeaker(n)));
  }

  /**
   * Starts `ironlb speaker` inside a node's namespace (NODE_NAME set) and
   * waits until the node's BIRD reports the session established — or, while
   * no BGPPeer exists yet, until the speaker has read the API.
   */
  async startSpeaker(nodeRef: NodeRef): Promise<LabProcess> {
    const node = this.lab.node(nodeRef);
    this.#requireIronlbSpeakers();
    const running = this.#speakers.get(node.name);
    if (running?.running === true) return running;
    const started = performance.now();
    const proc = await this.lab.spawnInNode(
      node,
      process.execPath,
      [
        BIN,
        'speaker',
        '--kubeconfig',
        this.labKubeconfigPath,
        '--node-name',
        node.name,
        '--namespace',
        IRONLB_NAMESPACE,
        '--http-port',
        String(SPEAKER_HTTP_PORT),
        '--drain-period',
        this.drainPeriod,
        '--log-level',
        this.#logLevel,
      ],
      { NODE_NAME: node.name },
    );
    this.#speakers.set(node.name, proc);
    if (await this.#hasPeers()) {
      await this.waitForSpeakerSession(node, true, 20_000, proc);
      this.#log(
        `cluster: ironlb speaker on ${node.name} (pid ${proc.pid}) established with the node's BIRD in ${Math.round(performance.now() - started)} ms`,
      );
    } else {
      await proc.waitForLine(/"msg":"initial sync done/, 20_000);
      this.#log(
        `cluster: ironlb speaker on ${node.name} (pid ${proc.pid}) running, no BGPPeer yet (${Math.round(performance.now() - started)} ms)`,
      );
    }
    return proc;
  }

  async #hasPeers(): Promise<boolean> {
    const list = (await this.custom.listNamespacedCustomObject({
      group: 'ironlb.dev',
      version: 'v1beta1',
      namespace: IRONLB_NAMESPACE,
      plural: 'bgppeers',
    })) as { items?: unknown[] };
    return (list.items ?? []).length > 0;
  }

  /** The stand-in speaker (BIRD) of a node, when the cluster runs stand-ins. */
  standInSpeaker(nodeRef: NodeRef): StandInSpeaker | undefined {
    return this.#standIns?.speaker(this.lab.node(nodeRef).name);
  }

  /** The speaker process of a node (ironlb speakers only). */
  speaker(nodeRef: NodeRef): LabProcess | undefined {
    return this.#speakers.get(this.lab.node(nodeRef).name);
  }

  /**
   * Stops a node's speaker with a signal: SIGTERM is the graceful path
   * (GRACEFUL_SHUTDOWN, drain, withdraw, Cease); SIGKILL leaves the node's BIRD
   * to notice. Waits for the exit (up to the drain period plus `graceMs`).
   */
  async stopSpeaker(
    nodeRef: NodeRef,
    signal: NodeJS.Signals = 'SIGTERM',
    graceMs = 10_000,
  ): Promise<ExitStatus | undefined> {
    const node = this.lab.node(nodeRef);
    if (this.speakerKind === 'stand-in') {
      await this.#standIns?.speaker(node.name)?.process.stop(signal, graceMs);
      return undefined;
    }
    const proc = this.#speakers.get(node.name);
    if (proc === undefined) return undefined;
    return proc.stop(signal, graceMs);
  }

  /** Waits until the node's BIRD shows the speaker session up (or down). */
  async waitForSpeakerSession(
    nodeRef: NodeRef,
    up: boolean,
    timeoutMs = 10_000,
    proc?: LabProcess,
  ): Promise<void> {
    const node = this.lab.node(nodeRef);
    await waitFor(
      async () => {
        const text = await this.lab.birdc(node, 'show protocols speaker');
        return isEstablished(parseBirdProtocols(text).get('speaker')) === up ? true : undefined;
      },
      {
        timeoutMs,
        intervalMs: 20,
        what: `the speaker session on ${node.name} to be ${up ? 'established' : 'down'}`,
        giveUpIf: () =>
          proc !== undefined && proc.exitStatus !== undefined
            ? new IronlbError(
                LabErrors.IRONLB_ERR_LAB_PROCESS,
                `speaker on ${node.name} exited (${proc.exitStatus.code ?? proc.exitStatus.signal}): ${proc.output().trim().split('\n').slice(-8).join('\n')}`,
              )
            : undefined,
      },
    );
  }

  #requireIronlbSpeakers(): void {
    if (this.speakerKind !== 'ironlb') {
      throw new IronlbError(
        LabErrors.IRONLB_ERR_LAB_OPTIONS,
        'this cluster runs stand-in speakers, not ironlb speaker processes',
      );
    }
  }

  // ---------------------------------------------------------------- workloads

  deployment(name: string, options: DeploymentOptions = {}): LabDeployment {
    return new LabDeployment(this.lab, this.kubeConfig, this.#log, name, options);
  }

  /** Creates a `type: LoadBalancer` Service through the API. */
  async createService(input: ServiceSpecInput): Promise<V1Service> {
    const families = input.ipFamilies ?? ['IPv4'];
    return this.core.createNamespacedService({
      namespace: input.namespace ?? 'default',
      body: {
        metadata: { name: input.name, labels: { ...input.labels } },
        spec: {
          type: 'LoadBalancer',
          selector: { ...input.selector },
          ports: [
            {
              name: 'http',
              port: input.port ?? 80,
              targetPort: input.targetPort ?? 8080,
              protocol: 'TCP',
            },
          ],
          externalTrafficPolicy: input.externalTrafficPolicy ?? 'Cluster',
          ipFamilies: [...families],
          ipFamilyPolicy: families.length > 1 ? 'RequireDualStack' : 'SingleStack',
        },
      },
    });
  }

  /** Waits until the Service's status shows `count` ingress IPs; returns them (IPv4 first). */
  async waitForServiceIPs(
    name: string,
    options: { namespace?: string; count?: number; timeoutMs?: number } = {},
  ): Promise<string[]> {
    const namespace = options.namespace ?? 'default';
    return waitFor(
      async () => {
        const service = await this.core.readNamespacedService({ name, namespace });
        const ips = (service.status?.loadBalancer?.ingress ?? [])
          .map((i) => i.ip)
          .filter((ip): ip is string => ip !== undefined);
        return ips.length >= (options.count ?? 1)
          ? ips.sort((a, b) => Number(a.includes(':')) - Number(b.includes(':')))
          : undefined;
      },
      {
        timeoutMs: options.timeoutMs ?? 15_000,
        intervalMs: 20,
        what: `Service ${namespace}/${name} to get ${options.count ?? 1} IP(s) from the controller`,
      },
    );
  }

  /** Sets (value) or removes (null) a label on a Node; returns when the API has it. */
  async labelNode(nodeRef: NodeRef, key: string, value: string | null): Promise<number> {
    const node = this.lab.node(nodeRef);
    const current = await this.core.readNode({ name: node.name });
    const labels = { ...current.metadata?.labels };
    if (value === null) delete labels[key];
    else labels[key] = value;
    const at = performance.now();
    await this.core.replaceNode({
      name: node.name,
      body: { ...current, metadata: { ...current.metadata, name: node.name, labels } },
    });
    return at;
  }

  get kubeProxy(): LabKubeProxy {
    if (this.#kubeProxy === undefined) throw new Error('kube-proxy not started');
    return this.#kubeProxy;
  }

  get endpointSlices(): LabEndpointSliceController {
    if (this.#endpointSlices === undefined) throw new Error('EndpointSlice controller not started');
    return this.#endpointSlices;
  }

  /** Waits until the EndpointSlices and the nodes' nftables reflect every API change so far. */
  async settled(timeoutMs = 10_000): Promise<void> {
    await withTimeout(
      this.endpointSlices.settled().then(() => this.kubeProxy.settled()),
      timeoutMs,
      'the EndpointSlices and the nodes’ nftables to catch up with the API',
    );
  }

  /** The lab's nodes by name. */
  get nodes(): readonly LabNode[] {
    return this.lab.nodes;
  }

  // ---------------------------------------------------------------- teardown

  destroy(): Promise<void> {
    this.#destroying ??= this.#destroy();
    return this.#destroying;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.destroy();
  }

  async #destroy(): Promise<void> {
    // The lab's processes first (speakers, controller), so nothing races the API server's close.
    const stopping = [...this.#speakers.values()].map((p) => p.stop('SIGKILL', 2000));
    await Promise.allSettled(stopping);
    await Promise.allSettled([
      this.#standIns?.stop(),
      this.#kubeProxy?.stop(),
      this.#endpointSlices?.stop(),
    ]);
    await this.lab.destroy();
    await this.api.close();
  }
}

/** Puts every CRD of deploy/crds/ into the API server, so the ironlb kinds are served. */
function installCrds(api: TestApiServer): void {
  for (const file of readdirSync(CRD_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    for (const document of parseAllDocuments(readFileSync(join(CRD_DIR, file), 'utf8'))) {
      const object = document.toJS() as object | null;
      if (object !== null) api.store.put(object);
    }
  }
}
