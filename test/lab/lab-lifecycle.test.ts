import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isIronlbError } from '../../src/common/errors.ts';
import { randomPrefix } from './addressing.ts';
import { cleanupStale, listNetns } from './cleanup.ts';
import { LabErrors } from './errors.ts';
import { Lab } from './lab.ts';
import type { LabProcess } from './processes.ts';
import { isProcessRunning } from './processes.ts';

const isRoot = process.getuid?.() === 0;
const CHILD = join(import.meta.dirname, 'fixtures', 'lab-child.ts');

/** Every fixture process started, so `after` can kill any that a failed test left running. */
const children: Array<ReturnType<typeof spawn>> = [];

interface ChildReport {
  prefix: string;
  runDir: string;
  namespaces: string[];
  pids: number[];
}

async function leftovers(prefix: string): Promise<string[]> {
  return (await listNetns()).filter((ns) => ns.startsWith(prefix));
}

/** Starts the fixture and resolves with its report once the lab is up. */
async function startChild(
  prefix: string,
  mode: 'wait' | 'throw',
): Promise<{ report: ChildReport; child: ReturnType<typeof spawn>; exited: Promise<unknown> }> {
  const child = spawn(process.execPath, [CHILD, prefix, mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((resolve) =>
    child.on('close', (code, signal) => resolve(signal ?? code)),
  );
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const report = await new Promise<ChildReport>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child timed out: ${err}`)), 15_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(JSON.parse(out.split('\n')[0]!) as ChildReport);
      }
    });
    void exited.then(() => reject(new Error(`child exited early: ${err}`)));
  });
  return { report, child, exited };
}

async function assertNothingLeft(report: ChildReport): Promise<void> {
  assert.deepEqual(await leftovers(report.prefix), [], 'namespaces left behind');
  for (const pid of report.pids) assert.ok(!isProcessRunning(pid), `process ${pid} left behind`);
  assert.ok(!existsSync(report.runDir), 'run directory left behind');
}

describe('lab lifecycle', { skip: isRoot ? false : 'needs root (network namespaces)' }, () => {
  const prefixes: string[] = [];
  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    for (const prefix of prefixes) await cleanupStale(prefix);
  });

  it('destroy() leaves no namespace, process or file; a live lab is safe from cleanupStale()', async () => {
    const lab = await Lab.create({ nodes: 2 });
    prefixes.push(lab.prefix);
    try {
      await lab.addPod(2, 'web-1');
      const speaker = await lab.spawnInNode(2, 'ip', ['netns', 'identify']);
      assert.equal((await speaker.exited).code, 0);
      assert.equal(speaker.output().trim(), lab.node(2).netns);
      const mgmt = await lab.spawnInMgmt('sleep', ['30']);
      assert.ok(mgmt.running);

      // Another lab may not take over this prefix, and its failure must not hurt this lab.
      await assert.rejects(Lab.create({ prefix: lab.prefix }), (err) =>
        isIronlbError(err, LabErrors.IRONLB_ERR_LAB_OPTIONS),
      );
      await cleanupStale();
      assert.equal((await leftovers(lab.prefix)).length, lab.namespaces.length);
      assert.ok(existsSync(lab.runDir));
      assert.equal(lab.namespaces.length, 6, 'tor, client, mgmt, 2 nodes, 1 pod');
      assert.ok(lab.processes.length >= 5, 'tor and node BIRDs, pod, sleep');

      const pids = lab.processes.map((p) => p.pid);
      await lab.destroy();
      await assertNothingLeft({ prefix: lab.prefix, runDir: lab.runDir, namespaces: [], pids });
      await assert.rejects(lab.addPod(1, 'late'), (err) =>
        isIronlbError(err, LabErrors.IRONLB_ERR_LAB_DESTROYED),
      );
    } finally {
      await lab.destroy();
    }
  });

  it('a bring-up that fails (BIRD refuses its configuration) is torn down', async () => {
    const prefix = randomPrefix();
    prefixes.push(prefix);
    await assert.rejects(
      // BIRD accepts hold times of 0 or 3–65535 s only.
      Lab.create({ nodes: 1, prefix, timers: { holdTimeSeconds: 1 } }),
      (err) =>
        isIronlbError(err, LabErrors.IRONLB_ERR_LAB_PROCESS) &&
        /bird exited: .*Hold time must be/.test(err.message),
    );
    assert.deepEqual(await leftovers(prefix), []);
  });

  it('refuses bad options before touching anything', async () => {
    await assert.rejects(Lab.create({ nodes: 0 }), (err) =>
      isIronlbError(err, LabErrors.IRONLB_ERR_LAB_OPTIONS),
    );
    await assert.rejects(Lab.create({ pools: ['10.0.0.0/8'] }), /documentation ranges/);
  });

  it('cleans up after SIGTERM, SIGINT and an uncaught exception; cleanupStale() after SIGKILL', async () => {
    const runs = await Promise.all(
      (['SIGTERM', 'SIGINT', 'throw', 'SIGKILL'] as const).map(async (how) => {
        const prefix = randomPrefix();
        prefixes.push(prefix);
        const started = await startChild(prefix, how === 'throw' ? 'throw' : 'wait');
        assert.equal(
          (await leftovers(prefix)).length,
          6,
          `${how}: tor, client, mgmt, 2 nodes, 1 pod`,
        );
        assert.ok(started.report.namespaces.some((ns) => ns.includes('pod-web-1')));
        if (how !== 'throw') started.child.kill(how);
        return { how, ...started, outcome: await started.exited };
      }),
    );
    for (const run of runs) {
      if (run.how === 'SIGKILL') continue;
      assert.ok(
        run.outcome === run.how || run.outcome === 1,
        `${run.how}: exit ${String(run.outcome)}`,
      );
      await assertNothingLeft(run.report);
    }
    const killed = runs.find((r) => r.how === 'SIGKILL')!;
    assert.equal(killed.outcome, 'SIGKILL');
    assert.ok((await leftovers(killed.report.prefix)).length > 0, 'SIGKILL leaves the lab behind');
    const cleaned = await cleanupStale(killed.report.prefix);
    assert.equal(cleaned.namespaces.length, 6);
    await assertNothingLeft(killed.report);
  });

  it('LabProcess.stop escalates to SIGKILL when a process ignores SIGTERM', async () => {
    const lab = await Lab.create({ nodes: 1, waitForFabric: false });
    prefixes.push(lab.prefix);
    try {
      const stubborn: LabProcess = await lab.spawnInMgmt('sh', [
        '-c',
        'trap "" TERM; echo armed; sleep 30',
      ]);
      await stubborn.waitForLine(/armed/, 5000);
      const status = await stubborn.stop('SIGTERM', 200);
      assert.equal(status.signal, 'SIGKILL');
      assert.ok(!isProcessRunning(stubborn.pid));
    } finally {
      await lab.destroy();
    }
  });
});
