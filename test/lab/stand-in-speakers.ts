import {
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  type KubeConfig,
  type KubernetesObject,
  type V1EndpointSlice,
  type V1Node,
  type V1Service,
} from '@kubernetes/client-node';
import { describeError } from '../../src/common/errors.ts';
import { API_GROUP, API_GROUP_VERSION, API_VERSION, parseConfig } from '../../src/config/index.ts';
import type { IronlbConfig } from '../../src/config/config-types.ts';
import type { ResourceList, ResourceWatch } from '../../src/k8s/resource-watch.ts';
import {
  decideNodeAnnouncements,
  endpointSliceInfo,
  nodeInfo,
  serviceInfo,
} from '../../src/speaker/index.ts';
import { CoalescingRunner, labLogger, watchResource } from './api-watch.ts';
import { IRONLB_NAMESPACE } from './cluster-objects.ts';
import type { Lab, LabLog, StandInSpeaker } from './lab.ts';

/**
 * A comparison speaker: ironlb's announcement decision (the very function the
 * speaker daemon runs) computed in the test process from the API, announced by
 * the lab's BIRD stand-in on each node. It tells a failure of the lab or the
 * decision apart from one of ironlb's BGP speaker, and lets the lab run before
 * `ironlb speaker` exists on a branch.
 */
export class StandInSpeakers {
  readonly #log: LabLog;
  readonly #speakers = new Map<string, StandInSpeaker>();
  readonly #watches: Array<{ start(): Promise<void>; stop(): Promise<void> }> = [];
  readonly #services: ResourceWatch<V1Service>;
  readonly #slices: ResourceWatch<V1EndpointSlice>;
  readonly #nodes: ResourceWatch<V1Node>;
  readonly #config = new Map<string, ResourceWatch<KubernetesObject>>();
  readonly #runner: CoalescingRunner;
  #lastValid: IronlbConfig | undefined;

  private constructor(kubeConfig: KubeConfig, log: LabLog) {
    this.#log = log;
    const logger = labLogger('stand-in speakers', log);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const discovery = kubeConfig.makeApiClient(DiscoveryV1Api);
    const custom = kubeConfig.makeApiClient(CustomObjectsApi);
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
    this.#nodes = watchResource<V1Node>(
      kubeConfig,
      logger,
      { path: '/api/v1/nodes', apiVersion: 'v1', kind: 'Node', list: () => core.listNode() },
      changed,
    );
    for (const [list, plural, kind] of [
      ['ipAddressPools', 'ipaddresspools', 'IPAddressPool'],
      ['bgpPeers', 'bgppeers', 'BGPPeer'],
      ['bgpAdvertisements', 'bgpadvertisements', 'BGPAdvertisement'],
      ['communities', 'communities', 'Community'],
    ] as const) {
      this.#config.set(
        list,
        watchResource<KubernetesObject>(
          kubeConfig,
          logger,
          {
            path: `/apis/${API_GROUP}/${API_VERSION}/namespaces/${IRONLB_NAMESPACE}/${plural}`,
            apiVersion: API_GROUP_VERSION,
            kind,
            list: () =>
              custom.listNamespacedCustomObject({
                group: API_GROUP,
                version: API_VERSION,
                namespace: IRONLB_NAMESPACE,
                plural,
              }) as Promise<ResourceList<KubernetesObject>>,
          },
          changed,
        ),
      );
    }
    this.#watches.push(this.#services, this.#slices, this.#nodes, ...this.#config.values());
    this.#runner = new CoalescingRunner(
      () => this.#announce(),
      (err) => log(`stand-in speakers: ${describeError(err)}`),
    );
  }

  static async start(lab: Lab, kubeConfig: KubeConfig, log: LabLog): Promise<StandInSpeakers> {
    const speakers = new StandInSpeakers(kubeConfig, log);
    const started = await Promise.all(lab.nodes.map((n) => lab.startStandInSpeaker(n)));
    for (const s of started) speakers.#speakers.set(s.node.name, s);
    await Promise.all(started.map((s) => s.waitEstablished(10_000)));
    await Promise.all(speakers.#watches.map((w) => w.start()));
    speakers.#runner.request();
    await speakers.#runner.settled();
    return speakers;
  }

  #configuration(): IronlbConfig | undefined {
    const list = (name: string): unknown[] => this.#config.get(name)?.list() ?? [];
    const result = parseConfig({
      ipAddressPools: list('ipAddressPools'),
      bgpPeers: list('bgpPeers'),
      bgpAdvertisements: list('bgpAdvertisements'),
      communities: list('communities'),
    });
    if (result.ok) this.#lastValid = result.config;
    return this.#lastValid;
  }

  async #announce(): Promise<void> {
    const config = this.#configuration();
    const services = this.#services.list().map((s) => serviceInfo(s));
    const endpointSlices = this.#slices.list().map((s) => endpointSliceInfo(s));
    const nodes = this.#nodes.list();
    await Promise.all(
      [...this.#speakers.values()].map(async (speaker) => {
        const node = nodes.find((n) => n.metadata?.name === speaker.node.name);
        const decision = decideNodeAnnouncements({
          nodeName: speaker.node.name,
          node: node === undefined ? undefined : nodeInfo(node),
          config,
          services,
          endpointSlices,
        });
        const prefixes = new Set<string>();
        for (const routes of decision.routes.values()) {
          for (const route of routes) prefixes.add(route.prefix);
        }
        const next = [...prefixes].sort();
        if (JSON.stringify(next) !== JSON.stringify(speaker.routes)) {
          await speaker.setRoutes(next);
        }
      }),
    );
  }

  /** The stand-in BIRD of a node (to stop it, or to read its routes). */
  speaker(node: string): StandInSpeaker | undefined {
    return this.#speakers.get(node);
  }

  async stop(): Promise<void> {
    await this.#runner.stop();
    await Promise.all(this.#watches.map((w) => w.stop()));
    this.#log('stand-in speakers: stopped');
  }
}
