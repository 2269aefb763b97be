import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Shutdown } from './shutdown.ts';
import { memoryLogger } from './test-logger.ts';

describe('Shutdown', () => {
  it('aborts the signal and runs hooks in reverse order of registration', async () => {
    const shutdown = new Shutdown({ logger: memoryLogger().logger });
    const order: string[] = [];
    shutdown.onShutdown('first', () => {
      order.push('first');
    });
    shutdown.onShutdown('second', async () => {
      await new Promise((r) => setTimeout(r, 5));
      order.push('second');
    });
    assert.equal(shutdown.signal.aborted, false);
    const result = await shutdown.shutdown('test');
    assert.equal(shutdown.signal.aborted, true);
    assert.deepEqual(order, ['second', 'first']);
    assert.deepEqual(result, { clean: true, errors: [] });
    assert.equal(await shutdown.shutdown('again'), result, 'a second call returns the same result');
  });

  it('keeps running later hooks when one fails, and reports it', async () => {
    const shutdown = new Shutdown({ logger: memoryLogger().logger });
    let ran = false;
    shutdown.onShutdown('last', () => {
      ran = true;
    });
    shutdown.onShutdown('broken', () => {
      throw new Error('boom');
    });
    const result = await shutdown.shutdown('test');
    assert.equal(ran, true);
    assert.equal(result.clean, false);
    assert.equal(result.errors[0]?.code, 'IRONLB_ERR_SHUTDOWN_HOOK');
    assert.equal((result.errors[0]?.cause as Error).message, 'boom');
  });

  it('gives up on a hook that outlives the deadline', async () => {
    const shutdown = new Shutdown({ logger: memoryLogger().logger, deadlineMs: 30 });
    let sawAbort = false;
    shutdown.onShutdown('stuck', (deadline) => {
      return new Promise<void>((resolve) => {
        deadline.addEventListener('abort', () => {
          sawAbort = true;
          resolve();
        });
      });
    });
    const result = await shutdown.shutdown('test');
    assert.equal(result.errors[0]?.code, 'IRONLB_ERR_SHUTDOWN_TIMEOUT');
    assert.equal(sawAbort, true, 'the hook is told the deadline passed');
  });
});

describe('a daemon process', () => {
  const child = fileURLToPath(new URL('../../test/fixtures/daemon-child.ts', import.meta.url));

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`exits 0 on ${signal} after running its hooks, while serving /readyz before`, async () => {
      const proc = spawn(process.execPath, [child], { stdio: ['ignore', 'pipe', 'inherit'] });
      let output = '';
      proc.stdout.setEncoding('utf8');
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no port line; output: ${output}`)),
          10_000,
        );
        proc.stdout.on('data', (chunk: string) => {
          output += chunk;
          const match = /^PORT (\d+)$/m.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(Number(match[1]));
          }
        });
      });
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      assert.equal(res.status, 200);
      await res.text();
      proc.kill(signal);
      const [code] = (await once(proc, 'exit')) as [number | null];
      assert.equal(code, 0);
      const hookLines = output.split('\n').filter((l) => l.startsWith('HOOK '));
      assert.deepEqual(hookLines, ['HOOK loop-stopped', 'HOOK worker', 'HOOK store']);
    });
  }
});
