import type { Command } from 'commander';
import { buildProgram } from './program.ts';

export interface CliRun {
  readonly out: string;
  readonly err: string;
  /** The exit code the CLI asked for; undefined when it returned normally. */
  readonly exitCode: number | undefined;
}

function everyCommand(command: Command): Command[] {
  return [command, ...command.commands.flatMap(everyCommand)];
}

/** For tests: runs `ironlb ARGS` in this process, output captured and exits turned into a code. */
export async function runCli(args: readonly string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const program = buildProgram({ stdout: (t) => (out += t), stderr: (t) => (err += t) });
  // Subcommands copy these settings when created, so each needs its own.
  for (const command of everyCommand(program)) {
    command.exitOverride();
    command.configureOutput({ writeOut: (t) => (out += t), writeErr: (t) => (err += t) });
  }
  try {
    await program.parseAsync([...args], { from: 'user' });
    return { out, err, exitCode: undefined };
  } catch (e) {
    return { out, err, exitCode: (e as { exitCode: number }).exitCode };
  }
}
