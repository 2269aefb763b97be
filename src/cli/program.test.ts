import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
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
});
