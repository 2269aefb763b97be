import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileCacheEnv, ironlbArgs, warmCompileCache } from '../lib/ironlb-runtime.ts';
import { ManagedProcess } from '../lib/processes.ts';
import type { AnnounceContender } from './contender.ts';

/** What `ironlb bgp announce` loads: the CLI, and the command's run module. */
const modules = ['../../src/cli/program.ts', '../../src/cli/commands/bgp-announce-run.ts'].map(
  (path) => fileURLToPath(new URL(path, import.meta.url)),
);

/**
 * `ironlb bgp announce` as a user runs it: one process, the prefixes in a file
 * (--prefixes-from), announced as soon as the session is up. Like ExaBGP's
 * configuration, timed from Established; it has no withdrawal of its own (it
 * ends with a Cease).
 */
export const ironlbCliContender: AnnounceContender = {
  id: 'ironlb-cli',
  label: 'ironlb bgp announce (CLI)',
  timing: 'established',
  listens: false,
  unavailable: () => undefined,
  async start(env, routes) {
    const list = join(env.dir, 'prefixes.txt');
    writeFileSync(list, `${routes.prefixes.join('\n')}\n`);
    warmCompileCache(env.compileCacheDir, modules);
    const proc = await ManagedProcess.start(
      'ironlb bgp announce',
      process.execPath,
      ironlbArgs([
        'bgp',
        'announce',
        `--peer=${env.receiverAddress}:${env.receiverPort}`,
        `--local-as=${env.localAsn}`,
        `--peer-as=${env.receiverAsn}`,
        `--source=${env.localAddress}`,
        `--prefixes-from=${list}`,
        `--next-hop=${routes.nextHop}`,
        '--hold-time=240',
        '--connect-retry=1',
        '--log-level=warn',
      ]),
      { env: compileCacheEnv(env.compileCacheDir) },
    );
    return {
      method: 'ironlb bgp announce --prefixes-from FILE, timed from Established',
      announce: () => Promise.resolve(),
      withdraw: undefined,
      peakRssKiB: () => proc.peakRssKiB(),
      failure: () => proc.exitedError(),
      stop: () => proc.stop(),
    };
  },
};
