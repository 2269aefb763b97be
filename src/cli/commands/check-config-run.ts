import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { formatConfigError, parseConfig, type ConfigObjects } from '../../config/index.ts';

export { formatConfigError, parseConfig };

const listFor: Readonly<Record<string, keyof Omit<ConfigObjects, 'lookupSecret'>>> = {
  IPAddressPool: 'ipAddressPools',
  BGPPeer: 'bgpPeers',
  BGPAdvertisement: 'bgpAdvertisements',
  Community: 'communities',
};

type Manifest = Record<string, unknown> & { metadata?: Record<string, unknown> };

function isManifest(value: unknown): value is Manifest {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Reads every YAML document of the files and sorts ironlb objects (and the
 * Secrets peers may refer to) into the lists parseConfig takes.
 */
export function readObjects(
  files: readonly string[],
  namespace: string | undefined,
): ConfigObjects {
  const lists: Record<string, unknown[]> = {};
  const secrets = new Map<string, unknown>();
  for (const file of files) {
    for (const document of parseAllDocuments(readFileSync(file, 'utf8'))) {
      if (document.errors.length > 0) {
        throw new Error(`${file}: ${document.errors.map((e) => e.message).join('; ')}`);
      }
      const object: unknown = document.toJS();
      if (!isManifest(object)) continue;
      const metadata = isManifest(object.metadata) ? object.metadata : undefined;
      const withNamespace =
        namespace !== undefined && metadata !== undefined && metadata['namespace'] === undefined
          ? { ...object, metadata: { ...metadata, namespace } }
          : object;
      const kind = typeof object['kind'] === 'string' ? object['kind'] : '';
      if (kind === 'Secret' && metadata !== undefined) {
        const ns = withNamespace.metadata?.['namespace'];
        secrets.set(
          `${typeof ns === 'string' ? ns : ''}/${String(metadata['name'])}`,
          withNamespace,
        );
      }
      const list = listFor[kind];
      if (list !== undefined) (lists[list] ??= []).push(withNamespace);
    }
  }
  return { ...lists, lookupSecret: (ns, name) => secrets.get(`${ns}/${name}`) };
}
