/** Kubernetes objects for the speaker tests. */
import { NAMESPACE } from './harness.ts';

export function nodeManifest(
  name: string,
  options: {
    internalIP?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ready?: 'True' | 'False' | 'Unknown';
  } = {},
): object {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { 'kubernetes.io/hostname': name, ...options.labels },
      ...(options.annotations === undefined ? {} : { annotations: options.annotations }),
    },
    status: {
      addresses:
        options.internalIP === undefined
          ? []
          : [{ type: 'InternalIP', address: options.internalIP }],
      conditions: [{ type: 'Ready', status: options.ready ?? 'True', reason: 'KubeletReady' }],
    },
  };
}

export function peerManifest(name: string, spec: Record<string, unknown>): object {
  return {
    apiVersion: 'ironlb.dev/v1beta1',
    kind: 'BGPPeer',
    metadata: { name, namespace: NAMESPACE },
    spec,
  };
}

export function advertisementManifest(name: string, spec: Record<string, unknown>): object {
  return {
    apiVersion: 'ironlb.dev/v1beta1',
    kind: 'BGPAdvertisement',
    metadata: { name, namespace: NAMESPACE },
    spec,
  };
}

export function loadBalancer(
  name: string,
  ip: string,
  options: { policy?: 'Local' | 'Cluster'; namespace?: string } = {},
): object {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: options.namespace ?? 'default' },
    spec: {
      type: 'LoadBalancer',
      selector: { app: name },
      ports: [{ protocol: 'TCP', port: 80 }],
      externalTrafficPolicy: options.policy ?? 'Cluster',
    },
    status: { loadBalancer: { ingress: [{ ip }] } },
  };
}

/** An EndpointSlice of `service` with one serving endpoint per node name given. */
export function sliceManifest(
  service: string,
  nodes: ReadonlyArray<string | undefined>,
  options: { name?: string; namespace?: string } = {},
): object {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: options.name ?? `${service}-slice`,
      namespace: options.namespace ?? 'default',
      labels: { 'kubernetes.io/service-name': service },
    },
    addressType: 'IPv4',
    endpoints: nodes.map((nodeName, i) => ({
      addresses: [`10.244.0.${i + 10}`],
      conditions: { ready: true, serving: true, terminating: false },
      ...(nodeName === undefined ? {} : { nodeName }),
    })),
    ports: [{ port: 8080, protocol: 'TCP' }],
  };
}
