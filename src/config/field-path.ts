/**
 * Field paths in errors use the form kubectl prints: `spec.addresses[1]`,
 * `spec.nodeSelectors[0].matchLabels["kubernetes.io/hostname"]`.
 */

/** `.name` for identifier-like keys, `["odd/key"]` otherwise. */
export function propertyPath(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** Joins path segments: strings are property names, numbers are array indexes. */
export function fieldPath(segments: readonly (string | number)[]): string {
  let path = '';
  for (const segment of segments) {
    path += typeof segment === 'number' ? `[${segment}]` : propertyPath(segment);
  }
  return path.startsWith('.') ? path.slice(1) : path;
}

/**
 * Turns a JSON pointer ("/spec/addresses/1") into path segments, using the
 * value it points into to tell array indexes from property names.
 */
export function pointerSegments(pointer: string, root: unknown): (string | number)[] {
  if (pointer === '') return [];
  const segments: (string | number)[] = [];
  let current: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current) && /^(0|[1-9][0-9]*)$/.test(token)) {
      segments.push(Number(token));
      current = current[Number(token)] as unknown;
    } else {
      segments.push(token);
      current =
        current !== null && typeof current === 'object' && Object.hasOwn(current, token)
          ? (current as Record<string, unknown>)[token]
          : undefined;
    }
  }
  return segments;
}

/** Code-unit order, independent of locale, so sorting is deterministic everywhere. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
