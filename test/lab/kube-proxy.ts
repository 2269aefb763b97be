import {
  CoreV1Api,
  DiscoveryV1Api,
  type KubeConfig,
  type V1EndpointSlice,
  type V1Service,
} from '@kubernetes/client-node';
import { describeError } from '../../src/common/errors.ts';
import type { ResourceWatch } from '../../src/k8s/resource-watch.ts';
import { CoalescingRunner, labLogger, watchResource } from './api-watch.ts';
import { dataplaneModelFromApi } from './cluster-objects.ts';
import type { DataplaneModel, NodeDataplanePlan } from './dataplane.ts';
import type { Lab, LabLog } from './lab.ts';

/**
 * The lab's kube-proxy: watches Services and EndpointSlices through the API
 * and programs every node's nftables with the lab's renderer
 * (`lab.applyDataplane`), so the dataplane follows the API as kube-proxy
 * would. One component programs all nodes (each node gets its own plan: with
 * externalTrafficPolicy Local only its own endpoints), from the test process.
 */
export class LabKubeProxy {
  readonly #lab: Lab;
  readonly #log: LabLog;
  readonly #services: ResourceWatch<V1Service>;
  readonly #slices: ResourceWatch<V1EndpointSlice>;
  readonly #runner: CoalescingRunner;
  #applied = '';
  #applies = 0;
  #lastAppliedAt: number | undefined;
  #plans: ReadonlyMap<string, NodeDataplanePlan> = new Map();

  private constructor(lab: Lab, kubeConfig: KubeConfig, log: LabLog) {
    this.#lab = lab;
    this.#log = log;
    const logger = labLogger('kube-proxy', log);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const discovery = kubeConfig.makeApiClient(DiscoveryV1Api);
    const changed = (): void => this.#runner.request();
    this.#services = watchResource<V1Service>(
      kubeConfig,
      logger,
      {
        path: '/api/v1/services',
        apiVersion: 'v1',
        kind: 'Service',
        list: () => core.listServiceForAllNamespaces(),
      },
      changed,
    );
    this.#slices = watchResource<V1EndpointSlice>(
      kubeConfig,
      logger,
      {
        path: '/apis/discovery.k8s.io/v1/endpointslices',
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        list: () => discovery.listEndpointSliceForAllNamespaces(),
      },
      changed,
    );
    this.#runner = new CoalescingRunner(
      () => this.#sync(),
      (err) => log(`kube-proxy: applying the dataplane failed: ${describeError(err)}`),
    );
  }

  static async start(lab: Lab, kubeConfig: KubeConfig, log: LabLog): Promise<LabKubeProxy> {
    const proxy = new LabKubeProxy(lab, kubeConfig, log);
    await Promise.all([proxy.#services.start(), proxy.#slices.start()]);
    proxy.#runner.request();
    await proxy.settled();
    return proxy;
  }

  /** The model the API shows now. */
  model(): DataplaneModel {
    return dataplaneModelFromApi(this.#services.list(), this.#slices.list());
  }

  async #sync(): Promise<void> {
    const model = this.model();
    const text = JSON.stringify(model);
    if (text === this.#applied) return;
    this.#plans = await this.#lab.applyDataplane(model);
    this.#applied = text;
    this.#applies++;
    this.#lastAppliedAt = performance.now();
  }

  /** Resolves once every change seen so far is in the nodes' nftables. */
  settled(): Promise<void> {
    return this.#runner.settled();
  }

  /** The per-node plans last applied (DNAT targets and reasons). */
  get plans(): ReadonlyMap<string, NodeDataplanePlan> {
    return this.#plans;
  }

  /** How many rulesets were applied, and when the last one was (performance.now()). */
  get applies(): { count: number; lastAt: number | undefined } {
    return { count: this.#applies, lastAt: this.#lastAppliedAt };
  }

  async stop(): Promise<void> {
    await this.#runner.stop();
    await Promise.all([this.#services.stop(), this.#slices.stop()]);
    this.#log('kube-proxy: stopped');
  }
}
