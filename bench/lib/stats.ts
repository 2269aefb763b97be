/** Summaries of repeated measurements: the machine is shared, so spread matters as much as the middle. */

export interface Summary {
  readonly min: number;
  readonly median: number;
  readonly max: number;
  /** How many samples went in. */
  readonly count: number;
}

/** Min, median (mean of the middle two for an even count) and max; undefined for no samples. */
export function summarize(values: readonly number[]): Summary | undefined {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return undefined;
  const middle = finite.length >> 1;
  const median =
    finite.length % 2 === 1 ? finite[middle]! : (finite[middle - 1]! + finite[middle]!) / 2;
  return { min: finite[0]!, median, max: finite[finite.length - 1]!, count: finite.length };
}

/**
 * The p-th percentile by nearest rank (the smallest sample with at least p % of
 * the samples at or below it); undefined for no samples. With 50 samples p99 is
 * the maximum: tails need more repetitions than that to mean anything.
 */
export function percentile(values: readonly number[], p: number): number | undefined {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * finite.length));
  return finite[Math.min(rank, finite.length) - 1];
}

/** a / b, or undefined when either is missing or b is zero. */
export function ratioOf(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined || b === undefined || b === 0 || !Number.isFinite(a / b)) return undefined;
  return a / b;
}
