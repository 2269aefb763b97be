/**
 * `npm run bench [-- options]`: runs the benchmarks, prints one table per case
 * and writes bench/results/<timestamp>.json and latest.json. See --help.
 */
import { fileURLToPath } from 'node:url';
import { benchmarks } from './benchmarks.ts';
import { main } from './lib/cli.ts';

const resultsDir = fileURLToPath(new URL('results/', import.meta.url));
process.exitCode = await main(process.argv.slice(2), benchmarks, resultsDir);
