import { parseArgs } from 'node:util';
import { IronlbError } from '../../src/common/errors.ts';
import { BenchErrors } from './errors.ts';
import { isLoopbackBase } from './loopback.ts';
import { failuresOf, type Benchmark, runBenchmarks, type RunOptions } from './runner.ts';
import { formatMachine, writeResults } from './report.ts';

export const USAGE = `Usage: npm run bench -- [options]

  --only ID[,ID]       benchmarks to run (default: all)
  --case TEXT[,TEXT]   only cases whose id contains one of these
  --contender ID[,ID]  only these contenders (rows)
  --reps N             repetitions per contender (default: each benchmark's own)
  --warmup N           untimed repetitions before them (default: each benchmark's own; 0 in smoke)
  --n N[,N]            sizes, overriding each benchmark's list (prefixes, Services)
  --smoke              tiny sizes, one repetition: checks the code runs, measures nothing
  --poll-ms MS         route-count poll interval against BIRD (default 10)
  --loopback A.B.C     127.x.y network for daemons (default 127.0.77; smoke: 127.0.78)
  --out DIR            where results JSON goes (default bench/results)
  --no-save            do not write results JSON
  --list               list benchmarks and exit
`;

function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function nonNegativeInteger(flag: string, text: string): number {
  return text.trim() === '0' ? 0 : positiveInteger(flag, text);
}

function positiveInteger(flag: string, text: string): number {
  const n = Number(text.replaceAll('_', ''));
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new IronlbError(
      BenchErrors.IRONLB_ERR_BENCH_OPTIONS,
      `${flag} needs a positive integer, got "${text}"`,
    );
  }
  return n;
}

export interface CliChoices {
  readonly options: RunOptions;
  readonly outDir: string | undefined;
  readonly listOnly: boolean;
  readonly help: boolean;
}

export function parseCli(argv: readonly string[], defaultOutDir: string): CliChoices {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      only: { type: 'string' },
      case: { type: 'string' },
      contender: { type: 'string' },
      reps: { type: 'string' },
      warmup: { type: 'string' },
      n: { type: 'string' },
      smoke: { type: 'boolean', default: false },
      'poll-ms': { type: 'string' },
      loopback: { type: 'string' },
      out: { type: 'string' },
      'no-save': { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const loopbackBase = values.loopback ?? (values.smoke ? '127.0.78' : '127.0.77');
  if (!isLoopbackBase(loopbackBase)) {
    throw new IronlbError(
      BenchErrors.IRONLB_ERR_BENCH_OPTIONS,
      `--loopback needs three octets inside 127.0.0.0/8 (like 127.0.77), got "${loopbackBase}"`,
    );
  }
  const only = list(values.only);
  const cases = list(values.case);
  const contenders = list(values.contender);
  const sizes = list(values.n)?.map((n) => positiveInteger('--n', n));
  const options: RunOptions = {
    smoke: values.smoke,
    pollMs: values['poll-ms'] === undefined ? 10 : positiveInteger('--poll-ms', values['poll-ms']),
    loopbackBase,
    print: !values.quiet,
    ...(only === undefined ? {} : { only }),
    ...(cases === undefined ? {} : { cases }),
    ...(contenders === undefined ? {} : { contenders }),
    ...(sizes === undefined ? {} : { sizes }),
    ...(values.reps === undefined ? {} : { reps: positiveInteger('--reps', values.reps) }),
    ...(values.warmup === undefined
      ? {}
      : { warmups: nonNegativeInteger('--warmup', values.warmup) }),
  };
  return {
    options,
    outDir: values['no-save'] ? undefined : (values.out ?? defaultOutDir),
    listOnly: values.list,
    help: values.help,
  };
}

/** The `npm run bench` entry point; returns the exit code (1 when anything failed). */
export async function main(
  argv: readonly string[],
  benchmarks: readonly Benchmark[],
  defaultOutDir: string,
): Promise<number> {
  let choices: CliChoices;
  try {
    choices = parseCli(argv, defaultOutDir);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }
  if (choices.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (choices.listOnly) {
    for (const b of benchmarks) {
      process.stdout.write(
        `${b.id.padEnd(14)} ${b.title}${b.notImplemented === undefined ? '' : ' (not implemented yet)'}\n`,
      );
    }
    return 0;
  }
  const unknown = (choices.options.only ?? []).filter((id) => !benchmarks.some((b) => b.id === id));
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark: ${unknown.join(', ')} (see --list)\n`);
    return 2;
  }
  const run = await runBenchmarks(benchmarks, choices.options);
  if (choices.options.print) process.stdout.write(`\n${formatMachine(run)}`);
  if (choices.outDir !== undefined) {
    const path = writeResults(run, choices.outDir);
    if (choices.options.print) process.stdout.write(`results: ${path}\n`);
  }
  const failures = failuresOf(run);
  for (const failure of failures) process.stderr.write(`FAILED ${failure}\n`);
  return failures.length === 0 ? 0 : 1;
}
