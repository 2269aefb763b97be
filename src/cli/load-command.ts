import { flushCompileCache } from 'node:module';

/**
 * Loads the module that does a subcommand's work. The CLI registers every
 * subcommand from light modules and loads only the one that runs: `ironlb bgp
 * announce` never loads the Kubernetes client (~70 MiB of resident memory),
 * and `--help` loads nothing heavy.
 *
 * Once loaded, the compile cache (enabled by bin/ironlb.js) is written out, so
 * a daemon that is later killed still leaves it behind for its next start.
 */
export async function loadCommand<T>(load: () => Promise<T>): Promise<T> {
  const loaded = await load();
  flushCompileCache();
  return loaded;
}
