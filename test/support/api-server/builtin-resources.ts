import { establishCrd, validateCrd } from './crd.ts';
import {
  isJsonObject,
  metadataOf,
  nameOf,
  objectAt,
  optionalArray,
  optionalObject,
  optionalString,
  scalarText,
  stringMapOf,
  valueAtPath,
  type JsonObject,
  type JsonValue,
  type KubeObject,
} from './json.ts';
import { MERGE_PRIMITIVES, type ListStrategies } from './patch.ts';
import type {
  ResourceDefinition,
  TableColumn,
  VersionView,
  WriteContext,
} from './resource-definition.ts';
import type { FieldError } from './status.ts';
import { AGE_COLUMN, NAME_COLUMN, timestampAge } from './tables.ts';

/**
 * The built-in kinds ironlb and kubectl touch, with the defaults and
 * validation of the real server that matter to them (Service cluster IPs and
 * node ports, Namespace phase, Secret stringData, ...). Created per server
 * because Service defaulting allocates addresses.
 */

const METADATA_LISTS: ListStrategies = {
  'metadata.ownerReferences': 'uid',
  'metadata.finalizers': MERGE_PRIMITIVES,
};

function column(
  name: string,
  cell: TableColumn['cell'],
  options: { type?: TableColumn['type']; priority?: number; description?: string } = {},
): TableColumn {
  return {
    name,
    type: options.type ?? 'string',
    description: options.description ?? name,
    priority: options.priority ?? 0,
    cell,
  };
}

function str(obj: KubeObject, path: string): string | undefined {
  const value = valueAtPath(obj, path.split('.'));
  return typeof value === 'string' ? value : undefined;
}

function field(obj: KubeObject, path: string): string {
  const value = valueAtPath(obj, path.split('.'));
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

interface BuiltinSpec {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  statusSubresource?: boolean;
  allowCreateOnUpdate?: boolean;
  resetStatusOnCreate?: boolean;
  tracksGeneration?: boolean;
  nameFormat?: ResourceDefinition['nameFormat'];
  lists?: ListStrategies;
  columns?: TableColumn[];
  fields?: readonly string[];
  prepare?: ResourceDefinition['prepare'];
}

function builtin(spec: BuiltinSpec): ResourceDefinition {
  const version: VersionView = {
    name: spec.version,
    statusSubresource: spec.statusSubresource ?? false,
    schema: undefined,
    columns: [
      NAME_COLUMN,
      ...(spec.columns ?? []),
      ...(spec.columns === undefined ? [AGE_COLUMN] : []),
    ],
  };
  const fields = spec.fields ?? [];
  return {
    group: spec.group,
    versions: [version],
    kind: spec.kind,
    listKind: `${spec.kind}List`,
    plural: spec.plural,
    singular: spec.kind.toLowerCase(),
    namespaced: spec.namespaced,
    shortNames: spec.shortNames ?? [],
    categories: spec.categories ?? [],
    custom: false,
    tracksGeneration: spec.tracksGeneration ?? false,
    allowCreateOnUpdate: spec.allowCreateOnUpdate ?? false,
    allowUnconditionalUpdate: true,
    resetStatusOnCreate: spec.resetStatusOnCreate ?? false,
    nameFormat: spec.nameFormat ?? 'dns-subdomain',
    listStrategies: { ...METADATA_LISTS, ...spec.lists },
    selectableFields: (obj) => Object.fromEntries(fields.map((f) => [f, field(obj, f)])),
    prepare: spec.prepare,
  };
}

/** Hands out Service cluster IPs (from 10.96.0.0/12) and node ports (30000-32767). */
export class ServiceAllocator {
  #nextIp = 10;
  #nextNodePort = 30000;
  readonly #usedNodePorts = new Set<number>();

  clusterIp(): string {
    const offset = this.#nextIp++;
    return `10.${96 + Math.floor(offset / 65536)}.${Math.floor(offset / 256) % 256}.${offset % 256}`;
  }

  nodePort(): number {
    for (let tries = 0; tries < 2768; tries++) {
      const port = this.#nextNodePort;
      this.#nextNodePort = port >= 32767 ? 30000 : port + 1;
      if (!this.#usedNodePorts.has(port)) {
        this.#usedNodePorts.add(port);
        return port;
      }
    }
    throw new Error('node port range exhausted');
  }

  claimNodePort(port: number): void {
    this.#usedNodePorts.add(port);
  }
}

const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

function prepareService(
  allocator: ServiceAllocator,
  obj: KubeObject,
  ctx: WriteContext,
): FieldError[] {
  if (ctx.subresource === 'status') return [];
  const errors: FieldError[] = [];
  const spec = objectAt(obj, 'spec');
  const oldSpec = ctx.old === undefined ? undefined : optionalObject(ctx.old, 'spec');
  const type = optionalString(spec, 'type') ?? 'ClusterIP';
  spec.type = type;
  if (!SERVICE_TYPES.includes(type)) {
    errors.push({
      type: 'FieldValueNotSupported',
      field: 'spec.type',
      detail: `Unsupported value: "${type}": supported values: "${SERVICE_TYPES.join('", "')}"`,
    });
    return errors;
  }
  if (type === 'ExternalName') {
    if (optionalString(spec, 'externalName') === undefined) {
      errors.push({
        type: 'FieldValueRequired',
        field: 'spec.externalName',
        detail: 'Required value',
      });
    }
    return errors;
  }
  spec.sessionAffinity ??= 'None';
  spec.internalTrafficPolicy ??= 'Cluster';

  // Cluster IP: allocated once, immutable afterwards.
  const oldIp = optionalString(oldSpec, 'clusterIP');
  let clusterIp = optionalString(spec, 'clusterIP') ?? '';
  if (clusterIp === '' && oldIp !== undefined) clusterIp = oldIp;
  if (oldIp !== undefined && clusterIp !== oldIp) {
    errors.push({
      type: 'FieldValueInvalid',
      field: 'spec.clusterIPs[0]',
      detail: `Invalid value: "${clusterIp}": may not change once set`,
    });
  }
  if (clusterIp === '') clusterIp = allocator.clusterIp();
  spec.clusterIP = clusterIp;
  spec.clusterIPs = [clusterIp];
  spec.ipFamilies ??= ['IPv4'];
  spec.ipFamilyPolicy ??= 'SingleStack';

  const ports = optionalArray(spec, 'ports') ?? [];
  if (ports.length === 0 && clusterIp !== 'None') {
    errors.push({ type: 'FieldValueRequired', field: 'spec.ports', detail: 'Required value' });
  }
  const wantsNodePorts =
    type === 'NodePort' ||
    (type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
  if (type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  if (type === 'NodePort' || type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
  const oldPorts = optionalArray(oldSpec, 'ports') ?? [];
  ports.forEach((port, i) => {
    if (!isJsonObject(port)) {
      errors.push({
        type: 'FieldValueTypeInvalid',
        field: `spec.ports[${i}]`,
        detail: 'Invalid value: must be an object',
      });
      return;
    }
    port.protocol ??= 'TCP';
    if (typeof port.protocol !== 'string' || !PROTOCOLS.includes(port.protocol)) {
      errors.push({
        type: 'FieldValueNotSupported',
        field: `spec.ports[${i}].protocol`,
        detail: `Unsupported value: ${JSON.stringify(port.protocol)}: supported values: "SCTP", "TCP", "UDP"`,
      });
    }
    if (
      typeof port.port !== 'number' ||
      !Number.isInteger(port.port) ||
      port.port < 1 ||
      port.port > 65535
    ) {
      errors.push({
        type: 'FieldValueInvalid',
        field: `spec.ports[${i}].port`,
        detail: `Invalid value: ${JSON.stringify(port.port ?? null)}: must be between 1 and 65535, inclusive`,
      });
    }
    port.targetPort ??= port.port ?? 0;
    if (wantsNodePorts && port.nodePort === undefined) {
      const previous = oldPorts.find(
        (p) => isJsonObject(p) && p.port === port.port && p.protocol === port.protocol,
      );
      const kept = isJsonObject(previous) ? previous.nodePort : undefined;
      port.nodePort = typeof kept === 'number' ? kept : allocator.nodePort();
    } else if (typeof port.nodePort === 'number') {
      allocator.claimNodePort(port.nodePort);
    }
  });
  if (ports.length > 1) {
    ports.forEach((port, i) => {
      if (isJsonObject(port) && typeof port.name !== 'string') {
        errors.push({
          type: 'FieldValueRequired',
          field: `spec.ports[${i}].name`,
          detail: 'Required value',
        });
      }
    });
  }

  const lbClass = optionalString(spec, 'loadBalancerClass');
  if (lbClass !== undefined && type !== 'LoadBalancer') {
    errors.push({
      type: 'FieldValueForbidden',
      field: 'spec.loadBalancerClass',
      detail: "Forbidden: may only be used when `type` is 'LoadBalancer'",
    });
  }
  const oldType = optionalString(oldSpec, 'type');
  if (
    oldType === 'LoadBalancer' &&
    type === 'LoadBalancer' &&
    optionalString(oldSpec, 'loadBalancerClass') !== lbClass
  ) {
    errors.push({
      type: 'FieldValueInvalid',
      field: 'spec.loadBalancerClass',
      detail: `Invalid value: ${JSON.stringify(lbClass ?? null)}: may not change once set`,
    });
  }
  if (ctx.old === undefined) obj.status ??= { loadBalancer: {} };
  return errors;
}

function servicePorts(obj: KubeObject): string {
  const ports = optionalArray(optionalObject(obj, 'spec'), 'ports') ?? [];
  if (ports.length === 0) return '<none>';
  return ports
    .filter(isJsonObject)
    .map(
      (p) =>
        `${scalarText(p.port)}${typeof p.nodePort === 'number' ? `:${p.nodePort}` : ''}/${scalarText(p.protocol ?? 'TCP')}`,
    )
    .join(',');
}

function serviceExternalIps(obj: KubeObject): string {
  const spec = optionalObject(obj, 'spec');
  const type = optionalString(spec, 'type');
  const external = (optionalArray(spec, 'externalIPs') ?? []).filter((v) => typeof v === 'string');
  if (type === 'ExternalName') return optionalString(spec, 'externalName') ?? '<none>';
  if (type === 'LoadBalancer') {
    const ingress =
      optionalArray(optionalObject(optionalObject(obj, 'status'), 'loadBalancer'), 'ingress') ?? [];
    const ips = ingress
      .filter(isJsonObject)
      .map((i) => optionalString(i, 'ip') ?? optionalString(i, 'hostname') ?? '');
    const all = [...ips, ...external].filter((v) => v !== '');
    return all.length === 0 ? '<pending>' : all.join(',');
  }
  return external.length === 0 ? '<none>' : external.join(',');
}

function selectorText(obj: KubeObject): string {
  const selector = optionalObject(optionalObject(obj, 'spec'), 'selector');
  if (selector === undefined || Object.keys(selector).length === 0) return '<none>';
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${scalarText(v)}`)
    .join(',');
}

/** MicroTime as the real server writes it: RFC 3339 with exactly six fractional digits. */
export function normalizeMicroTime(value: JsonValue | undefined): JsonValue | undefined {
  if (typeof value !== 'string') return value;
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(value);
  if (m === null) return value;
  const date = new Date(`${m[1] ?? ''}${m[3] ?? 'Z'}`);
  if (Number.isNaN(date.getTime())) return value;
  const whole = date.toISOString().slice(0, 19);
  return `${whole}.${(m[2] ?? '').padEnd(6, '0').slice(0, 6)}Z`;
}

function prepareLease(obj: KubeObject): FieldError[] {
  const spec = optionalObject(obj, 'spec');
  if (spec === undefined) return [];
  for (const field of ['acquireTime', 'renewTime']) {
    const normalized = normalizeMicroTime(spec[field]);
    if (normalized !== undefined) spec[field] = normalized;
  }
  const duration = spec.leaseDurationSeconds;
  if (duration !== undefined && (typeof duration !== 'number' || duration <= 0)) {
    return [
      {
        type: 'FieldValueInvalid',
        field: 'spec.leaseDurationSeconds',
        detail: `Invalid value: ${JSON.stringify(duration)}: must be greater than 0`,
      },
    ];
  }
  return [];
}

function prepareEvent(obj: KubeObject): FieldError[] {
  const eventTime = normalizeMicroTime(obj.eventTime);
  if (eventTime !== undefined) obj.eventTime = eventTime;
  const series = optionalObject(obj, 'series');
  const lastObserved = normalizeMicroTime(series?.lastObservedTime);
  if (series !== undefined && lastObserved !== undefined) series.lastObservedTime = lastObserved;
  return [];
}

function prepareNamespace(obj: KubeObject, ctx: WriteContext): FieldError[] {
  const meta = metadataOf(obj);
  const labels = objectAt(meta, 'labels');
  labels['kubernetes.io/metadata.name'] = nameOf(obj);
  if (ctx.old === undefined) {
    const spec = objectAt(obj, 'spec');
    spec.finalizers ??= ['kubernetes'];
    obj.status ??= { phase: 'Active' };
  }
  return [];
}

function prepareSecret(obj: KubeObject): FieldError[] {
  obj.type ??= 'Opaque';
  const stringData = optionalObject(obj, 'stringData');
  if (stringData !== undefined) {
    const data = objectAt(obj, 'data');
    for (const [k, v] of Object.entries(stringData)) {
      if (typeof v === 'string') data[k] = Buffer.from(v, 'utf8').toString('base64');
    }
    delete obj.stringData;
  }
  return [];
}

function preparePod(obj: KubeObject, ctx: WriteContext): FieldError[] {
  if (ctx.subresource === 'status') return [];
  if (ctx.old === undefined) obj.status ??= { phase: 'Pending', qosClass: 'BestEffort' };
  const containers = optionalArray(optionalObject(obj, 'spec'), 'containers') ?? [];
  if (containers.length === 0) {
    return [{ type: 'FieldValueRequired', field: 'spec.containers', detail: 'Required value' }];
  }
  return [];
}

function nodeStatus(obj: KubeObject): string {
  const conditions = optionalArray(optionalObject(obj, 'status'), 'conditions') ?? [];
  const ready = conditions.find((c) => isJsonObject(c) && c.type === 'Ready');
  const state = !isJsonObject(ready) ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady';
  return optionalObject(obj, 'spec')?.unschedulable === true
    ? `${state},SchedulingDisabled`
    : state;
}

function nodeRoles(obj: KubeObject): string {
  const roles = Object.keys(stringMapOf(obj, 'labels'))
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length));
  return roles.length === 0 ? '<none>' : roles.sort().join(',');
}

function nodeAddress(obj: KubeObject, type: string): string {
  const addresses = optionalArray(optionalObject(obj, 'status'), 'addresses') ?? [];
  const found = addresses.find((a) => isJsonObject(a) && a.type === type);
  return isJsonObject(found) ? (optionalString(found, 'address') ?? '<none>') : '<none>';
}

function count(value: JsonValue | undefined): number {
  return isJsonObject(value) ? Object.keys(value).length : 0;
}

function podReady(obj: KubeObject): string {
  const total = optionalArray(optionalObject(obj, 'spec'), 'containers')?.length ?? 0;
  const statuses = optionalArray(optionalObject(obj, 'status'), 'containerStatuses') ?? [];
  const ready = statuses.filter((s) => isJsonObject(s) && s.ready === true).length;
  return `${ready}/${total}`;
}

function podRestarts(obj: KubeObject): number {
  const statuses = optionalArray(optionalObject(obj, 'status'), 'containerStatuses') ?? [];
  return statuses.reduce<number>(
    (sum, s) => sum + (isJsonObject(s) && typeof s.restartCount === 'number' ? s.restartCount : 0),
    0,
  );
}

function endpointsText(obj: KubeObject): string {
  const parts: string[] = [];
  for (const subset of optionalArray(obj, 'subsets') ?? []) {
    if (!isJsonObject(subset)) continue;
    const ports = (optionalArray(subset, 'ports') ?? [])
      .filter(isJsonObject)
      .map((p) => scalarText(p.port));
    for (const address of (optionalArray(subset, 'addresses') ?? []).filter(isJsonObject)) {
      const ip = optionalString(address, 'ip') ?? '';
      if (ports.length === 0) parts.push(ip);
      for (const port of ports) parts.push(`${ip}:${port}`);
    }
  }
  return parts.length === 0 ? '<none>' : parts.join(',');
}

function sliceEndpoints(obj: KubeObject): string {
  const addresses = (optionalArray(obj, 'endpoints') ?? [])
    .filter(isJsonObject)
    .flatMap((e) => (optionalArray(e, 'addresses') ?? []).filter((a) => typeof a === 'string'));
  return addresses.length === 0 ? '<unset>' : addresses.join(',');
}

function slicePorts(obj: KubeObject): string {
  const ports = (optionalArray(obj, 'ports') ?? [])
    .filter(isJsonObject)
    .map((p) => scalarText(p.port));
  return ports.length === 0 ? '<unset>' : ports.join(',');
}

function involvedObject(obj: KubeObject, key: 'involvedObject' | 'regarding'): string {
  const ref = optionalObject(obj, key);
  const kind = optionalString(ref, 'kind')?.toLowerCase() ?? '';
  return `${kind}/${optionalString(ref, 'name') ?? ''}`;
}

const CORE_EVENT_FIELDS = [
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
];

export function builtinResources(allocator: ServiceAllocator): ResourceDefinition[] {
  return [
    builtin({
      group: '',
      version: 'v1',
      kind: 'Namespace',
      plural: 'namespaces',
      namespaced: false,
      shortNames: ['ns'],
      statusSubresource: true,
      nameFormat: 'dns-label',
      fields: ['status.phase'],
      columns: [column('Status', (o) => str(o, 'status.phase') ?? ''), AGE_COLUMN],
      prepare: prepareNamespace,
    }),
    builtin({
      group: '',
      version: 'v1',
      kind: 'Service',
      plural: 'services',
      namespaced: true,
      shortNames: ['svc'],
      categories: ['all'],
      statusSubresource: true,
      allowCreateOnUpdate: true,
      resetStatusOnCreate: true,
      nameFormat: 'dns-1035-label',
      lists: { 'spec.ports': 'port', 'status.conditions': 'type' },
      fields: ['spec.clusterIP', 'spec.type'],
      columns: [
        column('Type', (o) => str(o, 'spec.type') ?? ''),
        column('Cluster-IP', (o) => str(o, 'spec.clusterIP') ?? '<none>'),
        column('External-IP', serviceExternalIps),
        column('Port(s)', servicePorts),
        AGE_COLUMN,
        column('Selector', selectorText, { priority: 1 }),
      ],
      prepare: (obj, ctx) => prepareService(allocator, obj, ctx),
    }),
    builtin({
      group: '',
      version: 'v1',
      kind: 'Endpoints',
      plural: 'endpoints',
      namespaced: true,
      shortNames: ['ep'],
      allowCreateOnUpdate: true,
      columns: [column('Endpoints', endpointsText), AGE_COLUMN],
    }),
    builtin({
      group: '',
      version: 'v1',
      kind: 'Node',
      plural: 'nodes',
      namespaced: false,
      shortNames: ['no'],
      statusSubresource: true,
      allowCreateOnUpdate: true,
      lists: {
        'status.conditions': 'type',
        'status.addresses': 'type',
        'spec.taints': 'key',
        'status.images': 'names',
      },
      fields: ['spec.unschedulable'],
      columns: [
        column('Status', nodeStatus),
        column('Roles', nodeRoles),
        AGE_COLUMN,
        column('Version', (o) => str(o, 'status.nodeInfo.kubeletVersion') ?? ''),
        column('Internal-IP', (o) => nodeAddress(o, 'InternalIP'), { priority: 1 }),
        column('External-IP', (o) => nodeAddress(o, 'ExternalIP'), { priority: 1 }),
      ],
    }),
    builtin({
      group: '',
      version: 'v1',
      kind: 'Pod',
      plural: 'pods',
      namespaced: true,
      shortNames: ['po'],
      categories: ['all'],
      statusSubresource: true,
      resetStatusOnCreate: true,
      lists: {
        'spec.containers': 'name',
        'spec.initContainers': 'name',
        'spec.containers[].ports': 'containerPort',
        'spec.containers[].env': 'name',
        'spec.containers[].volumeMounts': 'mountPath',
        'spec.volumes': 'name',
        'status.conditions': 'type',
        'status.podIPs': 'ip',
      },
      fields: [
        'spec.nodeName',
        'spec.restartPolicy',
        'spec.schedulerName',
        'spec.serviceAccountName',
        'spec.hostNetwork',
        'status.phase',
        'status.podIP',
        'status.nominatedNodeName',
      ],
      columns: [
        column('Ready', podReady),
        column('Status', (o) => str(o, 'status.phase') ?? ''),
        column('Restarts', podRestarts, { type: 'integer' }),
        AGE_COLUMN,
        column('IP', (o) => str(o, 'status.podIP') ?? '<none>', { priority: 1 }),
        column('Node', (o) => str(o, 'spec.nodeName') ?? '<none>', { priority: 1 }),
      ],
      prepare: preparePod,
    }),
    builtin({
      group: '',
      version: 'v1',
      kind: 'Secret',
      plural: 'secrets',
      namespaced: true,
      fields: ['type'],
      columns: [
        column('Type', (o) => optionalString(o, 'type') ?? ''),
        column('Data', (o) => count(o.data), { type: 'integer' }),
        AGE_COLUMN,
      ],
      prepare: prepareSecret,
    }),
    builtin({
      group: '',
      version: 'v1',
      kind: 'ConfigMap',
      plural: 'configmaps',
      namespaced: true,
      shortNames: ['cm'],
      columns: [
        column('Data', (o) => count(o.data) + count(o.binaryData), { type: 'integer' }),
        AGE_COLUMN,
      ],
    }),
    builtin({
      group: '',
      version: 'v1',
      kind: 'Event',
      plural: 'events',
      namespaced: true,
      shortNames: ['ev'],
      allowCreateOnUpdate: true,
      fields: CORE_EVENT_FIELDS,
      prepare: prepareEvent,
      columns: [
        column('Last Seen', (o, now) =>
          timestampAge(
            o.lastTimestamp ?? o.eventTime ?? optionalObject(o, 'metadata')?.creationTimestamp,
            now,
          ),
        ),
        column('Type', (o) => optionalString(o, 'type') ?? ''),
        column('Reason', (o) => optionalString(o, 'reason') ?? ''),
        column('Object', (o) => involvedObject(o, 'involvedObject')),
        column('Message', (o) => optionalString(o, 'message') ?? ''),
      ],
    }),
    builtin({
      group: 'events.k8s.io',
      version: 'v1',
      kind: 'Event',
      plural: 'events',
      namespaced: true,
      shortNames: ['ev'],
      allowCreateOnUpdate: true,
      prepare: prepareEvent,
      fields: [
        'type',
        'reason',
        'regarding.kind',
        'regarding.name',
        'regarding.namespace',
        'regarding.uid',
        'reportingController',
      ],
      columns: [
        column('Last Seen', (o, now) =>
          timestampAge(o.eventTime ?? optionalObject(o, 'metadata')?.creationTimestamp, now),
        ),
        column('Type', (o) => optionalString(o, 'type') ?? ''),
        column('Reason', (o) => optionalString(o, 'reason') ?? ''),
        column('Object', (o) => involvedObject(o, 'regarding')),
        column('Message', (o) => optionalString(o, 'note') ?? ''),
      ],
    }),
    builtin({
      group: 'discovery.k8s.io',
      version: 'v1',
      kind: 'EndpointSlice',
      plural: 'endpointslices',
      namespaced: true,
      columns: [
        column('AddressType', (o) => optionalString(o, 'addressType') ?? ''),
        column('Ports', slicePorts),
        column('Endpoints', sliceEndpoints),
        AGE_COLUMN,
      ],
    }),
    builtin({
      group: 'coordination.k8s.io',
      version: 'v1',
      kind: 'Lease',
      plural: 'leases',
      namespaced: true,
      allowCreateOnUpdate: true,
      columns: [column('Holder', (o) => str(o, 'spec.holderIdentity') ?? ''), AGE_COLUMN],
      prepare: prepareLease,
    }),
    builtin({
      group: 'apiextensions.k8s.io',
      version: 'v1',
      kind: 'CustomResourceDefinition',
      plural: 'customresourcedefinitions',
      namespaced: false,
      shortNames: ['crd', 'crds'],
      categories: ['api-extensions'],
      statusSubresource: true,
      tracksGeneration: true,
      prepare: (obj, ctx) => {
        const errors = validateCrd(obj, ctx);
        if (errors.length === 0 && ctx.subresource === '') establishCrd(obj, ctx.now);
        return errors;
      },
      columns: [
        column(
          'Created At',
          (o) => optionalString(optionalObject(o, 'metadata'), 'creationTimestamp') ?? '',
          {
            type: 'date',
          },
        ),
      ],
    }),
  ];
}

/** Objects every cluster starts with. */
export function seedNamespaces(): JsonObject[] {
  return ['default', 'kube-system', 'kube-public', 'kube-node-lease'].map((name) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name },
  }));
}
