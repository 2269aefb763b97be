import type { ConfigObjects } from './parse-config.ts';

/** The kinds parseConfig reads. */
export type ConfigKind = 'IPAddressPool' | 'BGPPeer' | 'BGPAdvertisement' | 'Community';

const listOf = {
  IPAddressPool: 'ipAddressPools',
  BGPPeer: 'bgpPeers',
  BGPAdvertisement: 'bgpAdvertisements',
  Community: 'communities',
} as const satisfies Record<ConfigKind, keyof ConfigObjects>;

function identityOf(object: unknown): { namespace: string; name: string } {
  const metadata =
    object !== null && typeof object === 'object' && Object.hasOwn(object, 'metadata')
      ? (object as { metadata: unknown }).metadata
      : undefined;
  const read = (key: string): string => {
    if (metadata === null || typeof metadata !== 'object' || !Object.hasOwn(metadata, key))
      return '';
    const value = (metadata as Record<string, unknown>)[key];
    return typeof value === 'string' ? value : '';
  };
  return { namespace: read('namespace'), name: read('name') };
}

function sameIdentity(object: unknown, namespace: string, name: string): boolean {
  const identity = identityOf(object);
  return identity.namespace === namespace && identity.name === name;
}

/**
 * The configuration as it would be with `object` created or updated (it
 * replaces the object of the same kind, namespace and name): what a
 * validating webhook parses before admitting the change.
 */
export function withObject(
  objects: ConfigObjects,
  kind: ConfigKind,
  object: unknown,
): ConfigObjects {
  const { namespace, name } = identityOf(object);
  const key = listOf[kind];
  const others = (objects[key] ?? []).filter(
    (existing) => !sameIdentity(existing, namespace, name),
  );
  return { ...objects, [key]: [...others, object] };
}

/** The configuration as it would be with an object deleted (for webhooks that check deletions). */
export function withoutObject(
  objects: ConfigObjects,
  kind: ConfigKind,
  namespace: string,
  name: string,
): ConfigObjects {
  const key = listOf[kind];
  return {
    ...objects,
    [key]: (objects[key] ?? []).filter((existing) => !sameIdentity(existing, namespace, name)),
  };
}
