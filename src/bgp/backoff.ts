/**
 * Reconnect backoff: capped exponential growth with jitter, so a peer that
 * keeps failing is retried less and less often, and many speakers restarted
 * together (a DaemonSet rollout) do not reconnect in lockstep.
 */

export interface BackoffPolicy {
  /** Delay before the first automatic restart after a failure. */
  readonly initialDelayMs: number;
  /** No delay exceeds this, jitter included. */
  readonly maxDelayMs: number;
  /** Growth per consecutive failure, ≥ 1. */
  readonly multiplier: number;
  /** Fraction in [0, 1] of the delay that is randomised away: delay ∈ [base·(1−jitter), base]. */
  readonly jitter: number;
  /** A session Established this long forgets earlier failures (the next delay starts over). */
  readonly resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  multiplier: 2,
  jitter: 0.25,
  resetAfterMs: 60_000,
};

/** A uniform random number in [0, 1), like Math.random. */
export type RandomSource = () => number;

/**
 * The delay before restart number `attempt` (1 for the first restart after a
 * failure). `random` is a sample in [0, 1): passing it in keeps this pure.
 */
export function backoffDelayMs(policy: BackoffPolicy, attempt: number, random: number): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  // The growth may reach Infinity after a long outage; min() caps it (and 0·∞ is no delay).
  const grown =
    policy.initialDelayMs === 0 ? 0 : policy.initialDelayMs * policy.multiplier ** exponent;
  const base = Math.min(policy.maxDelayMs, grown);
  const sample = Math.min(Math.max(random, 0), 1);
  return Math.round(base * (1 - policy.jitter * sample));
}

/** Reasons a policy is unusable, or an empty list. */
export function backoffPolicyProblems(policy: BackoffPolicy): string[] {
  const problems: string[] = [];
  const isDuration = (n: number): boolean => Number.isFinite(n) && n >= 0;
  if (!isDuration(policy.initialDelayMs)) problems.push('initialDelayMs must be ≥ 0');
  if (!isDuration(policy.maxDelayMs) || policy.maxDelayMs < policy.initialDelayMs) {
    problems.push('maxDelayMs must be ≥ initialDelayMs');
  }
  if (!Number.isFinite(policy.multiplier) || policy.multiplier < 1) {
    problems.push('multiplier must be ≥ 1');
  }
  if (!(policy.jitter >= 0 && policy.jitter <= 1)) problems.push('jitter must be within [0, 1]');
  if (!isDuration(policy.resetAfterMs)) problems.push('resetAfterMs must be ≥ 0');
  return problems;
}

/**
 * One step of xorshift32 (Marsaglia, 2003): a deterministic random source whose
 * whole state is one number, so the FSM can carry it in its state and stay pure.
 * Not for anything secret.
 */
export function nextRandom(seed: number): { readonly value: number; readonly seed: number } {
  let x = seed >>> 0 || 0x9e3779b9; // xorshift's state must not be zero
  x ^= x << 13;
  x >>>= 0;
  x ^= x >>> 17;
  x ^= x << 5;
  x >>>= 0;
  // xorshift's first outputs from small seeds are small too; mix the bits
  // (a multiply-xorshift finaliser) so seeds 1, 2, 3 give unrelated values.
  let out = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  out = Math.imul(out ^ (out >>> 16), 0x45d9f3b);
  out ^= out >>> 16;
  return { value: (out >>> 0) / 4294967296, seed: x };
}

/** A RandomSource over nextRandom, for tests and benchmarks that want repeatable runs. */
export function seededRandom(seed: number): RandomSource {
  let state = seed;
  return () => {
    const step = nextRandom(state);
    state = step.seed;
    return step.value;
  };
}
