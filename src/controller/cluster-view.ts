import { CoreV1Api, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { ApplyResult, ConfigObjects, ConfigState } from '../config/index.ts';
import type { Labels } from '../common/label-selector.ts';
import type { Logger } from '../daemon/logger.ts';
import { ConfigView, sameRecord } from '../k8s/config-view.ts';
import { ResourceWatch } from '../k8s/resource-watch.ts';
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
  /** The configuration (its watches, the parse, the last valid one): shared with the speaker. */
  readonly config: ConfigView;
  readonly #listeners = new Set<ViewListener>();
  #started = false;

  constructor(options: ClusterViewOptions) {
    const { kubeConfig, namespace, logger, metrics } = options;
    const core = kubeConfig.makeApiClient(CoreV1Api);
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
        if (type === 'update' && sameRecord(previous?.metadata?.labels, object.metadata?.labels))
          return;
        const name = object.metadata?.name ?? '';
        for (const listener of this.#listeners) listener.namespace(name);
      },
    });
    this.config = new ConfigView({
      kubeConfig,
      namespace,
      logger,
      metrics,
      ...(options.minBackoffMs === undefined ? {} : { minBackoffMs: options.minBackoffMs }),
      ...(options.maxBackoffMs === undefined ? {} : { maxBackoffMs: options.maxBackoffMs }),
    });
    this.config.subscribe((result) => {
      for (const listener of this.#listeners) listener.config(result);
    });
  }

  #allWatches(): Array<ResourceWatch<KubernetesObject>> {
    return [this.services, this.namespaces, ...this.config.watches];
  }

  /** Starts every watch; resolves when all have listed once and the configuration was parsed. */
  async start(signal: AbortSignal): Promise<void> {
    await Promise.all(this.#allWatches().map((watch) => watch.start(signal)));
    if (signal.aborted) return;
    this.#started = true;
    this.config.activate();
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

  get configState(): ConfigState {
    return this.config.configState;
  }

  /** The newest parse result (undefined before the initial sync). */
  get lastResult(): ApplyResult | undefined {
    return this.config.lastResult;
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
    return this.config.configObject(kind, name);
  }

  configObjects(): ConfigObjects {
    return this.config.configObjects();
  }
}
