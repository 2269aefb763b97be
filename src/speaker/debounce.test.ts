import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../bgp/fake-clock.ts';
import { Debouncer } from './debounce.ts';

function setup(delayMs = 30, maxDelayMs = 200) {
  const clock = new FakeClock();
  const runs: number[] = [];
  const debouncer = new Debouncer({
    clock,
    delayMs,
    maxDelayMs,
    run: () => runs.push(clock.now()),
  });
  return { clock, runs, debouncer };
}

describe('Debouncer', () => {
  it('a single change runs after the short delay', () => {
    const { clock, runs, debouncer } = setup();
    debouncer.trigger();
    clock.advance(29);
    assert.deepEqual(runs, []);
    assert.ok(debouncer.pending);
    clock.advance(1);
    assert.deepEqual(runs, [30]);
    assert.ok(!debouncer.pending);
  });

  it('a burst runs once, after it goes quiet', () => {
    const { clock, runs, debouncer } = setup();
    for (let i = 0; i < 10; i++) {
      debouncer.trigger();
      clock.advance(5);
    }
    clock.advance(100);
    assert.deepEqual(runs, [45 + 30]);
  });

  it('a burst that never goes quiet still runs every maxDelayMs', () => {
    const { clock, runs, debouncer } = setup(30, 200);
    // A rollout: a change every 10 ms for a second.
    for (let t = 0; t < 1000; t += 10) {
      debouncer.trigger();
      clock.advance(10);
    }
    clock.advance(1000);
    assert.ok(runs.length >= 5 && runs.length <= 6, `runs at ${runs.join(', ')}`);
    for (let i = 1; i < runs.length; i++) {
      assert.ok(runs[i]! - runs[i - 1]! <= 210, `gap ${runs[i]! - runs[i - 1]!} ms`);
    }
  });

  it('flush runs a pending round now; stop drops it and ignores later triggers', () => {
    const { clock, runs, debouncer } = setup();
    debouncer.flush();
    assert.deepEqual(runs, [], 'nothing pending: flush does nothing');
    debouncer.trigger();
    debouncer.flush();
    assert.deepEqual(runs, [0]);
    clock.advance(100);
    assert.deepEqual(runs, [0], 'the timer was cancelled by the flush');
    debouncer.trigger();
    debouncer.stop();
    debouncer.trigger();
    clock.advance(1000);
    assert.deepEqual(runs, [0]);
  });

  it('spaces slow runs: after a run that cost T, the next waits busyFactor × T', () => {
    const clock = new FakeClock();
    const runs: number[] = [];
    const debouncer = new Debouncer({
      clock,
      delayMs: 30,
      maxDelayMs: 200,
      busyFactor: 4,
      run: () => {
        runs.push(clock.now());
        return 100; // each run reports it took 100 ms
      },
    });
    debouncer.trigger();
    clock.advance(30);
    assert.deepEqual(runs, [30]);
    // Triggers keep coming, but the next run waits until 30 + 4 × 100.
    for (let t = 0; t < 600; t += 10) {
      debouncer.trigger();
      clock.advance(10);
    }
    assert.deepEqual(
      runs.slice(0, 3),
      [30, 430, 830].filter((at) => at <= 630),
    );
    assert.equal(runs[1], 430);
  });

  it('fast runs are not delayed by the spacing', () => {
    const clock = new FakeClock();
    const runs: number[] = [];
    const debouncer = new Debouncer({
      clock,
      delayMs: 30,
      maxDelayMs: 200,
      busyFactor: 4,
      run: () => {
        runs.push(clock.now());
        return 1;
      },
    });
    debouncer.trigger();
    clock.advance(30);
    debouncer.trigger();
    clock.advance(30);
    assert.deepEqual(runs, [30, 60]);
  });
});
