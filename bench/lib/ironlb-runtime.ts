import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { IronlbError } from '../../src/common/errors.ts';
import { BenchErrors } from './errors.ts';

/** The `ironlb` entry point. */
export const IRONLB_BIN = fileURLToPath(new URL('../../bin/ironlb.js', import.meta.url));

/**
 * The Node flags ironlb runs with: those of bin/ironlb.js's `#!/usr/bin/env -S
 * node …` line (the deploy manifests pass the same in NODE_OPTIONS), so the
 * benchmarks measure ironlb processes as they are deployed.
 */
export function ironlbNodeFlags(): string[] {
  const shebang = readFileSync(IRONLB_BIN, 'utf8').split('\n', 1)[0] ?? '';
  const words = shebang.split(/\s+/);
  const node = words.indexOf('node');
  return node < 0 ? [] : words.slice(node + 1).filter((word) => word !== '');
}

/** Command-line arguments that run `ironlb ARGS…` with ironlb's own Node flags. */
export function ironlbArgs(args: readonly string[]): string[] {
  return [...ironlbNodeFlags(), IRONLB_BIN, ...args];
}

/**
 * The Node flags a daemon is deployed with: NODE_OPTIONS of its container in
 * deploy/<component>.yaml (the shebang's flags plus a heap cap), so the scale
 * benchmark measures the daemons as the manifests run them.
 */
export function deployedNodeFlags(component: 'controller' | 'speaker'): string[] {
  const manifest = fileURLToPath(new URL(`../../deploy/${component}.yaml`, import.meta.url));
  for (const document of parseAllDocuments(readFileSync(manifest, 'utf8'))) {
    const object = document.toJS() as {
      spec?: {
        template?: {
          spec?: { containers?: Array<{ env?: Array<{ name: string; value?: string }> }> };
        };
      };
    } | null;
    for (const container of object?.spec?.template?.spec?.containers ?? []) {
      const options = container.env?.find((e) => e.name === 'NODE_OPTIONS')?.value;
      if (options !== undefined) return options.split(/\s+/).filter((word) => word !== '');
    }
  }
  throw new IronlbError(
    BenchErrors.IRONLB_ERR_BENCH_OPTIONS,
    `deploy/${component}.yaml has no NODE_OPTIONS`,
  );
}

/**
 * ironlb runs its TypeScript through Node's compile cache (bin/ironlb.js turns
 * it on): after the first start, neither the type stripper (~17 MiB resident)
 * nor V8's compiler runs for cached modules. A deployed image ships that cache
 * warm, so the benchmarks measure ironlb processes the same way: one cache
 * directory per run, filled before anything is timed.
 */

/** Environment for a child that uses (and fills) the cache in `dir`. */
export function compileCacheEnv(dir: string): NodeJS.ProcessEnv {
  return { ...process.env, NODE_COMPILE_CACHE: dir };
}

/**
 * Imports the modules (absolute paths) in a throw-away Node process with the
 * cache in `dir`, so their stripped source and code cache are on disk. The
 * modules must do nothing when imported beyond defining things.
 */
export function warmCompileCache(dir: string, modules: readonly string[]): void {
  const source = modules
    .map((path) => `await import(${JSON.stringify(pathToFileURL(path).href)});`)
    .join('\n');
  // With ironlb's own Node flags: V8's flags are part of the cache's key.
  const run = spawnSync(
    process.execPath,
    [...ironlbNodeFlags(), '--input-type=module', '-e', source],
    {
      env: compileCacheEnv(dir),
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  if (run.status !== 0) {
    throw new IronlbError(
      BenchErrors.IRONLB_ERR_BENCH_PROCESS,
      `warming the compile cache failed: ${run.error?.message ?? run.stderr.trim()}`,
    );
  }
}
