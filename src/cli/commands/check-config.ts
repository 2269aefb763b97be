import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import { formatConfigError, parseConfig, type ConfigObjects } from '../../config/index.ts';
import type { CliIo } from '../program.ts';

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
function readObjects(files: readonly string[], namespace: string | undefined): ConfigObjects {
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

/** `ironlb check-config`: runs the one configuration parse over manifest files, offline. */
export function registerCheckConfig(program: Command, io: CliIo): void {
  program
    .command('check-config')
    .description(
      'Check IPAddressPool, BGPPeer, BGPAdvertisement and Community manifests (and the Secrets they name) with the same parse the daemons use.',
    )
    .argument('<files...>', 'YAML files, several documents each allowed')
    .option('-n, --namespace <namespace>', 'namespace for objects that have none')
    .showHelpAfterError(false) // an invalid configuration is not a usage error
    .action(function (this: Command, files: string[], options: { namespace?: string }) {
      let objects: ConfigObjects;
      try {
        objects = readObjects(files, options.namespace);
      } catch (err) {
        this.error(err instanceof Error ? err.message : String(err), { exitCode: 2 });
      }
      const result = parseConfig(objects);
      if (result.ok) {
        const { pools, peers, advertisements } = result.config;
        io.stdout(
          `configuration is valid: ${pools.length} IPAddressPools, ${peers.length} BGPPeers, ${advertisements.length} BGPAdvertisements\n`,
        );
        return;
      }
      this.error(
        `configuration is invalid (${result.errors.length} error${result.errors.length === 1 ? '' : 's'}):\n` +
          result.errors.map((error) => `  ${error.code}  ${formatConfigError(error)}`).join('\n'),
        { exitCode: 1, code: 'ironlb.config.invalid' },
      );
    });
}
