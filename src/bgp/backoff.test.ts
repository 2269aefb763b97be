import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  backoffDelayMs,
  backoffPolicyProblems,
  type BackoffPolicy,
  DEFAULT_BACKOFF,
  nextRandom,
  seededRandom,
} from './backoff.ts';

const policy: BackoffPolicy = {
  initialDelayMs: 1000,
  maxDelayMs: 30_000,
  multiplier: 2,
  jitter: 0.25,
  resetAfterMs: 60_000,
};

const policies = fc.record({
  initialDelayMs: fc.integer({ min: 0, max: 10_000 }),
  maxDelayMs: fc.integer({ min: 10_000, max: 600_000 }),
  multiplier: fc.double({ min: 1, max: 4, noNaN: true }),
  jitter: fc.double({ min: 0, max: 1, noNaN: true }),
  resetAfterMs: fc.integer({ min: 0, max: 600_000 }),
});

describe('backoffDelayMs', () => {
  it('doubles from the initial delay and stops at the cap (no jitter sample)', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 50, 5000].map((n) => backoffDelayMs(policy, n, 0));
    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
  });

  it('takes away at most the jitter fraction', () => {
    assert.equal(backoffDelayMs(policy, 1, 0.999999), 750);
    assert.equal(backoffDelayMs(policy, 3, 0.5), 3500);
  });

  it('stays within [base·(1−jitter), base] and never above the cap', () => {
    fc.assert(
      fc.property(
        policies,
        fc.integer({ min: 1, max: 10_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (p, attempt, random) => {
          const grown =
            p.initialDelayMs === 0 ? 0 : p.initialDelayMs * p.multiplier ** (attempt - 1);
          const base = Math.min(p.maxDelayMs, grown);
          const delay = backoffDelayMs(p, attempt, random);
          assert.ok(delay <= Math.round(base) && delay <= p.maxDelayMs, `${delay} > ${base}`);
          assert.ok(delay >= Math.floor(base * (1 - p.jitter)), `${delay} < ${base}·(1−j)`);
        },
      ),
    );
  });

  it('grows monotonically with the attempt for a fixed random sample', () => {
    fc.assert(
      fc.property(
        policies,
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (p, attempt, random) => {
          assert.ok(backoffDelayMs(p, attempt + 1, random) >= backoffDelayMs(p, attempt, random));
        },
      ),
    );
  });
});

describe('backoffPolicyProblems', () => {
  it('accepts the default and names every problem of a bad policy', () => {
    assert.deepEqual(backoffPolicyProblems(DEFAULT_BACKOFF), []);
    const problems = backoffPolicyProblems({
      initialDelayMs: -1,
      maxDelayMs: -2,
      multiplier: 0.5,
      jitter: 2,
      resetAfterMs: Number.NaN,
    });
    assert.equal(problems.length, 5, problems.join('; '));
  });
});

describe('nextRandom', () => {
  it('is deterministic, in [0, 1), and roughly uniform', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const value = a();
      assert.equal(value, b());
      assert.ok(value >= 0 && value < 1);
      buckets[Math.floor(value * 10)]!++;
    }
    for (const count of buckets) assert.ok(count > 800 && count < 1200, `bucket ${count}`);
  });

  it('never gets stuck at zero', () => {
    const step = nextRandom(0);
    assert.notEqual(step.seed, 0);
    assert.notEqual(nextRandom(step.seed).seed, step.seed);
  });
});
