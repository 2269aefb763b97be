/**
 * `npm run bench -- --smoke` end to end: every benchmark runs with tiny sizes
 * and one repetition, so the benchmark code cannot rot (convergence builds the
 * lab once, ~5–9 s, when run as root). Nothing here is timed;
 * it checks that the run succeeds, that the results file is well formed, and
 * that it leaves no process or temporary directory behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { benchmarks } from '../bench/benchmarks.ts';
import type { RunOutcome } from '../bench/lib/model.ts';
import { RESULTS_SCHEMA } from '../bench/lib/model.ts';
import { commandExists, isProcessRunning } from '../bench/lib/processes.ts';

const runScript = fileURLToPath(new URL('../bench/run.ts', import.meta.url));
// The run gets its own TMPDIR: whatever it leaves behind (directories, daemons
// started with files in them) is found there, and only there.
const sandbox = mkdtempSync(join(tmpdir(), 'ironlb-bench-smoke-'));
const tmp = join(sandbox, 'tmp');
const out = join(sandbox, 'results');
mkdirSync(tmp);
after(() => rmSync(sandbox, { recursive: true, force: true }));

/** Processes whose command line mentions the sandbox (daemons with their config in it). */
function processesUsingSandbox(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(sandbox) && isProcessRunning(Number(pid)))
        found.push(`${pid}: ${cmdline}`);
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

function run(
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', runScript, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TMPDIR: tmp },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGINT'), 150_000); // the run stops its daemons on SIGINT
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run bench -- --smoke', { timeout: 180_000 }, () => {
  it('runs every benchmark and writes well-formed results, leaving nothing behind', async () => {
    const result = await run(['--smoke', '--out', out]);
    assert.equal(result.code, 0, `bench --smoke failed:\n${result.stderr}\n${result.stdout}`);

    const files = readdirSync(out).sort();
    assert.equal(
      files.length,
      2,
      `expected <timestamp>.json and latest.json, got ${files.join(', ')}`,
    );
    assert.ok(files.includes('latest.json'));
    const results = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as RunOutcome;
    assert.deepEqual(
      JSON.parse(
        readFileSync(
          join(
            out,
            files.find((f) => f !== 'latest.json')!,
          ),
          'utf8',
        ),
      ),
      results,
    );

    assert.equal(results.schema, RESULTS_SCHEMA);
    assert.ok(Date.parse(results.startedAt) <= Date.parse(results.finishedAt));
    assert.equal(results.options['smoke'], true);
    assert.ok(results.machine.cores >= 1);
    assert.ok(results.machine.cpuModel.length > 0);
    assert.match(results.machine.node, /^v\d+\./);
    assert.deepEqual(Object.keys(results.machine.peers).sort(), [
      'bird',
      'exabgp',
      'frr',
      'gobgpd',
    ]);

    assert.deepEqual(
      results.benchmarks.map((b) => b.id),
      benchmarks.map((b) => b.id),
    );
    for (const benchmark of results.benchmarks) {
      const slot = benchmarks.find((b) => b.id === benchmark.id)?.notImplemented;
      if (slot !== undefined) {
        assert.equal(benchmark.status, 'not-implemented');
        assert.equal(benchmark.cases.length, 0);
        continue;
      }
      assert.equal(benchmark.status, 'ok', `${benchmark.id}: ${benchmark.reason ?? ''}`);
      assert.ok(benchmark.cases.length > 0, `${benchmark.id} has cases`);
      for (const c of benchmark.cases) {
        const where = `${benchmark.id}/${c.id}`;
        assert.ok(c.metrics.length > 0, `${where} declares metrics`);
        assert.ok(c.contenders.length > 0, `${where} has contenders`);
        for (const contender of c.contenders) {
          const at = `${where}/${contender.id}`;
          assert.notEqual(contender.status, 'failed', `${at}: ${contender.reason ?? ''}`);
          if (contender.status === 'skipped') {
            assert.ok((contender.reason ?? '').length > 0, `${at} says why it was skipped`);
            continue;
          }
          assert.equal(contender.samples.length, 1, `${at}: one repetition in smoke mode`);
          for (const sample of contender.samples) {
            for (const [key, value] of Object.entries(sample)) {
              assert.ok(Number.isFinite(value) && value >= 0, `${at}: ${key} = ${value}`);
            }
          }
          for (const [key, s] of Object.entries(contender.summary)) {
            assert.ok(s.min <= s.median && s.median <= s.max, `${at}: ${key} summary ordered`);
          }
          // Every declared metric the contender can produce is there (withdrawal may be n/a).
          const first = c.metrics[0]!.key;
          assert.ok(first in contender.summary, `${at} has ${first}`);
        }
        for (const ratio of c.ratios) {
          assert.ok(
            ratio.value === null || (Number.isFinite(ratio.value) && ratio.value > 0),
            `${where}: ${ratio.label}`,
          );
        }
      }
    }

    // The announce benchmark ran every contender whose daemon is installed.
    const announce = results.benchmarks.find((b) => b.id === 'announce')!;
    for (const c of announce.cases) {
      const status = new Map(c.contenders.map((k) => [k.id, k.status]));
      assert.equal(status.get('ironlb-codec'), 'ok', `${c.id}: the ironlb baseline ran`);
      assert.equal(status.get('ironlb-session'), 'ok', `${c.id}: the real Session ran`);
      for (const [id, command] of [
        ['bird', 'bird'],
        ['exabgp-config', 'exabgp'],
        ['exabgp-api', 'exabgp'],
        ['gobgpd', 'gobgpd'],
      ] as const) {
        if (commandExists(command)) assert.equal(status.get(id), 'ok', `${c.id}: ${id} ran`);
      }
      for (const id of ['ironlb-codec', 'ironlb-session']) {
        const ours = c.contenders.find((k) => k.id === id)!;
        assert.ok('withdrawRate' in ours.summary, `${c.id}: ${id} withdrawal measured`);
        assert.ok('senderPeakRssMiB' in ours.summary, `${c.id}: ${id} RSS measured`);
      }
    }

    // Convergence runs the whole system in the lab where it can (root, BIRD, nftables),
    // and otherwise says why in every case; either way it is no longer a slot.
    const convergence = results.benchmarks.find((b) => b.id === 'convergence')!;
    assert.equal(convergence.status, 'ok', convergence.reason ?? '');
    assert.deepEqual(
      convergence.cases.map((c) => c.id),
      ['service-created', 'last-pod-deleted', 'pod-added'],
    );
    const labPossible =
      process.getuid?.() === 0 && ['bird', 'birdc', 'nft'].every((c) => commandExists(c));
    for (const c of convergence.cases) {
      const [ironlb] = c.contenders;
      assert.equal(ironlb?.id, 'ironlb', `${c.id}: the ironlb contender is listed`);
      if (!labPossible) {
        assert.equal(ironlb.status, 'skipped', `${c.id}: skipped without root/BIRD/nftables`);
        continue;
      }
      assert.equal(ironlb.status, 'ok', `${c.id}: ${ironlb.reason ?? ''}`);
      for (const key of ['totalMs', 'speakerMs', 'bgpMs']) {
        assert.ok(key in ironlb.summary, `${c.id}: ${key} measured`);
      }
    }
    assert.match(result.stdout, /API → ToR \[ms\] p50 +p90 +p99 +max +min/);

    // Benchmark 4 ran the real daemons against BIRD; benchmark 2's start-up case moved no address.
    const scale = results.benchmarks.find((b) => b.id === 'speaker-scale')!;
    const services = scale.cases.find((c) => c.id === 'services')!;
    for (const contender of services.contenders) {
      if (commandExists('bird')) assert.equal(contender.status, 'ok', `${contender.id} ran`);
      if (contender.status !== 'ok') continue;
      for (const key of ['announcedS', 'controllerPeakRssMiB', 'speakerCpuS'])
        assert.ok((contender.summary[key]?.median ?? 0) > 0, `speaker-scale ${key} measured`);
    }
    const startup = results.benchmarks
      .find((b) => b.id === 'allocator')!
      .cases.find((c) => c.id === 'controller-startup')!;
    assert.ok(startup.contenders.length > 0);
    for (const contender of startup.contenders) {
      assert.equal(contender.status, 'ok', `controller-startup ${contender.id}`);
      assert.equal(contender.summary['changedIPs']?.max, 0, 'no address changed at start-up');
      assert.ok((contender.summary['readyS']?.median ?? 0) > 0);
    }

    assert.match(result.stdout, /ratios of medians/);
    // Node's compile cache (bin/ironlb.js turns it on; the lab's daemons use the default place,
    // $TMPDIR/node-compile-cache) is a cache kept across runs on purpose, not a leftover.
    assert.deepEqual(
      readdirSync(tmp).filter((entry) => entry !== 'node-compile-cache'),
      [],
      'temporary directories removed',
    );
    assert.deepEqual(processesUsingSandbox(), [], 'every daemon stopped');
  });

  it('lists the benchmarks, and refuses unknown ones and bad flags', async () => {
    const list = await run(['--list']);
    assert.equal(list.code, 0);
    for (const b of benchmarks) assert.match(list.stdout, new RegExp(`^${b.id} `, 'm'));
    const unknown = await run(['--only', 'nonsense', '--no-save']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown benchmark: nonsense/);
    const bad = await run(['--reps', 'many']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--reps needs a positive integer/);
  });
});
