/** Benchmark 2 alone: `npm run bench:allocator [-- options]` = `npm run bench -- --only allocator`. */
import { fileURLToPath } from 'node:url';
import { benchmarks } from './benchmarks.ts';
import { main } from './lib/cli.ts';

const resultsDir = fileURLToPath(new URL('results/', import.meta.url));
process.exitCode = await main(
  ['--only', 'allocator', ...process.argv.slice(2)],
  benchmarks,
  resultsDir,
);
