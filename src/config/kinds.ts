import type { TSchema } from 'typebox';
import { BGPAdvertisementSchema } from './schema/bgp-advertisement.ts';
import { BGPPeerSchema } from './schema/bgp-peer.ts';
import { CommunitySchema } from './schema/community.ts';
import { IPAddressPoolSchema } from './schema/ip-address-pool.ts';
import { ConfigurationStateSchema, ServiceBGPStatusSchema } from './schema/status-kinds.ts';

export interface PrinterColumn {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  readonly jsonPath: string;
  readonly description?: string;
  /** 0: shown by `kubectl get`; 1: only with `-o wide`. */
  readonly priority?: number;
}

/** One custom resource kind: its schema and what its CRD needs besides. */
export interface KindDefinition {
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly listKind: string;
  readonly shortNames: readonly string[];
  readonly scope: 'Namespaced';
  /** The whole object (apiVersion, kind, metadata, spec, status) as one TypeBox schema. */
  readonly schema: TSchema;
  /** Enables the status subresource. */
  readonly hasStatus: boolean;
  readonly printerColumns: readonly PrinterColumn[];
}

const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

function kind(
  definition: Omit<KindDefinition, 'singular' | 'listKind' | 'scope' | 'shortNames'> & {
    shortNames?: readonly string[];
  },
): KindDefinition {
  return {
    singular: definition.kind.toLowerCase(),
    listKind: `${definition.kind}List`,
    scope: 'Namespaced',
    shortNames: [],
    ...definition,
  };
}

export const IPAddressPoolKind = kind({
  kind: 'IPAddressPool',
  plural: 'ipaddresspools',
  schema: IPAddressPoolSchema,
  hasStatus: true,
  printerColumns: [
    { name: 'Auto Assign', type: 'boolean', jsonPath: '.spec.autoAssign' },
    { name: 'Avoid Buggy IPs', type: 'boolean', jsonPath: '.spec.avoidBuggyIPs' },
    { name: 'Addresses', type: 'string', jsonPath: '.spec.addresses' },
    { name: 'Available IPv4', type: 'string', jsonPath: '.status.availableIPv4', priority: 1 },
    { name: 'Available IPv6', type: 'string', jsonPath: '.status.availableIPv6', priority: 1 },
    age,
  ],
});

export const BGPPeerKind = kind({
  kind: 'BGPPeer',
  plural: 'bgppeers',
  schema: BGPPeerSchema,
  hasStatus: true,
  printerColumns: [
    { name: 'Address', type: 'string', jsonPath: '.spec.peerAddress' },
    { name: 'ASN', type: 'integer', jsonPath: '.spec.myASN' },
    { name: 'Peer ASN', type: 'integer', jsonPath: '.spec.peerASN' },
    { name: 'Port', type: 'integer', jsonPath: '.spec.peerPort', priority: 1 },
    { name: 'Multi Hop', type: 'boolean', jsonPath: '.spec.ebgpMultiHop', priority: 1 },
    { name: 'Hold Time', type: 'string', jsonPath: '.spec.holdTime', priority: 1 },
    age,
  ],
});

export const BGPAdvertisementKind = kind({
  kind: 'BGPAdvertisement',
  plural: 'bgpadvertisements',
  schema: BGPAdvertisementSchema,
  hasStatus: false,
  printerColumns: [
    { name: 'IPAddressPools', type: 'string', jsonPath: '.spec.ipAddressPools' },
    { name: 'IPAddressPool Selectors', type: 'string', jsonPath: '.spec.ipAddressPoolSelectors' },
    { name: 'Peers', type: 'string', jsonPath: '.spec.peers' },
    { name: 'Node Selectors', type: 'string', jsonPath: '.spec.nodeSelectors', priority: 1 },
    age,
  ],
});

export const CommunityKind = kind({
  kind: 'Community',
  plural: 'communities',
  schema: CommunitySchema,
  hasStatus: false,
  printerColumns: [],
});

export const ConfigurationStateKind = kind({
  kind: 'ConfigurationState',
  plural: 'configurationstates',
  schema: ConfigurationStateSchema,
  hasStatus: true,
  printerColumns: [
    { name: 'Result', type: 'string', jsonPath: '.status.result' },
    { name: 'Stale', type: 'boolean', jsonPath: '.status.stale' },
    { name: 'Errors', type: 'integer', jsonPath: '.status.errorCount' },
    { name: 'Summary', type: 'string', jsonPath: '.status.errorSummary', priority: 1 },
    age,
  ],
});

export const ServiceBGPStatusKind = kind({
  kind: 'ServiceBGPStatus',
  plural: 'servicebgpstatuses',
  schema: ServiceBGPStatusSchema,
  hasStatus: true,
  printerColumns: [
    { name: 'Node', type: 'string', jsonPath: '.status.node' },
    { name: 'Service Name', type: 'string', jsonPath: '.status.serviceName' },
    { name: 'Service Namespace', type: 'string', jsonPath: '.status.serviceNamespace' },
    age,
  ],
});

/** Every kind ironlb defines, in documentation order. */
export const allKinds: readonly KindDefinition[] = [
  IPAddressPoolKind,
  BGPPeerKind,
  BGPAdvertisementKind,
  CommunityKind,
  ConfigurationStateKind,
  ServiceBGPStatusKind,
];
