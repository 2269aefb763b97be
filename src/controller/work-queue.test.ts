import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkQueue, type ProcessResult } from './work-queue.ts';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('WorkQueue', () => {
  it('processes each key once however often it is added before it runs', async () => {
    const seen: string[] = [];
    const gate = deferred();
    const queue = new WorkQueue({
      process: async (key) => {
        seen.push(key);
        if (key === 'first') await gate.promise;
        return 'done';
      },
    });
    queue.add('first'); // keeps the one worker busy while the rest is added
    for (const key of ['a', 'b', 'a', 'c', 'b', 'a']) queue.add(key);
    assert.equal(queue.length, 3);
    gate.resolve();
    await queue.idle();
    assert.deepEqual(seen, ['first', 'a', 'b', 'c']);
  });

  it('never runs one key twice at once, and reruns a key added while it ran', async () => {
    const gate = deferred();
    let running = 0;
    let maxRunning = 0;
    const seen: string[] = [];
    const queue = new WorkQueue({
      concurrency: 4,
      process: async (key) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        seen.push(key);
        if (seen.length === 1) await gate.promise;
        running--;
        return 'done';
      },
    });
    queue.add('a');
    await new Promise((resolve) => setImmediate(resolve));
    queue.add('a'); // while 'a' runs
    queue.add('a');
    assert.equal(queue.length, 0, 'not queued while it is being processed');
    gate.resolve();
    await queue.idle();
    assert.deepEqual(seen, ['a', 'a']);
    assert.equal(maxRunning, 1);
  });

  it('runs different keys concurrently up to the limit', async () => {
    const gates = [deferred(), deferred(), deferred()];
    let running = 0;
    let maxRunning = 0;
    let index = 0;
    const queue = new WorkQueue({
      concurrency: 2,
      process: async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await gates[index++]!.promise;
        running--;
        return 'done';
      },
    });
    queue.add('a');
    queue.add('b');
    queue.add('c');
    assert.equal(queue.length, 1);
    for (const gate of gates) gate.resolve();
    await queue.idle();
    assert.equal(maxRunning, 2);
  });

  it('retries failures with growing backoff, and a throw counts as a failure', async () => {
    const at: number[] = [];
    const errors: string[] = [];
    const queue = new WorkQueue({
      minRetryMs: 20,
      maxRetryMs: 1000,
      onError: (key, err) => errors.push(`${key}: ${String(err)}`),
      process: (): Promise<ProcessResult> => {
        at.push(performance.now());
        if (at.length === 1) return Promise.reject(new Error('boom'));
        return Promise.resolve(at.length < 4 ? 'retry' : 'done');
      },
    });
    queue.add('k');
    await queue.idle();
    assert.equal(at.length, 4);
    assert.deepEqual(errors, ['k: Error: boom']);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    // 20, 40, 80 ms nominal, ±25 % jitter: each wait at least 15, 30, 60 ms.
    assert.ok(gaps[0]! >= 14 && gaps[1]! >= 29 && gaps[2]! >= 59, `gaps ${gaps.join(', ')}`);
    assert.equal(queue.retrying, 0);
  });

  it('computes capped exponential backoff', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 40].map((n) => WorkQueue.backoffMs(n, 100, 1000)),
      [100, 200, 400, 800, 1000, 1000],
    );
  });

  it('stop() drops queued work and retries, and waits for keys in flight', async () => {
    const gate = deferred();
    const seen: string[] = [];
    let finished = false;
    const queue = new WorkQueue({
      minRetryMs: 10_000,
      process: async (key) => {
        seen.push(key);
        if (key === 'slow') {
          await gate.promise;
          finished = true;
          return 'done';
        }
        return 'retry';
      },
      concurrency: 1,
    });
    queue.add('failing');
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(queue.retrying, 1, 'waiting 10 s for its retry');
    queue.add('slow');
    queue.add('queued');
    await new Promise((resolve) => setImmediate(resolve));
    const stopped = queue.stop();
    queue.add('after-stop');
    assert.equal(queue.retrying, 0);
    assert.equal(finished, false);
    setTimeout(() => gate.resolve(), 10);
    await stopped;
    assert.equal(finished, true);
    assert.deepEqual(seen, ['failing', 'slow']);
    await queue.idle();
  });
});
