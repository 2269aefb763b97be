import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

/** The standalone entry the lab uses: prints its URL, writes a kubeconfig, stops on SIGTERM. */
describe('standalone test API server', () => {
  it('serves until SIGTERM and then exits 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ironlb-apiserver-'));
    const kubeconfig = join(dir, 'kubeconfig');
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, 'main.ts'), '--port', '0', '--kubeconfig', kubeconfig],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    try {
      let stdout = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no URL printed; output so far: ${stdout}`)),
          20_000,
        );
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
          if (match?.[1] !== undefined && stdout.includes('kubeconfig written')) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
        child.once('exit', () => reject(new Error(`exited early: ${stdout}`)));
      });
      const version = (await (await fetch(`${url}/version`)).json()) as { gitVersion: string };
      assert.match(version.gitVersion, /^v1\.32\./);
      assert.match(await readFile(kubeconfig, 'utf8'), new RegExp(`server: ${url}`));

      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      assert.match(stdout, /SIGTERM: shutting down/);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
