import type {
  V1EndpointSlice,
  V1Node,
  V1Pod,
  V1Service,
  V1ServicePort,
} from '@kubernetes/client-node';
import { familyOf, LAB_ASN, type NodePlan } from './addressing.ts';
import type { DataplaneEndpoint, DataplaneModel, DataplaneService } from './dataplane.ts';

/**
 * The Kubernetes objects of the lab's cluster, as pure functions: the Nodes
 * (from the lab's nodes), the ironlb configuration for the lab's fabric, Pods,
 * the EndpointSlices a Service's selector yields (what Kubernetes' EndpointSlice
 * controller would write), and the dataplane model kube-proxy would derive from
 * Services and EndpointSlices.
 */

export const IRONLB_NAMESPACE = 'ironlb-system';
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
/** Our EndpointSlices are marked as the lab's, so it never touches anyone else's. */
export const LAB_ENDPOINTSLICE_MANAGER = 'endpointslice-controller.lab.ironlb.dev';
export const EXCLUDE_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

export interface NodeObjectOptions {
  readonly ipv6: boolean;
  readonly labels?: Readonly<Record<string, string>>;
}

/** The Node object of a lab node: InternalIP = the node address, Ready, the pod CIDRs. */
export function nodeObject(node: NodePlan, options: NodeObjectOptions): V1Node {
  const addresses = [{ type: 'InternalIP', address: node.nodeAddress }];
  if (options.ipv6) addresses.push({ type: 'InternalIP', address: node.nodeAddress6 });
  addresses.push({ type: 'Hostname', address: node.name });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: node.name,
      labels: {
        'kubernetes.io/hostname': node.name,
        'kubernetes.io/os': 'linux',
        ...options.labels,
      },
    },
    spec: {
      podCIDR: node.podCidr,
      podCIDRs: options.ipv6 ? [node.podCidr, node.podCidr6] : [node.podCidr],
    },
    status: {
      addresses,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status (lab)',
        },
        {
          type: 'NetworkUnavailable',
          status: 'False',
          reason: 'RouteCreated',
          message: 'the lab routes the pod network statically',
        },
      ],
    },
  };
}

export interface LabConfigOptions {
  /** The Service pools, the same the nodes' BIRD accepts host routes from. */
  readonly pools: readonly string[];
  /** BGP hold time the speakers propose (the node's BIRD proposes 9 s; the smaller wins). */
  readonly holdTime?: string;
  /**
   * Graceful restart (RFC 4724) toward the node's BIRD, with this restart
   * time: a restarting speaker's routes stay while it is away.
   */
  readonly gracefulRestartTime?: string;
  readonly namespace?: string;
}

/**
 * The ironlb configuration for the lab: one pool, one BGPPeer (the node's own
 * BIRD on 127.0.0.1, AS 64698 → 64699, like the reference data center) and one
 * advertisement of the pool to every peer.
 */
export function labConfigObjects(options: LabConfigOptions): object[] {
  const namespace = options.namespace ?? IRONLB_NAMESPACE;
  return [
    {
      apiVersion: 'ironlb.dev/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: 'lab', namespace },
      spec: { addresses: [...options.pools] },
    },
    {
      apiVersion: 'ironlb.dev/v1beta1',
      kind: 'BGPPeer',
      metadata: { name: 'node-bird', namespace },
      spec: {
        myASN: LAB_ASN.speaker,
        peerASN: LAB_ASN.nodeBirdForSpeaker,
        peerAddress: '127.0.0.1',
        // The node's BIRD is `multihop` on this session.
        ebgpMultiHop: true,
        holdTime: options.holdTime ?? '3s',
        connectTime: '1s',
        ...(options.gracefulRestartTime === undefined
          ? {}
          : { enableGracefulRestart: true, gracefulRestartTime: options.gracefulRestartTime }),
      },
    },
    {
      apiVersion: 'ironlb.dev/v1beta1',
      kind: 'BGPAdvertisement',
      metadata: { name: 'lab', namespace },
      spec: { ipAddressPools: ['lab'] },
    },
  ];
}

export interface PodObjectInput {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly nodeName: string;
  readonly hostIP: string;
  readonly ip: string;
  readonly ip6: string | undefined;
  readonly port: number;
  readonly ready: boolean;
}

/** A running Pod as the kubelet would report it. */
export function podObject(input: PodObjectInput): V1Pod {
  const podIPs = [{ ip: input.ip }, ...(input.ip6 === undefined ? [] : [{ ip: input.ip6 }])];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: input.name, namespace: input.namespace, labels: { ...input.labels } },
    spec: {
      nodeName: input.nodeName,
      containers: [
        {
          name: 'web',
          image: 'lab.ironlb.dev/pod-server',
          ports: [{ name: 'http', containerPort: input.port, protocol: 'TCP' }],
        },
      ],
    },
    status: {
      phase: 'Running',
      hostIP: input.hostIP,
      podIP: input.ip,
      podIPs,
      conditions: [
        { type: 'Ready', status: input.ready ? 'True' : 'False' },
        { type: 'ContainersReady', status: input.ready ? 'True' : 'False' },
      ],
      containerStatuses: [
        {
          name: 'web',
          image: 'lab.ironlb.dev/pod-server',
          imageID: '',
          ready: input.ready,
          started: true,
          restartCount: 0,
          state: { running: {} },
        },
      ],
    },
  };
}

/** True when every key of the selector has that value in the labels (Service selectors are maps). */
export function selectorMatches(
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels?.[k] === v);
}

function podReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** The endpoint port of a Service port: targetPort if numeric, else the container port named so. */
function targetPortOf(port: V1ServicePort, pod: V1Pod): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  const asNumber = Number(target);
  if (Number.isInteger(asNumber) && asNumber > 0) return asNumber;
  for (const container of pod.spec?.containers ?? []) {
    const found = container.ports?.find((p) => p.name === target);
    if (found !== undefined) return found.containerPort;
  }
  return undefined;
}

/**
 * The EndpointSlices Kubernetes would keep for a Service with a selector: one
 * per IP family of the Service, named `<service>-ipv4`/`-ipv6`, listing every
 * selected Pod that has a node and an address of that family. A Pod being
 * deleted is `terminating` and stays `serving` while it is ready; a Pod that
 * is not ready is neither ready nor serving. Services without a selector get
 * none (their slices are someone else's).
 */
export function endpointSlicesFor(service: V1Service, pods: readonly V1Pod[]): V1EndpointSlice[] {
  const selector = service.spec?.selector;
  const name = service.metadata?.name;
  const namespace = service.metadata?.namespace ?? 'default';
  if (selector === undefined || name === undefined || Object.keys(selector).length === 0) return [];
  const families = service.spec?.ipFamilies ?? ['IPv4'];
  const ports = service.spec?.ports ?? [];
  const selected = pods
    .filter(
      (pod) =>
        (pod.metadata?.namespace ?? 'default') === namespace &&
        selectorMatches(selector, pod.metadata?.labels) &&
        pod.spec?.nodeName !== undefined &&
        pod.status?.phase !== 'Succeeded' &&
        pod.status?.phase !== 'Failed',
    )
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  const firstPod = selected[0];
  return families
    .filter((family) => family === 'IPv4' || family === 'IPv6')
    .map((family) => {
      const endpoints = selected.flatMap((pod) => {
        const ip = (pod.status?.podIPs ?? [])
          .map((p) => p.ip)
          .find((a) => familyOf(a) === (family === 'IPv4' ? 4 : 6));
        if (ip === undefined) return [];
        const ready = podReady(pod);
        const terminating = pod.metadata?.deletionTimestamp !== undefined;
        return [
          {
            addresses: [ip],
            conditions: { ready: ready && !terminating, serving: ready, terminating },
            nodeName: pod.spec?.nodeName ?? '',
            targetRef: {
              kind: 'Pod',
              name: pod.metadata?.name ?? '',
              namespace,
              ...(pod.metadata?.uid === undefined ? {} : { uid: pod.metadata.uid }),
            },
          },
        ];
      });
      const slicePorts = ports.flatMap((port) => {
        const target = firstPod === undefined ? undefined : targetPortOf(port, firstPod);
        return [
          {
            name: port.name ?? '',
            protocol: port.protocol ?? 'TCP',
            ...(target === undefined ? {} : { port: target }),
          },
        ];
      });
      return {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: `${name}-${family.toLowerCase()}`,
          namespace,
          labels: { [SERVICE_NAME_LABEL]: name, [MANAGED_BY_LABEL]: LAB_ENDPOINTSLICE_MANAGER },
        },
        addressType: family,
        endpoints,
        ports: slicePorts,
      } satisfies V1EndpointSlice;
    });
}

/** What a slice says, for comparing a desired slice with the stored one. */
export function sliceContent(slice: V1EndpointSlice): string {
  return JSON.stringify({
    labels: slice.metadata?.labels ?? {},
    addressType: slice.addressType,
    endpoints: (slice.endpoints ?? []).map((e) => ({
      addresses: e.addresses,
      conditions: {
        ready: e.conditions?.ready,
        serving: e.conditions?.serving,
        terminating: e.conditions?.terminating,
      },
      nodeName: e.nodeName,
      pod: e.targetRef?.name,
    })),
    ports: (slice.ports ?? []).map((p) => ({
      name: p.name ?? '',
      port: p.port,
      protocol: p.protocol,
    })),
  });
}

/**
 * Pure: the lab dataplane's model from the API, as kube-proxy reads it: every
 * LoadBalancer Service with ingress IPs, one entry per Service port, and the
 * endpoints of its EndpointSlices (label kubernetes.io/service-name) for that
 * port. An endpoint counts as serving by `serving`, else `ready`, else true.
 */
export function dataplaneModelFromApi(
  services: readonly V1Service[],
  slices: readonly V1EndpointSlice[],
): DataplaneModel {
  const result: DataplaneService[] = [];
  const sorted = [...services].sort((a, b) =>
    `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(
      `${b.metadata?.namespace}/${b.metadata?.name}`,
    ),
  );
  for (const service of sorted) {
    if (service.spec?.type !== 'LoadBalancer') continue;
    const vips = (service.status?.loadBalancer?.ingress ?? [])
      .map((i) => i.ip)
      .filter((ip): ip is string => ip !== undefined && ip !== '');
    if (vips.length === 0) continue;
    const namespace = service.metadata?.namespace ?? 'default';
    const name = service.metadata?.name ?? '';
    const mine = slices.filter(
      (s) =>
        (s.metadata?.namespace ?? 'default') === namespace &&
        s.metadata?.labels?.[SERVICE_NAME_LABEL] === name,
    );
    for (const port of service.spec.ports ?? []) {
      const protocol = port.protocol === 'UDP' ? 'UDP' : 'TCP';
      const endpoints: DataplaneEndpoint[] = [];
      for (const slice of mine) {
        const slicePort = (slice.ports ?? []).find(
          (p) => (p.name ?? '') === (port.name ?? '') && (p.protocol ?? 'TCP') === protocol,
        );
        if (slicePort?.port === undefined) continue;
        for (const endpoint of slice.endpoints ?? []) {
          const serving = endpoint.conditions?.serving ?? endpoint.conditions?.ready ?? true;
          for (const ip of endpoint.addresses) {
            endpoints.push({
              ip,
              port: slicePort.port,
              nodeName: endpoint.nodeName ?? '',
              serving,
            });
          }
        }
      }
      result.push({
        name: `${namespace}/${name}`,
        vips,
        port: port.port,
        protocol,
        externalTrafficPolicy: service.spec.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster',
        endpoints,
      });
    }
  }
  return { services: result };
}
