import type { IronlbConfig } from '../config/index.ts';
import { servesClass } from '../ipam/service-request.ts';
import {
  decideService,
  nodeAnnouncements,
  nodeContext,
  type NodeAnnouncements,
  type NodeContext,
  type ServiceDecision,
} from './announce-decision.ts';
import {
  serviceKey,
  type EndpointInfo,
  type EndpointSliceInfo,
  type NodeInfo,
  type ServiceInfo,
} from './cluster-objects.ts';
import { endpointNodeMismatches, type EndpointNodeMismatch } from './node-identity.ts';
import { compareText } from './route-merge.ts';

/** What one decision round produced. */
export interface AnnouncementRound {
  readonly announcements: NodeAnnouncements;
  /** The decisions of the Services decided again this round, before (absent: new)… */
  readonly previous: readonly ServiceDecision[];
  /** …and after (a deleted Service has none). Input of announcementEvents. */
  readonly next: readonly ServiceDecision[];
  /** Whether every Service was decided again (node or configuration changed, or first round). */
  readonly full: boolean;
}

/**
 * The speaker's incremental view of the cluster for the announcement
 * decision: Services, EndpointSlices (indexed by Service), this node and the
 * configuration. Changes mark Services dirty; `round()` decides only those
 * again, or every Service when the node or the configuration changed, and
 * merges all cached decisions into the routes per session. Pure (no I/O, no
 * time): the daemon feeds it from watches and debounces the rounds.
 */
export class AnnouncementState {
  readonly nodeName: string;
  readonly loadBalancerClass: string | undefined;
  readonly #services = new Map<string, ServiceInfo>();
  readonly #slices = new Map<string, EndpointSliceInfo>();
  /** serviceKey → sliceKey → that slice's endpoints. */
  readonly #endpoints = new Map<string, Map<string, readonly EndpointInfo[]>>();
  readonly #nodes = new Map<string, NodeInfo>();
  #config: IronlbConfig | undefined;
  #ctx: NodeContext | undefined;
  readonly #decisions = new Map<string, ServiceDecision>();
  readonly #dirty = new Set<string>();
  #full = true;
  /** serviceKey → its endpoint/node mismatches, for Services that matter. */
  readonly #mismatches = new Map<string, readonly EndpointNodeMismatch[]>();
  readonly #mismatchDirty = new Set<string>();
  #mismatchFull = true;

  constructor(nodeName: string, loadBalancerClass?: string) {
    this.nodeName = nodeName;
    this.loadBalancerClass = loadBalancerClass;
  }

  /** True when a round would decide something. */
  get changed(): boolean {
    return this.#full || this.#dirty.size > 0;
  }

  get node(): NodeInfo | undefined {
    return this.#nodes.get(this.nodeName);
  }

  get nodes(): readonly NodeInfo[] {
    return [...this.#nodes.values()];
  }

  get config(): IronlbConfig | undefined {
    return this.#config;
  }

  service(key: string): ServiceInfo | undefined {
    return this.#services.get(key);
  }

  /** The cached decision of a Service (after the last round). */
  decision(key: string): ServiceDecision | undefined {
    return this.#decisions.get(key);
  }

  setConfig(config: IronlbConfig | undefined): void {
    if (config === this.#config) return;
    this.#config = config;
    this.#full = true;
  }

  /** Returns whether anything the decision reads changed. */
  setService(info: ServiceInfo): boolean {
    const key = serviceKey(info);
    const before = this.#services.get(key);
    if (before !== undefined && JSON.stringify(before) === JSON.stringify(info)) return false;
    this.#services.set(key, info);
    this.#dirty.add(key);
    this.#mismatchDirty.add(key);
    return true;
  }

  deleteService(namespace: string, name: string): boolean {
    const key = serviceKey({ namespace, name });
    if (!this.#services.delete(key)) return false;
    this.#dirty.add(key);
    this.#mismatchDirty.add(key);
    return true;
  }

  setEndpointSlice(info: EndpointSliceInfo): boolean {
    const key = serviceKey(info);
    const before = this.#slices.get(key);
    if (before !== undefined && JSON.stringify(before) === JSON.stringify(info)) return false;
    if (before !== undefined) this.#unindex(key, before);
    this.#slices.set(key, info);
    if (info.serviceName !== undefined) {
      const owner = serviceKey({ namespace: info.namespace, name: info.serviceName });
      let bySlice = this.#endpoints.get(owner);
      if (bySlice === undefined) {
        bySlice = new Map();
        this.#endpoints.set(owner, bySlice);
      }
      bySlice.set(key, info.endpoints);
      this.#dirty.add(owner);
      this.#mismatchDirty.add(owner);
    }
    return true;
  }

  deleteEndpointSlice(namespace: string, name: string): boolean {
    const key = serviceKey({ namespace, name });
    const before = this.#slices.get(key);
    if (before === undefined) return false;
    this.#slices.delete(key);
    this.#unindex(key, before);
    return true;
  }

  #unindex(sliceKey: string, slice: EndpointSliceInfo): void {
    if (slice.serviceName === undefined) return;
    const owner = serviceKey({ namespace: slice.namespace, name: slice.serviceName });
    const bySlice = this.#endpoints.get(owner);
    bySlice?.delete(sliceKey);
    if (bySlice?.size === 0) this.#endpoints.delete(owner);
    this.#dirty.add(owner);
    this.#mismatchDirty.add(owner);
  }

  /**
   * A Node was added or changed. This node's labels and conditions decide
   * everything (full round); any Node's appearance changes which endpoints
   * name unknown nodes.
   */
  setNode(info: NodeInfo): boolean {
    const before = this.#nodes.get(info.name);
    if (before !== undefined && JSON.stringify(before) === JSON.stringify(info)) return false;
    this.#nodes.set(info.name, info);
    if (info.name === this.nodeName) this.#full = true;
    if (before === undefined) this.#mismatchFull = true;
    return true;
  }

  deleteNode(name: string): boolean {
    if (!this.#nodes.delete(name)) return false;
    if (name === this.nodeName) this.#full = true;
    this.#mismatchFull = true;
    return true;
  }

  /** The endpoints of a Service, from all its slices. */
  endpointsOf(key: string): EndpointInfo[] {
    return [...(this.#endpoints.get(key)?.values() ?? [])].flat();
  }

  /** Decides the dirty Services (or all), and merges every decision into routes. */
  round(): AnnouncementRound {
    const full = this.#full;
    if (full || this.#ctx === undefined) {
      this.#ctx = nodeContext({
        nodeName: this.nodeName,
        node: this.node,
        config: this.#config,
        loadBalancerClass: this.loadBalancerClass,
      });
    }
    const ctx = this.#ctx;
    const keys = full
      ? new Set([...this.#services.keys(), ...this.#decisions.keys()])
      : new Set(this.#dirty);
    this.#full = false;
    this.#dirty.clear();
    const previous: ServiceDecision[] = [];
    const next: ServiceDecision[] = [];
    for (const key of [...keys].sort(compareText)) {
      const before = this.#decisions.get(key);
      if (before !== undefined) previous.push(before);
      const info = this.#services.get(key);
      if (info === undefined) {
        this.#decisions.delete(key);
        continue;
      }
      const decision = decideService(ctx, info, this.endpointsOf(key));
      this.#decisions.set(key, decision);
      next.push(decision);
    }
    return {
      announcements: nodeAnnouncements(ctx, [...this.#decisions.values()]),
      previous,
      next,
      full,
    };
  }

  /**
   * Endpoints naming no Node (or none), per Service, for the Services that
   * matter to load balancing here: type LoadBalancer, of our class, with an
   * address in status. With externalTrafficPolicy Local no node counts them.
   * Incremental like the decisions; sorted by Service.
   */
  mismatches(): EndpointNodeMismatch[] {
    const keys = this.#mismatchFull
      ? new Set([...this.#services.keys(), ...this.#mismatches.keys()])
      : new Set(this.#mismatchDirty);
    this.#mismatchFull = false;
    this.#mismatchDirty.clear();
    const nodes = this.nodes;
    for (const key of keys) {
      const info = this.#services.get(key);
      if (info === undefined || !this.#matters(info)) {
        this.#mismatches.delete(key);
        continue;
      }
      const slices = [...(this.#endpoints.get(key)?.keys() ?? [])].flatMap((sliceKey) => {
        const slice = this.#slices.get(sliceKey);
        return slice === undefined ? [] : [slice];
      });
      const found = endpointNodeMismatches(nodes, slices);
      if (found.length === 0) this.#mismatches.delete(key);
      else this.#mismatches.set(key, found);
    }
    return [...this.#mismatches.keys()]
      .sort(compareText)
      .flatMap((key) => this.#mismatches.get(key) ?? []);
  }

  #matters(info: ServiceInfo): boolean {
    return (
      info.type === 'LoadBalancer' &&
      info.ingressIPs.length > 0 &&
      servesClass(info, this.loadBalancerClass).served
    );
  }
}
