import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { systemClock } from './clock.ts';
import { FakeClock } from './fake-clock.ts';

describe('FakeClock', () => {
  it('fires due timers in order of due time, then of scheduling, with now() at their due time', () => {
    const clock = new FakeClock(1000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => fired.push(`c@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push('late'), 31);
    clock.advance(30);
    assert.deepEqual(fired, ['a@1010', 'b@1020', 'c@1020']);
    assert.equal(clock.now(), 1030);
    assert.equal(clock.pendingCount, 1);
    assert.equal(clock.nextDueInMs(), 1);
  });

  it('fires timers that callbacks schedule within the same advance, and not cancelled ones', () => {
    const clock = new FakeClock();
    const fired: number[] = [];
    const tick = (): void => {
      fired.push(clock.now());
      clock.setTimeout(tick, 10);
    };
    clock.setTimeout(tick, 10);
    const cancelled = clock.setTimeout(() => fired.push(-1), 15);
    cancelled.cancel();
    clock.advance(45);
    assert.deepEqual(fired, [10, 20, 30, 40]);
    assert.equal(clock.nextDueInMs(), 5);
  });

  it('treats negative delays as zero and reports no next timer when idle', () => {
    const clock = new FakeClock();
    let fired = false;
    clock.setTimeout(() => (fired = true), -5);
    assert.equal(clock.nextDueInMs(), 0);
    clock.advance(0);
    assert.equal(fired, true);
    assert.equal(clock.nextDueInMs(), undefined);
  });

  it('lets promise callbacks run between timers in advanceAsync', async () => {
    const clock = new FakeClock();
    const order: string[] = [];
    clock.setTimeout(() => {
      order.push('first');
      void Promise.resolve().then(() => order.push('after first'));
    }, 5);
    clock.setTimeout(() => order.push('second'), 5);
    await clock.advanceAsync(5);
    assert.deepEqual(order, ['first', 'after first', 'second']);
  });
});

describe('systemClock', () => {
  it('runs a callback and lets one be cancelled', async () => {
    const start = systemClock.now();
    let cancelledRan = false;
    systemClock.setTimeout(() => (cancelledRan = true), 1).cancel();
    await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 2));
    assert.ok(systemClock.now() >= start);
    assert.equal(cancelledRan, false);
  });
});
