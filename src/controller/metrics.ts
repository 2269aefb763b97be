import { Counter, Gauge, type Registry } from 'prom-client';
import type { PoolStatus } from '../ipam/allocator.ts';
import { K8sClientMetrics } from '../k8s/client-metrics.ts';

/**
 * The controller's metrics, MetalLB's names with the ironlb_ prefix (see
 * docs/metrics.md), registered on the registry passed in.
 */
export class ControllerMetrics {
  readonly addressesTotal: Gauge<'pool' | 'family'>;
  readonly addressesInUse: Gauge<'pool' | 'family'>;
  readonly allocationFailures: Counter<'reason'>;
  readonly configLoaded: Gauge;
  readonly configStale: Gauge;
  readonly updates: Counter;
  readonly apiErrors: Counter<'resource'>;
  readonly leader: Gauge;
  /** The shared Kubernetes-client metrics (the four fields above come from it). */
  readonly client: K8sClientMetrics;
  #pools = new Set<string>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.addressesTotal = new Gauge({
      name: 'ironlb_allocator_addresses_total',
      help: 'Usable addresses per pool and family (exported by the leader).',
      labelNames: ['pool', 'family'],
      registers,
    });
    this.addressesInUse = new Gauge({
      name: 'ironlb_allocator_addresses_in_use_total',
      help: 'Addresses assigned to Services per pool and family (exported by the leader).',
      labelNames: ['pool', 'family'],
      registers,
    });
    this.allocationFailures = new Counter({
      name: 'ironlb_allocator_allocation_failures_total',
      help: 'Services that could not get addresses, by reason (poolExhausted, ...).',
      labelNames: ['reason'],
      registers,
    });
    const client = new K8sClientMetrics(registry);
    this.client = client;
    this.configLoaded = client.configLoaded;
    this.configStale = client.configStale;
    this.updates = client.updates;
    this.apiErrors = client.apiErrors;
    this.leader = new Gauge({
      name: 'ironlb_controller_leader_bool',
      help: '1 while this replica holds the leader lease.',
      registers,
    });
    this.leader.set(0);
  }

  /** Sets the pool gauges; pools that are gone lose their series. */
  setPools(statuses: readonly PoolStatus[]): void {
    const now = new Set<string>();
    for (const status of statuses) {
      now.add(status.pool);
      for (const [family, counts] of [
        ['ipv4', status.ipv4],
        ['ipv6', status.ipv6],
      ] as const) {
        const labels = { pool: status.pool, family };
        this.addressesTotal.set(labels, Number(counts.total));
        this.addressesInUse.set(labels, Number(counts.assigned));
      }
    }
    for (const pool of this.#pools) {
      if (!now.has(pool)) this.#removePool(pool);
    }
    this.#pools = now;
  }

  /** A replica that stops leading stops exporting pool numbers (only the leader knows them). */
  clearPools(): void {
    for (const pool of this.#pools) this.#removePool(pool);
    this.#pools = new Set();
  }

  #removePool(pool: string): void {
    for (const family of ['ipv4', 'ipv6']) {
      this.addressesTotal.remove({ pool, family });
      this.addressesInUse.remove({ pool, family });
    }
  }
}
