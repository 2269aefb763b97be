/** Benchmark 5 alone: `node bench/codec.ts [options]` = `npm run bench -- --only codec`. */
import { fileURLToPath } from 'node:url';
import { benchmarks } from './benchmarks.ts';
import { main } from './lib/cli.ts';

const resultsDir = fileURLToPath(new URL('results/', import.meta.url));
process.exitCode = await main(
  ['--only', 'codec', ...process.argv.slice(2)],
  benchmarks,
  resultsDir,
);
