import type { KubernetesObject } from '@kubernetes/client-node';

/**
 * Trims for ResourceWatch's `keep`: what a cache needs of an object when the
 * watcher has already derived everything else from it in onChange. At 10k
 * Services a speaker otherwise caches every Service and EndpointSlice whole.
 */

/** apiVersion, kind and the identity of an object: enough for an event's involvedObject. */
export function identityOnly<T extends KubernetesObject>(object: T): T {
  const metadata = object.metadata;
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata: {
      name: metadata?.name,
      namespace: metadata?.namespace,
      uid: metadata?.uid,
      resourceVersion: metadata?.resourceVersion,
    },
  } as T;
}

/** A Node without status.images (tens of KiB per node on a real cluster; nothing here reads it). */
export function withoutImages<T extends KubernetesObject>(object: T): T {
  const status = (object as { status?: { images?: unknown } }).status;
  if (status?.images === undefined) return object;
  const { images: _images, ...rest } = status;
  return { ...object, status: rest };
}
