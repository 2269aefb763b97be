/**
 * Request paths → what they address. The REST layout is the real one:
 * `/api/v1/...` for the core group, `/apis/<group>/<version>/...` for the
 * rest, `namespaces/<ns>/` before namespaced resources, an optional legacy
 * `watch/` segment, and `<name>/<subresource>` after a resource.
 */

export interface ResourcePath {
  readonly type: 'resource';
  readonly group: string;
  readonly version: string;
  /** Set for `namespaces/<ns>/<resource>` paths; undefined for cluster-wide ones. */
  readonly namespace: string | undefined;
  readonly plural: string;
  readonly name: string | undefined;
  readonly subresource: string | undefined;
  /** `/api/v1/watch/...` form. */
  readonly legacyWatch: boolean;
}

export type Route =
  | { readonly type: 'root' }
  | { readonly type: 'version' }
  | { readonly type: 'health'; readonly check: string }
  | { readonly type: 'core-versions' }
  | { readonly type: 'group-list' }
  | { readonly type: 'group'; readonly group: string }
  | { readonly type: 'resource-list'; readonly group: string; readonly version: string }
  | { readonly type: 'openapi'; readonly path: readonly string[] }
  | ResourcePath
  | { readonly type: 'unknown' };

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function route(pathname: string): Route {
  const segments = pathname
    .split('/')
    .filter((s) => s !== '')
    .map((s) => decodeURIComponent(s));
  const [first, second, third] = segments;
  if (first === undefined) return { type: 'root' };
  if (first === 'version' && segments.length === 1) return { type: 'version' };
  if ((first === 'healthz' || first === 'readyz' || first === 'livez') && segments.length <= 2) {
    return { type: 'health', check: first };
  }
  if (first === 'openapi') return { type: 'openapi', path: segments.slice(1) };
  if (first === 'api') {
    if (second === undefined) return { type: 'core-versions' };
    if (segments.length === 2) return { type: 'resource-list', group: '', version: second };
    return resourcePath('', second, segments.slice(2));
  }
  if (first === 'apis') {
    if (second === undefined) return { type: 'group-list' };
    if (third === undefined) return { type: 'group', group: second };
    if (segments.length === 3) return { type: 'resource-list', group: second, version: third };
    return resourcePath(second, third, segments.slice(3));
  }
  return { type: 'unknown' };
}

function resourcePath(group: string, version: string, rest: readonly string[]): Route {
  let parts = rest;
  const legacyWatch = parts[0] === 'watch';
  if (legacyWatch) parts = parts.slice(1);
  let namespace: string | undefined;
  const namespaceSubresource =
    group === '' && parts.length === 3 && NAMESPACE_SUBRESOURCES.has(parts[2] ?? '');
  if (parts[0] === 'namespaces' && parts.length >= 3 && !namespaceSubresource) {
    namespace = parts[1];
    parts = parts.slice(2);
  }
  const [plural, name, subresource, ...extra] = parts;
  if (plural === undefined || extra.length > 0) return { type: 'unknown' };
  return { type: 'resource', group, version, namespace, plural, name, subresource, legacyWatch };
}
