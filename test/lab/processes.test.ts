import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isIronlbError } from '../../src/common/errors.ts';
import { LabErrors } from './errors.ts';
import { isProcessRunning, runCommand, waitFor } from './processes.ts';

describe('lab process helpers', () => {
  it('runs commands with input, and reports failures and timeouts with the command’s words', async () => {
    const echoed = await runCommand('cat', [], { input: 'hello' });
    assert.equal(echoed.stdout, 'hello');
    await assert.rejects(
      runCommand('sh', ['-c', 'echo broken >&2; exit 3']),
      (err) =>
        isIronlbError(err, LabErrors.IRONLB_ERR_LAB_COMMAND) &&
        /exited with 3: broken/.test(err.message),
    );
    const allowed = await runCommand('sh', ['-c', 'exit 4'], { allowFailure: true });
    assert.equal(allowed.code, 4);
    await assert.rejects(
      runCommand('sleep', ['5'], { timeoutMs: 100 }),
      (err) =>
        isIronlbError(err, LabErrors.IRONLB_ERR_LAB_COMMAND) &&
        /timed out after 100 ms/.test(err.message),
    );
    await assert.rejects(runCommand('/nonexistent/tool', []), /cannot run \/nonexistent\/tool/);
  });

  it('waits within a bound, and gives up at once when told the wait is hopeless', async () => {
    let calls = 0;
    assert.equal(
      await waitFor(() => (++calls >= 3 ? 'done' : undefined), {
        timeoutMs: 1000,
        intervalMs: 1,
        what: 'x',
      }),
      'done',
    );
    await assert.rejects(
      waitFor(
        () => {
          throw new Error('not yet');
        },
        { timeoutMs: 50, intervalMs: 5, what: 'the impossible' },
      ),
      (err) =>
        isIronlbError(err, LabErrors.IRONLB_ERR_LAB_TIMEOUT) &&
        /waiting for the impossible/.test(err.message) &&
        (err.cause as Error).message === 'not yet',
    );
    const started = performance.now();
    await assert.rejects(
      waitFor(() => undefined, {
        timeoutMs: 5000,
        what: 'y',
        giveUpIf: () => new Error('daemon exited'),
      }),
      /daemon exited/,
    );
    assert.ok(performance.now() - started < 1000);
  });

  it('tells a zombie from a running process (kill -0 would not)', async () => {
    // The background sleep exits after `exec sleep 2` replaced its parent, which never reaps it.
    const child = spawn('sh', ['-c', 'sleep 0.05 & echo $!; exec sleep 2'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const shell = await new Promise<{ zombie: number; parent: number }>((resolve, reject) => {
      child.stdout.once('data', (chunk: Buffer) =>
        resolve({ zombie: Number(chunk.toString().trim()), parent: child.pid! }),
      );
      child.once('error', reject);
    });
    const zombie = await waitFor(
      () => {
        const stat = readFileSync(`/proc/${shell.zombie}/stat`, 'utf8');
        return / Z /.test(stat.slice(stat.lastIndexOf(')'))) ? shell.zombie : undefined;
      },
      { timeoutMs: 2000, intervalMs: 5, what: 'the background process to become a zombie' },
    );
    assert.ok(existsSync(`/proc/${zombie}`));
    assert.doesNotThrow(() => process.kill(zombie, 0), 'kill -0 still succeeds on a zombie');
    assert.equal(isProcessRunning(zombie), false);
    assert.equal(isProcessRunning(shell.parent), true);
    assert.equal(isProcessRunning(2 ** 22 + 1), false);
    process.kill(shell.parent, 'SIGKILL');
  });
});
