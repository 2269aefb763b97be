import {
  CoreV1Api,
  DiscoveryV1Api,
  type KubeConfig,
  type V1EndpointSlice,
  type V1Pod,
  type V1Service,
} from '@kubernetes/client-node';
import { describeError } from '../../src/common/errors.ts';
import { apiStatusCode } from '../../src/k8s/kubeconfig.ts';
import type { ResourceWatch } from '../../src/k8s/resource-watch.ts';
import { CoalescingRunner, labLogger, watchResource } from './api-watch.ts';
import {
  endpointSlicesFor,
  LAB_ENDPOINTSLICE_MANAGER,
  MANAGED_BY_LABEL,
  sliceContent,
} from './cluster-objects.ts';
import type { LabLog } from './lab.ts';

/**
 * The lab's EndpointSlice controller (the test API server has no
 * controllers): watches Services and Pods through the API and keeps, for every
 * Service with a selector, one EndpointSlice per IP family listing the
 * selected Pods (`endpointSlicesFor`). It only touches slices it labelled as
 * its own.
 */
export class LabEndpointSliceController {
  readonly #log: LabLog;
  readonly #discovery: DiscoveryV1Api;
  readonly #services: ResourceWatch<V1Service>;
  readonly #pods: ResourceWatch<V1Pod>;
  readonly #slices: ResourceWatch<V1EndpointSlice>;
  readonly #runner: CoalescingRunner;
  /** What this controller last wrote, by namespace/name (its own watch may lag behind). */
  readonly #written = new Map<string, string>();
  #writes = 0;

  private constructor(kubeConfig: KubeConfig, log: LabLog) {
    this.#log = log;
    const logger = labLogger('endpointslice-controller', log);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    this.#discovery = kubeConfig.makeApiClient(DiscoveryV1Api);
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
    this.#pods = watchResource<V1Pod>(
      kubeConfig,
      logger,
      {
        path: '/api/v1/pods',
        apiVersion: 'v1',
        kind: 'Pod',
        list: () => core.listPodForAllNamespaces(),
      },
      changed,
    );
    const selector = `${MANAGED_BY_LABEL}=${LAB_ENDPOINTSLICE_MANAGER}`;
    this.#slices = watchResource<V1EndpointSlice>(
      kubeConfig,
      logger,
      {
        path: '/apis/discovery.k8s.io/v1/endpointslices',
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        labelSelector: selector,
        list: () => this.#discovery.listEndpointSliceForAllNamespaces({ labelSelector: selector }),
      },
      changed,
    );
    this.#runner = new CoalescingRunner(
      () => this.#reconcile(),
      (err) => log(`endpointslice-controller: ${describeError(err)}`),
    );
  }

  static async start(kubeConfig: KubeConfig, log: LabLog): Promise<LabEndpointSliceController> {
    const controller = new LabEndpointSliceController(kubeConfig, log);
    await Promise.all([
      controller.#services.start(),
      controller.#pods.start(),
      controller.#slices.start(),
    ]);
    controller.#runner.request();
    await controller.settled();
    return controller;
  }

  async #reconcile(): Promise<void> {
    const pods = this.#pods.list();
    const desired = new Map<string, V1EndpointSlice>();
    for (const service of this.#services.list()) {
      for (const slice of endpointSlicesFor(service, pods)) {
        desired.set(`${slice.metadata?.namespace}/${slice.metadata?.name}`, slice);
      }
    }
    const existing = new Map(
      this.#slices.list().map((s) => [`${s.metadata?.namespace}/${s.metadata?.name}`, s]),
    );
    const writes: Array<Promise<void>> = [];
    for (const [key, slice] of desired) {
      const content = sliceContent(slice);
      const stored = existing.get(key);
      const known =
        this.#written.get(key) ?? (stored === undefined ? undefined : sliceContent(stored));
      if (known === content) continue;
      writes.push(this.#put(key, slice, content, stored !== undefined || this.#written.has(key)));
    }
    for (const key of new Set([...existing.keys(), ...this.#written.keys()])) {
      if (desired.has(key)) continue;
      writes.push(this.#delete(key));
    }
    await Promise.all(writes);
  }

  async #put(key: string, slice: V1EndpointSlice, content: string, exists: boolean): Promise<void> {
    const namespace = slice.metadata?.namespace ?? 'default';
    const name = slice.metadata?.name ?? '';
    if (exists) {
      try {
        // PUT without a resourceVersion: unconditional, as this controller owns the slice.
        await this.#discovery.replaceNamespacedEndpointSlice({ name, namespace, body: slice });
      } catch (err) {
        if (apiStatusCode(err) !== 404) throw err;
        await this.#discovery.createNamespacedEndpointSlice({ namespace, body: slice });
      }
    } else {
      try {
        await this.#discovery.createNamespacedEndpointSlice({ namespace, body: slice });
      } catch (err) {
        if (apiStatusCode(err) !== 409) throw err;
        await this.#discovery.replaceNamespacedEndpointSlice({ name, namespace, body: slice });
      }
    }
    this.#written.set(key, content);
    this.#writes++;
  }

  async #delete(key: string): Promise<void> {
    const [namespace = '', name = ''] = key.split('/');
    try {
      await this.#discovery.deleteNamespacedEndpointSlice({ name, namespace });
    } catch (err) {
      if (apiStatusCode(err) !== 404) throw err;
    }
    this.#written.delete(key);
    this.#writes++;
  }

  /** Resolves once every change seen so far has been written. */
  settled(): Promise<void> {
    return this.#runner.settled();
  }

  get writes(): number {
    return this.#writes;
  }

  async stop(): Promise<void> {
    await this.#runner.stop();
    await Promise.all([this.#services.stop(), this.#pods.stop(), this.#slices.stop()]);
    this.#log('endpointslice-controller: stopped');
  }
}
