import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * The Kubernetes-client metrics both daemons export, MetalLB's names with the
 * ironlb_ prefix (docs/metrics.md): configuration loaded/stale, object
 * changes processed, failed API requests.
 */
export class K8sClientMetrics {
  readonly configLoaded: Gauge;
  readonly configStale: Gauge;
  readonly updates: Counter;
  readonly apiErrors: Counter<'resource'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.configLoaded = new Gauge({
      name: 'ironlb_k8s_client_config_loaded_bool',
      help: '1 when a valid configuration has been loaded.',
      registers,
    });
    this.configStale = new Gauge({
      name: 'ironlb_k8s_client_config_stale_bool',
      help: '1 when the newest configuration is invalid and the last valid one is in force.',
      registers,
    });
    this.updates = new Counter({
      name: 'ironlb_k8s_client_updates_total',
      help: 'Kubernetes object changes processed (watch events and relist differences).',
      registers,
    });
    this.apiErrors = new Counter({
      name: 'ironlb_k8s_api_errors_total',
      help: 'Failed Kubernetes API requests, by resource.',
      labelNames: ['resource'],
      registers,
    });
    this.configLoaded.set(0);
    this.configStale.set(0);
  }
}
