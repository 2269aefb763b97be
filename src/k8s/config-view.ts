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
import type { Logger } from '../daemon/logger.ts';
import type { K8sClientMetrics } from './client-metrics.ts';
import { ResourceWatch, type ResourceList, type WatchEventType } from './resource-watch.ts';

/** The configuration kinds, by the ConfigObjects list they fill. */
export const configKinds = [
  { list: 'ipAddressPools', kind: 'IPAddressPool', plural: 'ipaddresspools' },
  { list: 'bgpPeers', kind: 'BGPPeer', plural: 'bgppeers' },
  { list: 'bgpAdvertisements', kind: 'BGPAdvertisement', plural: 'bgpadvertisements' },
  { list: 'communities', kind: 'Community', plural: 'communities' },
] as const;

type ConfigList = (typeof configKinds)[number]['list'];

const BASIC_AUTH = 'kubernetes.io/basic-auth';

export interface ConfigViewOptions {
  readonly kubeConfig: KubeConfig;
  /** Where the configuration objects (and the Secrets peers name) live. */
  readonly namespace: string;
  readonly logger: Logger;
  readonly metrics: Pick<
    K8sClientMetrics,
    'configLoaded' | 'configStale' | 'updates' | 'apiErrors'
  >;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

/**
 * The configuration one daemon runs with, kept current by watches: the four
 * configuration kinds in the ironlb namespace and its basic-auth Secrets
 * (BGPPeer passwordSecret). Once everything is listed (`activate()`), the one
 * parse runs after every change (once per burst), the last valid
 * configuration stays in force (ConfigState), and listeners hear each result.
 * Shared by the controller and the speaker, so both judge a configuration
 * alike.
 */
export class ConfigView {
  readonly secrets: ResourceWatch<KubernetesObject>;
  readonly configWatches: ReadonlyMap<string, ResourceWatch<KubernetesObject>>;
  readonly configState = new ConfigState();
  readonly #options: ConfigViewOptions;
  readonly #listeners = new Set<(result: ApplyResult) => void>();
  #lastResult: ApplyResult | undefined;
  #scheduled = false;
  #active = false;

  constructor(options: ConfigViewOptions) {
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
    const onChange = (
      type: WatchEventType,
      object: KubernetesObject,
      previous: KubernetesObject | undefined,
    ): void => {
      metrics.updates.inc();
      if (type === 'update' && onlyStatusChanged(previous, object)) return;
      this.#schedule();
    };
    this.secrets = new ResourceWatch<KubernetesObject>({
      ...common,
      path: `/api/v1/namespaces/${namespace}/secrets`,
      resource: 'secrets',
      apiVersion: 'v1',
      kind: 'Secret',
      fieldSelector: `type=${BASIC_AUTH}`,
      list: () => core.listNamespacedSecret({ namespace, fieldSelector: `type=${BASIC_AUTH}` }),
      onChange: (_type, _object) => {
        metrics.updates.inc();
        this.#schedule();
      },
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
          onChange,
        }),
      );
    }
    this.configWatches = watches;
  }

  /** Every watch this view runs (the owner starts and stops them with its own). */
  get watches(): Array<ResourceWatch<KubernetesObject>> {
    return [this.secrets, ...this.configWatches.values()];
  }

  /** Starts the watches, waits for their first lists, then activates. */
  async start(signal: AbortSignal): Promise<void> {
    await Promise.all(this.watches.map((watch) => watch.start(signal)));
    if (!signal.aborted) this.activate();
  }

  async stop(): Promise<void> {
    await Promise.all(this.watches.map((watch) => watch.stop()));
  }

  /** Call once every watch has listed: parses now, and after every later change. */
  activate(): void {
    if (this.#active) return;
    this.#active = true;
    this.#evaluate();
  }

  /** True once activated (the configuration was parsed at least once). */
  get active(): boolean {
    return this.#active;
  }

  /** The newest parse result (undefined before activation). */
  get lastResult(): ApplyResult | undefined {
    return this.#lastResult;
  }

  /** Hears every parse result; returns the unsubscribe function. */
  subscribe(listener: (result: ApplyResult) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A configuration object from the cache (for event references and status writes). */
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
  #schedule(): void {
    if (!this.#active || this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#evaluate();
    });
  }

  #evaluate(): void {
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
    for (const listener of this.#listeners) listener(result);
  }
}

/**
 * A write to the status subresource (pool counts, speakers' session states)
 * changes neither the spec (same generation) nor the labels: the parse would
 * give the same result, so it is not run again.
 */
export function onlyStatusChanged(
  previous: KubernetesObject | undefined,
  next: KubernetesObject,
): boolean {
  const before = previous?.metadata;
  const after = next.metadata;
  if (before?.generation === undefined || after?.generation === undefined) return false;
  if (before.generation !== after.generation) return false;
  return sameRecord(before.labels, after.labels);
}

export function sameRecord(
  a: Readonly<Record<string, string>> | undefined,
  b: Readonly<Record<string, string>> | undefined,
): boolean {
  const left = Object.entries(a ?? {});
  const right = b ?? {};
  return (
    left.length === Object.keys(right).length &&
    left.every(([k, v]) => Object.hasOwn(right, k) && right[k] === v)
  );
}
