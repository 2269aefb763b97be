import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * A fresh registry with the default process metrics (CPU, memory, event loop
 * lag, …). Each daemon makes one and passes it to the components it runs.
 */
export function createMetricsRegistry(prefix = 'ironlb_'): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix });
  return registry;
}
