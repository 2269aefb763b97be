import type { Command } from 'commander';
import type { ConfigObjects } from '../../config/index.ts';
import { loadCommand } from '../load-command.ts';
import type { CliIo } from '../program.ts';

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
    .action(async function (this: Command, files: string[], options: { namespace?: string }) {
      const { formatConfigError, parseConfig, readObjects } = await loadCommand(
        () => import('./check-config-run.ts'),
      );
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
