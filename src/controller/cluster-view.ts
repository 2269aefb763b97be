import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import {
  API_GROUP,
  API_GROUP_VERSION,
  API_VERSION,
  ConfigState,
  type ApplyResult,
  type ConfigObjects,
} from '../config/index.ts';
import type { Labels } from '../common/label-selector.ts';
import type { Logger } from '../daemon/logger.ts';
import { ResourceWatch, type ResourceList } from '../k8s/resource-watch.ts';
import type { ControllerMetrics } from './metrics.ts';
import { serviceKey, type ServiceObject } from './service-mapping.ts';

/** What a leader term listens to. */
export interface ViewListener {
  /** A Service was added, changed or deleted ("namespace/name"). */
  service(key: string): void;
  /** A namespace's labels changed: its Services may now match other pools. */
  namespace(name: string): void;
  /** The configuration was evaluated again (valid or not). */
  config(result: ApplyResult): void;
}

export interface ClusterViewOptions {
  readonly kubeConfig: KubeConfig;
  /** Where the configuration objects (and the Secrets peers name) live. */
  readonly namespace: string;
  readonly logger: Logger;
  readonly metrics: ControllerMetrics;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

/** The configuration kinds the controller reads, by the ConfigObjects list they fill. */
const configKinds = [
  { list: 'ipAddressPools', kind: 'IPAddressPool', plural: 'ipaddresspools' },
  { list: 'bgpPeers', kind: 'BGPPeer', plural: 'bgppeers' },
  { list: 'bgpAdvertisements', kind: 'BGPAdvertisement', plural: 'bgpadvertisements' },
  { list: 'communities', kind: 'Community', plural: 'communities' },
] as const;

type ConfigList = (typeof configKinds)[number]['list'];

const BASIC_AUTH = 'kubernetes.io/basic-auth';

/**
 * Everything the controller reads, kept current by watches on every replica
 * (so a replica that becomes leader has a warm cache): Services in all
 * namespaces, Namespaces (labels for pool selection), the configuration
 * kinds in the controller's namespace and its basic-auth Secrets (BGPPeer
 * passwordSecret, so the controller judges the configuration exactly as the
 * speakers do). Once everything is listed, the configuration is parsed after
 * every change to it, and the last valid one stays in force.
 */
export class ClusterView {
  readonly services: ResourceWatch<ServiceObject>;
  readonly namespaces: ResourceWatch<KubernetesObject>;
  readonly secrets: ResourceWatch<KubernetesObject>;
  readonly configWatches: ReadonlyMap<string, ResourceWatch<KubernetesObject>>;
  readonly configState = new ConfigState();
  readonly #options: ClusterViewOptions;
  readonly #listeners = new Set<ViewListener>();
  #lastResult: ApplyResult | undefined;
  #configScheduled = false;
  #started = false;

  constructor(options: ClusterViewOptions) {
    this.#options = options;
    const { kubeConfig, namespace, logger, metrics } = options;
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const custom = kubeConfig.makeApiClient(CustomObjectsApi);
    const common = {
      kubeConfig,
      logger: logger.child({ component: 'watch' }),
      onApiError: (resource: string) => metrics.apiErrors.inc({ resource }),
      ...(options.minBackoffMs === undefined ? {} : { minBackoffMs: options.minBackoffMs }),
      ...(options.maxBackoffMs === undefined ? {} : { maxBackoffMs: options.maxBackoffMs }),
    };
    this.services = new ResourceWatch<ServiceObject>({
      ...common,
      path: '/api/v1/services',
      resource: 'services',
      apiVersion: 'v1',
      kind: 'Service',
      list: () => core.listServiceForAllNamespaces(),
      onChange: (_type, object) => {
        metrics.updates.inc();
        const key = serviceKey(object);
        for (const listener of this.#listeners) listener.service(key);
      },
    });
    this.namespaces = new ResourceWatch<KubernetesObject>({
      ...common,
      path: '/api/v1/namespaces',
      resource: 'namespaces',
      apiVersion: 'v1',
      kind: 'Namespace',
      list: () => core.listNamespace(),
      onChange: (type, object, previous) => {
        metrics.updates.inc();
        if (type === 'update' && sameLabels(previous?.metadata?.labels, object.metadata?.labels))
          return;
        const name = object.metadata?.name ?? '';
        for (const listener of this.#listeners) listener.namespace(name);
      },
    });
    const onConfigChange = (): void => {
      metrics.updates.inc();
      this.#scheduleConfig();
    };
    this.secrets = new ResourceWatch<KubernetesObject>({
      ...common,
      path: `/api/v1/namespaces/${namespace}/secrets`,
      resource: 'secrets',
      apiVersion: 'v1',
      kind: 'Secret',
      fieldSelector: `type=${BASIC_AUTH}`,
      list: () => core.listNamespacedSecret({ namespace, fieldSelector: `type=${BASIC_AUTH}` }),
      onChange: onConfigChange,
    });
    const watches = new Map<string, ResourceWatch<KubernetesObject>>();
    for (const { kind, plural } of configKinds) {
      watches.set(
        kind,
        new ResourceWatch<KubernetesObject>({
          ...common,
          path: `/apis/${API_GROUP}/${API_VERSION}/namespaces/${namespace}/${plural}`,
          resource: `${plural}.${API_GROUP}`,
          apiVersion: API_GROUP_VERSION,
          kind,
          list: () =>
            custom.listNamespacedCustomObject({
              group: API_GROUP,
              version: API_VERSION,
              namespace,
              plural,
            }) as Promise<ResourceList<KubernetesObject>>,
          onChange: onConfigChange,
        }),
      );
    }
    this.configWatches = watches;
  }

  #allWatches(): Array<ResourceWatch<KubernetesObject>> {
    return [this.services, this.namespaces, this.secrets, ...this.configWatches.values()];
  }

  /** Starts every watch; resolves when all have listed once and the configuration was parsed. */
  async start(signal: AbortSignal): Promise<void> {
    await Promise.all(this.#allWatches().map((watch) => watch.start(signal)));
    if (signal.aborted) return;
    this.#started = true;
    this.#evaluateConfig();
  }

  async stop(): Promise<void> {
    await Promise.all(this.#allWatches().map((watch) => watch.stop()));
  }

  /** True once every watch has listed and the configuration was parsed. */
  get synced(): boolean {
    return this.#started;
  }

  /** The resources not listed yet (for the readiness reason). */
  unsyncedResources(): string[] {
    return this.#allWatches()
      .filter((watch) => !watch.synced)
      .map((watch) => watch.resource);
  }

  /** The newest parse result (undefined before the initial sync). */
  get lastResult(): ApplyResult | undefined {
    return this.#lastResult;
  }

  subscribe(listener: ViewListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  namespaceLabels(namespace: string): Labels {
    return this.namespaces.get(namespace)?.metadata?.labels ?? {};
  }

  /** A configuration object from the cache (for event references). */
  configObject(kind: string, name: string): KubernetesObject | undefined {
    return this.configWatches.get(kind)?.get(name, this.#options.namespace);
  }

  configObjects(): ConfigObjects {
    const lists: Partial<Record<ConfigList, KubernetesObject[]>> = {};
    for (const { list, kind } of configKinds) lists[list] = this.configWatches.get(kind)!.list();
    const namespace = this.#options.namespace;
    return {
      ...lists,
      lookupSecret: (ns, name) => (ns === namespace ? this.secrets.get(name, ns) : undefined),
    };
  }

  /** Changes come in bursts (an apply of several objects): parse once per burst. */
  #scheduleConfig(): void {
    if (!this.#started || this.#configScheduled) return;
    this.#configScheduled = true;
    setImmediate(() => {
      this.#configScheduled = false;
      this.#evaluateConfig();
    });
  }

  #evaluateConfig(): void {
    const { logger, metrics } = this.#options;
    const result = this.configState.apply(this.configObjects());
    this.#lastResult = result;
    metrics.configLoaded.set(this.configState.loaded ? 1 : 0);
    metrics.configStale.set(this.configState.stale ? 1 : 0);
    if (result.ok) {
      logger.debug({ pools: result.config.pools.length }, 'configuration loaded');
    } else {
      logger.warn(
        { errors: result.errors.length, stale: result.stale },
        `configuration is invalid: ${this.configState.summary()}`,
      );
    }
    for (const listener of this.#listeners) listener.config(result);
  }
}

function sameLabels(a: Labels | undefined, b: Labels | undefined): boolean {
  const left = Object.entries(a ?? {});
  const right = b ?? {};
  return (
    left.length === Object.keys(right).length &&
    left.every(([k, v]) => Object.hasOwn(right, k) && right[k] === v)
  );
}
