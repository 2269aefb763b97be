/** Parsing `ip -j route show PREFIX` into the route's next hops. */

export interface KernelNextHop {
  readonly gateway: string;
  readonly dev: string;
}

interface IpRouteJson {
  dst?: string;
  gateway?: string;
  dev?: string;
  type?: string;
  nexthops?: Array<{ gateway?: string; dev?: string }>;
}

/**
 * The next hops of the routes in `ip -j route show` output: a multipath route
 * lists them under `nexthops`, a single-path route has `gateway`/`dev` itself.
 * Routes without a gateway (unreachable, blackhole, connected) contribute none.
 */
export function parseRouteNextHops(json: string): KernelNextHop[] {
  const trimmed = json.trim();
  if (trimmed === '') return [];
  const routes = JSON.parse(trimmed) as IpRouteJson[];
  const hops: KernelNextHop[] = [];
  for (const route of routes) {
    const candidates = route.nexthops ?? [{ gateway: route.gateway, dev: route.dev }];
    for (const hop of candidates) {
      if (hop.gateway !== undefined) hops.push({ gateway: hop.gateway, dev: hop.dev ?? '' });
    }
  }
  return hops.sort((a, b) => a.gateway.localeCompare(b.gateway));
}

/** Whether `ip -j route show` output lists any route at all (of any type). */
export function hasAnyRoute(json: string): boolean {
  const trimmed = json.trim();
  return trimmed !== '' && (JSON.parse(trimmed) as unknown[]).length > 0;
}
