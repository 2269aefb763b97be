import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProgram } from './program.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

function run(args: string[]): { out: string; err: string; exitCode: number | undefined } {
  let out = '';
  let err = '';
  const program = buildProgram({ stdout: (t) => (out += t), stderr: (t) => (err += t) });
  program.exitOverride();
  try {
    program.parse(args, { from: 'user' });
    return { out, err, exitCode: undefined };
  } catch (e) {
    return { out, err, exitCode: (e as { exitCode: number }).exitCode };
  }
}

describe('ironlb CLI', () => {
  it('--version prints the package version', () => {
    const { out, exitCode } = run(['--version']);
    assert.equal(out.trim(), pkg.version);
    assert.equal(exitCode, 0);
  });

  it('--help describes the tool', () => {
    const { out, exitCode } = run(['--help']);
    assert.match(out, /Usage: ironlb/);
    assert.match(out, /bare metal/);
    assert.equal(exitCode, 0);
  });

  it('an unknown command is an error', () => {
    const { err, exitCode } = run(['no-such-command']);
    assert.notEqual(exitCode, 0);
    assert.match(err, /unknown command|too many arguments/);
  });

  it('the bin script runs under the pinned Node', () => {
    const bin = fileURLToPath(new URL('../../bin/ironlb.js', import.meta.url));
    const out = execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    assert.equal(out.trim(), pkg.version);
  });

  it('the bin script runs directly, with its Node flags (#!/usr/bin/env -S node …)', () => {
    const bin = fileURLToPath(new URL('../../bin/ironlb.js', import.meta.url));
    const shebang = readFileSync(bin, 'utf8').split('\n', 1)[0];
    assert.match(shebang ?? '', /^#!\/usr\/bin\/env -S node --max-semi-space-size=\d+$/);
    // npm puts the pinned Node first on PATH for scripts; the shebang finds it the same way.
    const path = `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`;
    const out = execFileSync(bin, ['--version'], {
      encoding: 'utf8',
      env: { ...process.env, PATH: path },
    });
    assert.equal(out.trim(), pkg.version);
  });

  it('registers every subcommand without loading what they run (Kubernetes client, daemons)', () => {
    // Records every module the CLI loads while it builds the program and prints each --help.
    const script = `
      import { registerHooks } from 'node:module';
      const loaded = [];
      registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
      const { buildProgram } = await import(${JSON.stringify(new URL('./program.ts', import.meta.url).href)});
      const program = buildProgram({ stdout: () => {}, stderr: () => {} });
      const every = (c) => [c, ...c.commands.flatMap(every)];
      for (const command of every(program)) command.exitOverride();
      for (const command of every(program)) {
        const path = [];
        for (let c = command; c.parent; c = c.parent) path.unshift(c.name());
        try { await program.parseAsync([...path, '--help'], { from: 'user' }); } catch {}
      }
      process.stdout.write(JSON.stringify(loaded));
    `;
    const loaded = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
    ) as string[];
    assert.ok(
      loaded.some((url) => url.endsWith('/src/cli/commands/speaker.ts')),
      'the hook saw the CLI',
    );
    for (const heavy of [
      '@kubernetes/client-node',
      'typebox',
      'pino',
      '/src/speaker/speaker.ts',
      '/src/controller/controller.ts',
      '/src/bgp/session.ts',
      '/src/config/index.ts',
    ]) {
      assert.deepEqual(
        loaded.filter((url) => url.includes(heavy)),
        [],
        `${heavy} is loaded only when its command runs`,
      );
    }
  });
});
