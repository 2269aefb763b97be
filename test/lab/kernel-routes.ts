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

const ROUTE_TYPES = new Set([
  'unicast',
  'local',
  'broadcast',
  'multicast',
  'throw',
  'unreachable',
  'prohibit',
  'blackhole',
  'nat',
  'anycast',
]);

/**
 * The destination of one line of `ip -o monitor route` (a host route without
 * its /32 or /128), or undefined for anything else: `Deleted ` and a route
 * type may precede it; multipath next hops follow on the same line.
 */
export function routeEventDestination(line: string): string | undefined {
  const words = line.trim().split(/\s+/);
  let i = 0;
  if (words[i] === 'Deleted') i++;
  if (ROUTE_TYPES.has(words[i] ?? '')) i++;
  const destination = words[i];
  if (destination === undefined || !/^[0-9a-f.:]+(\/\d+)?$/i.test(destination)) return undefined;
  return destination.replace(/\/(32|128)$/, '');
}
