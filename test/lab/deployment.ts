import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { IronlbError } from '../../src/common/errors.ts';
import { apiStatusCode } from '../../src/k8s/kubeconfig.ts';
import { podObject } from './cluster-objects.ts';
import { LabErrors } from './errors.ts';
import type { Lab, LabLog, LabPod } from './lab.ts';

/**
 * A Deployment-like set of pods: real pod servers in the lab (own network
 * namespace behind a node) plus their Pod objects in the API. Placement is
 * explicit (`scale({ 'node-1': 2, 'node-3': 1 })`), as with node affinity, so
 * tests can say where the endpoints are. Removing or killing pods deletes the
 * Pod objects first (that is the API change; the EndpointSlice controller and
 * everything downstream follow), then stops the servers.
 */

export type Placement = Readonly<Record<string, number>>;

export interface DeploymentOptions {
  readonly namespace?: string;
  /** Pod labels; `{ app: name }` by default (the Service selector). */
  readonly labels?: Readonly<Record<string, string>>;
  /** Port the pod servers listen on; 8080 by default. */
  readonly port?: number;
}

export interface ScaleResult {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** performance.now() of the first API write of this change (undefined: nothing changed). */
  readonly apiChangeAt: number | undefined;
}

export class LabDeployment {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly port: number;
  readonly #lab: Lab;
  readonly #core: CoreV1Api;
  readonly #log: LabLog;
  readonly #pods = new Map<string, LabPod>();
  #counter = 0;

  constructor(
    lab: Lab,
    kubeConfig: KubeConfig,
    log: LabLog,
    name: string,
    options: DeploymentOptions,
  ) {
    this.#lab = lab;
    this.#core = kubeConfig.makeApiClient(CoreV1Api);
    this.#log = log;
    this.name = name;
    this.namespace = options.namespace ?? 'default';
    this.labels = options.labels ?? { app: name };
    this.port = options.port ?? 8080;
  }

  /** The running pods, by name. */
  get pods(): readonly LabPod[] {
    return [...this.#pods.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Pod count per node (nodes without pods are absent). */
  placement(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const pod of this.#pods.values()) counts[pod.node] = (counts[pod.node] ?? 0) + 1;
    return counts;
  }

  /**
   * Makes the pod count per node what `placement` says (nodes not named keep
   * theirs; 0 removes all of a node's pods). New pods start first and are
   * written as Ready once they listen; surplus pods are deleted newest first.
   */
  async scale(placement: Placement): Promise<ScaleResult> {
    const toAdd: string[] = [];
    const toRemove: LabPod[] = [];
    for (const [nodeRef, want] of Object.entries(placement)) {
      const node = this.#lab.node(nodeRef).name;
      // In creation order, so the newest pods go first.
      const have = [...this.#pods.values()].filter((p) => p.node === node);
      for (let i = have.length; i < want; i++) toAdd.push(node);
      toRemove.push(...have.slice(want).reverse());
    }
    const added = await Promise.all(toAdd.map((node) => this.#startPod(node)));
    let apiChangeAt: number | undefined;
    if (added.length > 0) {
      apiChangeAt = performance.now();
      await Promise.all(added.map((pod) => this.#createPodObject(pod)));
    }
    if (toRemove.length > 0) {
      const at = await this.#deletePods(toRemove);
      apiChangeAt ??= at;
    }
    const result = {
      added: added.map((p) => p.name),
      removed: toRemove.map((p) => p.name),
      apiChangeAt,
    };
    this.#log(
      `deployment ${this.namespace}/${this.name}: ${JSON.stringify(this.placement())}` +
        (result.added.length > 0 ? ` (+${result.added.join(', ')})` : '') +
        (result.removed.length > 0 ? ` (-${result.removed.join(', ')})` : ''),
    );
    return result;
  }

  /**
   * Kills every pod of this deployment on a node: the Pod objects disappear
   * from the API (as when the kubelet reports them gone) and their servers are
   * stopped. Returns the time of the API change.
   */
  async killPods(nodeRef: string): Promise<ScaleResult> {
    const node = this.#lab.node(nodeRef).name;
    const victims = this.pods.filter((p) => p.node === node);
    if (victims.length === 0) {
      throw new IronlbError(
        LabErrors.IRONLB_ERR_LAB_UNKNOWN,
        `deployment ${this.name} has no pods on ${node}`,
      );
    }
    const apiChangeAt = await this.#deletePods(victims);
    this.#log(
      `deployment ${this.namespace}/${this.name}: killed ${victims.map((p) => p.name).join(', ')} on ${node}`,
    );
    return { added: [], removed: victims.map((p) => p.name), apiChangeAt };
  }

  async #startPod(node: string): Promise<LabPod> {
    const name = `${this.name}-${++this.#counter}`;
    return this.#lab.addPod(node, name, { port: this.port });
  }

  async #createPodObject(pod: LabPod): Promise<void> {
    const body = podObject({
      name: pod.name,
      namespace: this.namespace,
      labels: this.labels,
      nodeName: pod.node,
      hostIP: this.#lab.node(pod.node).nodeAddress,
      ip: pod.ip,
      ip6: pod.ip6,
      port: pod.port,
      ready: true,
    });
    // Create drops the status, as on a real API server; the "kubelet" writes it next.
    const created = await this.#core.createNamespacedPod({ namespace: this.namespace, body });
    await this.#core.replaceNamespacedPodStatus({
      name: pod.name,
      namespace: this.namespace,
      body: {
        ...body,
        metadata: { ...body.metadata, resourceVersion: created.metadata?.resourceVersion ?? '' },
      },
    });
    this.#pods.set(pod.name, pod);
  }

  /** Deletes the Pod objects, then stops the servers; returns when the deletes were sent. */
  async #deletePods(pods: readonly LabPod[]): Promise<number> {
    const at = performance.now();
    await Promise.all(
      pods.map(async (pod) => {
        try {
          await this.#core.deleteNamespacedPod({ name: pod.name, namespace: this.namespace });
        } catch (err) {
          if (apiStatusCode(err) !== 404) throw err;
        }
        this.#pods.delete(pod.name);
      }),
    );
    await Promise.all(pods.map((pod) => this.#lab.removePod(pod.name)));
    return at;
  }
}
