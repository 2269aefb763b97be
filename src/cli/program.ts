import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { commands } from './commands/index.ts';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Builds the `ironlb` command; every subcommand lives in its own file under commands/. */
export function buildProgram(io: CliIo = processIo): Command {
  const program = new Command('ironlb')
    .description('Load balancers for Kubernetes on bare metal: IP allocation and BGP announcement.')
    .version(packageVersion(), '-V, --version', 'print the ironlb version')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError()
    .enablePositionalOptions();
  for (const register of commands) register(program, io);
  return program;
}
