import {
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { IronlbError } from '../common/errors.ts';
import {
  API_GROUP,
  API_GROUP_VERSION,
  API_VERSION,
  type ConfigurationStateStatus,
  type IPAddressPoolStatus,
} from '../config/index.ts';
import { K8sErrors } from '../k8s/errors.ts';
import type { EventRecorder, RecordedEvent } from '../k8s/event-recorder.ts';
import { apiStatusCode } from '../k8s/kubeconfig.ts';
import type { ControllerMetrics } from './metrics.ts';
import { ingressPatch, poolAnnotationPatch } from './service-plan.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/**
 * Every write the controller makes, each gated on the leader signal: once
 * the term's signal aborts (leadership lost, or shutdown), no further request
 * is sent — each method throws IRONLB_ERR_NOT_LEADER instead. Failed requests
 * are counted in `ironlb_k8s_api_errors_total{resource}` and rethrown.
 */
export class LeaderWrites {
  readonly #core: CoreV1Api;
  readonly #custom: CustomObjectsApi;
  readonly #recorder: EventRecorder;
  readonly #metrics: ControllerMetrics;
  readonly #namespace: string;
  readonly #signal: AbortSignal;

  constructor(options: {
    kubeConfig: KubeConfig;
    recorder: EventRecorder;
    metrics: ControllerMetrics;
    /** The controller's namespace (pools, ConfigurationState). */
    namespace: string;
    /** The leader term's signal. */
    signal: AbortSignal;
  }) {
    this.#core = options.kubeConfig.makeApiClient(CoreV1Api);
    this.#custom = options.kubeConfig.makeApiClient(CustomObjectsApi);
    this.#recorder = options.recorder;
    this.#metrics = options.metrics;
    this.#namespace = options.namespace;
    this.#signal = options.signal;
  }

  get leading(): boolean {
    return !this.#signal.aborted;
  }

  #gate(what: string): void {
    if (this.#signal.aborted) {
      throw new IronlbError(K8sErrors.IRONLB_ERR_NOT_LEADER, `not leader: ${what} not written`);
    }
  }

  async #send<T>(resource: string, request: () => Promise<T>): Promise<T> {
    this.#gate(resource);
    try {
      return await request();
    } catch (err) {
      this.#metrics.apiErrors.inc({ resource });
      throw err;
    }
  }

  /** Merge patch of the status subresource; returns the new resourceVersion. */
  async serviceIngress(
    namespace: string,
    name: string,
    addresses: readonly string[],
  ): Promise<string | undefined> {
    const updated = await this.#send('services/status', () =>
      this.#core.patchNamespacedServiceStatus(
        { name, namespace, body: ingressPatch(addresses) },
        mergePatch,
      ),
    );
    return updated.metadata?.resourceVersion;
  }

  /** Sets (or with null removes) the ironlb.dev/ip-allocated-from-pool annotation. */
  async servicePool(
    namespace: string,
    name: string,
    pool: string | null,
  ): Promise<string | undefined> {
    const updated = await this.#send('services', () =>
      this.#core.patchNamespacedService(
        { name, namespace, body: poolAnnotationPatch(pool) },
        mergePatch,
      ),
    );
    return updated.metadata?.resourceVersion;
  }

  /** Best effort (the recorder logs failures); skipped when not leading. */
  async event(object: KubernetesObject, event: RecordedEvent): Promise<void> {
    if (this.#signal.aborted) return;
    await this.#recorder.record(object, event);
  }

  async poolStatus(name: string, status: IPAddressPoolStatus): Promise<string | undefined> {
    const updated = (await this.#send('ipaddresspools/status', () =>
      this.#custom.patchNamespacedCustomObjectStatus(
        {
          group: API_GROUP,
          version: API_VERSION,
          namespace: this.#namespace,
          plural: 'ipaddresspools',
          name,
          body: { status },
        },
        mergePatch,
      ),
    )) as KubernetesObject;
    return updated.metadata?.resourceVersion;
  }

  /** The current status of the ConfigurationState object, or undefined when it does not exist. */
  async readConfigurationState(name: string): Promise<KubernetesObject | undefined> {
    try {
      return (await this.#send('configurationstates', () =>
        this.#custom.getNamespacedCustomObject({
          group: API_GROUP,
          version: API_VERSION,
          namespace: this.#namespace,
          plural: 'configurationstates',
          name,
        }),
      )) as KubernetesObject;
    } catch (err) {
      if (apiStatusCode(err) === 404) return undefined;
      throw err;
    }
  }

  /** Creates the object if needed, then merge-patches its status. */
  async configurationState(
    name: string,
    status: ConfigurationStateStatus,
    exists: boolean,
  ): Promise<KubernetesObject> {
    if (!exists) {
      try {
        await this.#send('configurationstates', () =>
          this.#custom.createNamespacedCustomObject({
            group: API_GROUP,
            version: API_VERSION,
            namespace: this.#namespace,
            plural: 'configurationstates',
            body: {
              apiVersion: API_GROUP_VERSION,
              kind: 'ConfigurationState',
              metadata: { name, namespace: this.#namespace },
              spec: {},
            },
          }),
        );
      } catch (err) {
        if (apiStatusCode(err) !== 409) throw err;
      }
    }
    return (await this.#send('configurationstates/status', () =>
      this.#custom.patchNamespacedCustomObjectStatus(
        {
          group: API_GROUP,
          version: API_VERSION,
          namespace: this.#namespace,
          plural: 'configurationstates',
          name,
          body: { status },
        },
        mergePatch,
      ),
    )) as KubernetesObject;
  }
}
