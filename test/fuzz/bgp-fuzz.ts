/**
 * `npm run fuzz [-- --iterations N --seed S]`: a long fuzzing run of the BGP
 * decoder (1,000,000 inputs by default). Crashers are written to
 * test/fuzz/crashers/ (checked in as regression vectors, replayed by
 * test/bgp-fuzz.test.ts) and the run exits non-zero.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runFuzz } from './fuzz-core.ts';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: String(Date.now() % 2 ** 31) },
  },
});
const iterations = Number(values.iterations);
const seed = Number(values.seed);
const started = performance.now();
process.stdout.write(
  `fuzzing the BGP decoder: ${iterations.toLocaleString('en')} inputs, seed ${seed}\n`,
);

const stats = runFuzz({
  iterations,
  seed,
  progressEvery: Math.max(1, Math.floor(iterations / 20)),
  onProgress(s) {
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `  ${s.iterations.toLocaleString('en').padStart(10)}  ${Math.round(s.iterations / seconds)
        .toLocaleString('en')
        .padStart(8)}/s` +
        `  decoded ${s.decoded}  wire errors ${s.wireErrors}  soft errors ${s.softErrors}  crashers ${s.crashers.length}\n`,
    );
  },
});

const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `done: ${stats.iterations.toLocaleString('en')} inputs in ${seconds.toFixed(1)} s; ` +
    `${stats.decoded} decoded, ${stats.wireErrors} session-reset errors, ${stats.softErrors} with RFC 7606 soft errors\n`,
);
if (stats.crashers.length > 0) {
  const dir = new URL('./crashers/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  for (const crasher of stats.crashers) {
    const name = createHash('sha256').update(crasher.hex).digest('hex').slice(0, 16);
    writeFileSync(new URL(`${name}.json`, dir), `${JSON.stringify(crasher, null, 2)}\n`);
    process.stdout.write(`CRASHER ${name}: ${crasher.problem.split('\n')[0]}\n`);
  }
  process.stdout.write(`${stats.crashers.length} crashers written to test/fuzz/crashers/\n`);
  process.exitCode = 1;
}
