import { describeError } from '../../src/common/errors.ts';
import { describeMachine } from './machine.ts';
import {
  type BenchmarkOutcome,
  type CaseOutcome,
  type ContenderOutcome,
  type MetricSpec,
  type RatioOutcome,
  RESULTS_SCHEMA,
  type RunOutcome,
} from './model.ts';
import { emergencyStop } from './processes.ts';
import { formatBenchmarkHeader, formatCase } from './report.ts';
import { ratioOf, type Summary, summarize } from './stats.ts';
import os from 'node:os';

/** What a run was asked to do; every benchmark reads the parts that concern it. */
export interface RunOptions {
  /** Tiny sizes and one repetition: proves the code runs, measures nothing. */
  readonly smoke: boolean;
  /** Benchmark ids to run (all when undefined). */
  readonly only?: readonly string[];
  /** Substrings of case ids to run (all when undefined). */
  readonly cases?: readonly string[];
  /** Contender ids to run (all when undefined). */
  readonly contenders?: readonly string[];
  /** Repetitions per contender, overriding each benchmark's default. */
  readonly reps?: number;
  /** Untimed repetitions before the timed ones, overriding each benchmark's default. */
  readonly warmups?: number;
  /** Sizes (prefixes, Services, …) overriding each benchmark's default list. */
  readonly sizes?: readonly number[];
  /** Interval of the route-count poll against BIRD. */
  readonly pollMs: number;
  /** Three octets of a 127.0.0.0/8 network the network benchmarks use ("127.0.77"). */
  readonly loopbackBase: string;
  /** Progress lines to stderr and tables to stdout; off in tests. */
  readonly print: boolean;
}

export interface Benchmark {
  readonly id: string;
  readonly title: string;
  /** A documented slot: why this benchmark cannot run yet. It is listed, never faked. */
  readonly notImplemented?: string;
  run(ctx: BenchContext): Promise<void>;
}

export interface CaseSpec {
  readonly id: string;
  readonly title: string;
  readonly metrics: readonly MetricSpec[];
}

export interface BenchContext {
  readonly options: RunOptions;
  /** A progress line (stderr), not part of the results. */
  log(message: string): void;
  /** A line of context kept with the benchmark's results. */
  note(text: string): void;
  /** Repetitions: --reps when given, 1 in smoke mode, else the benchmark's default. */
  reps(defaultReps: number): number;
  /** Untimed warm-up repetitions: --warmup when given, 0 in smoke mode, else the benchmark's default. */
  warmups(defaultWarmups: number): number;
  wantsCase(id: string): boolean;
  wantsContender(id: string): boolean;
  /** Runs one case: a table of contenders. Errors thrown by `body` fail the unfinished contenders. */
  runCase(spec: CaseSpec, body: (recorder: CaseRecorder) => Promise<void>): Promise<void>;
}

export class ContenderRecorder {
  readonly id: string;
  readonly label: string;
  readonly #samples: Array<Record<string, number>> = [];
  readonly #notes: Record<string, string | number> = {};
  #status: ContenderOutcome['status'] = 'ok';
  #reason: string | undefined;
  #finished = false;

  constructor(id: string, label: string) {
    this.id = id;
    this.label = label;
  }

  get failed(): boolean {
    return this.#status === 'failed';
  }

  sample(values: Record<string, number>): void {
    this.#samples.push({ ...values });
  }

  note(key: string, value: string | number): void {
    this.#notes[key] = value;
  }

  skip(reason: string): void {
    this.#status = 'skipped';
    this.#reason = reason;
  }

  fail(err: unknown): void {
    this.#status = 'failed';
    this.#reason = describeError(err);
  }

  /** Runs `times` repetitions, one sample each; the first error fails the contender and stops. */
  async repeat(
    times: number,
    repetition: (index: number) => Promise<Record<string, number>> | Record<string, number>,
  ): Promise<boolean> {
    for (let i = 0; i < times; i++) {
      try {
        this.sample(await repetition(i));
      } catch (err) {
        this.fail(err);
        return false;
      }
    }
    return true;
  }

  /** Marks it done; a contender that recorded nothing and was not skipped counts as failed. */
  finish(fallbackReason: string): ContenderOutcome {
    if (!this.#finished && this.#status === 'ok' && this.#samples.length === 0) {
      this.#status = 'failed';
      this.#reason = fallbackReason;
    }
    this.#finished = true;
    const keys = new Set(this.#samples.flatMap((s) => Object.keys(s)));
    const summary: Record<string, Summary> = {};
    for (const key of keys) {
      const values = this.#samples.flatMap((s) => (s[key] === undefined ? [] : [s[key]]));
      const summarized = summarize(values);
      if (summarized !== undefined) summary[key] = summarized;
    }
    return {
      id: this.id,
      label: this.label,
      status: this.#status,
      ...(this.#reason === undefined ? {} : { reason: this.#reason }),
      samples: this.#samples,
      summary,
      notes: { ...this.#notes },
    };
  }
}

export class CaseRecorder {
  readonly spec: CaseSpec;
  readonly #contenders: ContenderRecorder[] = [];
  readonly #ratios: Array<Omit<RatioOutcome, 'value'>> = [];
  readonly #notes: string[] = [];

  constructor(spec: CaseSpec) {
    this.spec = spec;
  }

  contender(id: string, label: string): ContenderRecorder {
    const recorder = new ContenderRecorder(id, label);
    this.#contenders.push(recorder);
    return recorder;
  }

  /** numerator / denominator of the medians of `metric`, computed when the case ends. */
  ratio(label: string, metric: string, numerator: string, denominator: string): void {
    this.#ratios.push({ label, metric, numerator, denominator });
  }

  note(text: string): void {
    this.#notes.push(text);
  }

  finish(error: unknown): CaseOutcome {
    const reason =
      error === undefined ? 'recorded no samples' : `case aborted: ${describeError(error)}`;
    const contenders = this.#contenders.map((c) => c.finish(reason));
    const medianOf = (id: string, metric: string): number | undefined =>
      contenders.find((c) => c.id === id && c.status === 'ok')?.summary[metric]?.median;
    const ratios = this.#ratios
      .filter((r) => contenders.some((c) => c.id === r.numerator))
      .filter((r) => contenders.some((c) => c.id === r.denominator))
      .map((r) => ({
        ...r,
        value: ratioOf(medianOf(r.numerator, r.metric), medianOf(r.denominator, r.metric)) ?? null,
      }));
    const notes = [...this.#notes];
    if (error !== undefined && contenders.length === 0)
      notes.push(`aborted: ${describeError(error)}`);
    return {
      id: this.spec.id,
      title: this.spec.title,
      metrics: this.spec.metrics,
      contenders,
      ratios,
      notes,
    };
  }
}

function matchesAny(id: string, wanted: readonly string[] | undefined, exact: boolean): boolean {
  if (wanted === undefined || wanted.length === 0) return true;
  return wanted.some((w) => (exact ? id === w : id.includes(w)));
}

/** Runs the selected benchmarks one after the other; never throws for a failing benchmark. */
export async function runBenchmarks(
  benchmarks: readonly Benchmark[],
  options: RunOptions,
): Promise<RunOutcome> {
  const startedAt = new Date().toISOString();
  const machine = describeMachine();
  const outcomes: BenchmarkOutcome[] = [];
  const log = (message: string): void => {
    if (options.print) process.stderr.write(`${message}\n`);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    process.stderr.write(`\n${signal}: stopping every process the benchmarks started\n`);
    emergencyStop();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (const benchmark of benchmarks) {
      if (!matchesAny(benchmark.id, options.only, true)) continue;
      outcomes.push(await runOne(benchmark, options, log));
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  machine.loadAverage.end = os.loadavg()[0]!;
  return {
    schema: RESULTS_SCHEMA,
    startedAt,
    finishedAt: new Date().toISOString(),
    options: { ...options },
    machine,
    benchmarks: outcomes,
  };
}

async function runOne(
  benchmark: Benchmark,
  options: RunOptions,
  log: (message: string) => void,
): Promise<BenchmarkOutcome> {
  const started = performance.now();
  const cases: CaseOutcome[] = [];
  const notes: string[] = [];
  const seconds = (): number => (performance.now() - started) / 1000;
  const print = (text: string): void => {
    if (options.print) process.stdout.write(text);
  };
  if (benchmark.notImplemented !== undefined) {
    print(formatBenchmarkHeader(benchmark.id, benchmark.title));
    print(`  not implemented: ${benchmark.notImplemented}\n\n`);
    return {
      id: benchmark.id,
      title: benchmark.title,
      status: 'not-implemented',
      reason: benchmark.notImplemented,
      cases,
      notes,
      seconds: 0,
    };
  }
  print(formatBenchmarkHeader(benchmark.id, benchmark.title));
  const ctx: BenchContext = {
    options,
    log: (message) => log(`[${benchmark.id}] ${message}`),
    note: (text) => notes.push(text),
    reps: (defaultReps) => options.reps ?? (options.smoke ? 1 : defaultReps),
    warmups: (defaultWarmups) => options.warmups ?? (options.smoke ? 0 : defaultWarmups),
    wantsCase: (id) => matchesAny(id, options.cases, false),
    wantsContender: (id) => matchesAny(id, options.contenders, true),
    async runCase(spec, body) {
      const recorder = new CaseRecorder(spec);
      let error: unknown;
      try {
        await body(recorder);
      } catch (err) {
        error = err;
      }
      const outcome = recorder.finish(error);
      cases.push(outcome);
      print(formatCase(outcome));
    },
  };
  try {
    await benchmark.run(ctx);
  } catch (err) {
    print(`  FAILED: ${describeError(err)}\n`);
    return {
      id: benchmark.id,
      title: benchmark.title,
      status: 'failed',
      reason: describeError(err),
      cases,
      notes,
      seconds: seconds(),
    };
  }
  for (const text of notes) print(`  note: ${text}\n`);
  return {
    id: benchmark.id,
    title: benchmark.title,
    status: 'ok',
    cases,
    notes,
    seconds: seconds(),
  };
}

/** Whether any benchmark or contender failed (skips and documented slots are not failures). */
export function failuresOf(run: RunOutcome): string[] {
  const failures: string[] = [];
  for (const b of run.benchmarks) {
    if (b.status === 'failed') failures.push(`${b.id}: ${b.reason ?? 'failed'}`);
    for (const c of b.cases) {
      for (const k of c.contenders) {
        if (k.status === 'failed') failures.push(`${b.id}/${c.id}/${k.id}: ${k.reason ?? ''}`);
      }
    }
  }
  return failures;
}
