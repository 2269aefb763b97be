import type { MachineInfo } from './machine.ts';
import type { Summary } from './stats.ts';

/**
 * The shape of a results file (`bench/results/<timestamp>.json`). Bump
 * RESULTS_SCHEMA when a field changes meaning, so old files are not misread.
 */
export const RESULTS_SCHEMA = 'ironlb-bench/1';

export interface MetricSpec {
  /** Key in every sample. */
  readonly key: string;
  /** Column heading. */
  readonly label: string;
  readonly unit: string;
  readonly better: 'higher' | 'lower';
  /** Digits after the point in tables (default 0). */
  readonly digits?: number;
  /** Latencies: the table shows p50, p90, p99, max and min columns instead of "median (min–max)". */
  readonly percentiles?: boolean;
}

export type ContenderStatus = 'ok' | 'skipped' | 'failed';

export interface ContenderOutcome {
  readonly id: string;
  readonly label: string;
  readonly status: ContenderStatus;
  /** Why it was skipped or failed. */
  readonly reason?: string;
  /** One record per repetition, keyed by metric. A metric may be missing from a sample. */
  readonly samples: ReadonlyArray<Readonly<Record<string, number>>>;
  /** Per metric over the samples. */
  readonly summary: Readonly<Record<string, Summary>>;
  /** Facts about this contender in this case (method used, peak RSS, …). */
  readonly notes: Readonly<Record<string, string | number>>;
}

export interface RatioOutcome {
  readonly label: string;
  readonly metric: string;
  readonly numerator: string;
  readonly denominator: string;
  /** Of the medians; null when either side has none. */
  readonly value: number | null;
}

export interface CaseOutcome {
  readonly id: string;
  readonly title: string;
  readonly metrics: readonly MetricSpec[];
  readonly contenders: readonly ContenderOutcome[];
  readonly ratios: readonly RatioOutcome[];
  readonly notes: readonly string[];
}

export type BenchmarkStatus = 'ok' | 'failed' | 'not-implemented';

export interface BenchmarkOutcome {
  readonly id: string;
  readonly title: string;
  readonly status: BenchmarkStatus;
  readonly reason?: string;
  readonly cases: readonly CaseOutcome[];
  readonly notes: readonly string[];
  readonly seconds: number;
}

export interface RunOutcome {
  readonly schema: typeof RESULTS_SCHEMA;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly machine: MachineInfo;
  readonly benchmarks: readonly BenchmarkOutcome[];
}
