import { type WaitOptions, waitFor as pollUntil } from '../../src/common/wait-for.ts';
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeError, IronlbError } from '../../src/common/errors.ts';
import { BenchErrors } from './errors.ts';

/**
 * Processes, temporary directories and bounded waits for the benchmarks.
 * Everything started here is tracked, so an interrupted run (Ctrl-C, a thrown
 * error) can still stop every daemon and remove every directory it made.
 */

const liveProcesses = new Set<ManagedProcess>();
const liveDirs = new Set<string>();

/**
 * True while the process exists and is not a zombie (a killed daemon lingers
 * as a zombie until reaped, so `kill -0` would still succeed).
 */
export function isProcessRunning(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  const afterName = stat.lastIndexOf(')');
  const state = stat.slice(afterName + 2, afterName + 3);
  return state !== 'Z' && state !== 'X' && state !== '';
}

/** Peak resident set size (VmHWM) of a running process in KiB, or undefined once it is gone. */
export function peakRssKiB(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

/** Whether `command` is an executable on PATH (or an executable path). */
export function commandExists(command: string): boolean {
  const candidates = command.includes('/')
    ? [command]
    : (process.env['PATH'] ?? '').split(delimiter).map((dir) => join(dir, command));
  return candidates.some((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export type { WaitOptions } from '../../src/common/wait-for.ts';

/** Polls `probe` until it returns something other than undefined (see src/common/wait-for.ts). */
export function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  options: WaitOptions,
): Promise<T> {
  return pollUntil(probe, options, BenchErrors.IRONLB_ERR_BENCH_TIMEOUT);
}

/** A fresh directory under the system temp dir, removed by removeTempDir or on emergency stop. */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ironlb-bench-${prefix}-`));
  liveDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  liveDirs.delete(dir);
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface StartOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Open an IPC channel (for Node children: process.send / process.on('message')). */
  readonly ipc?: boolean;
}

const OUTPUT_TAIL_CHARS = 16 * 1024;

/** A process a benchmark started; stop() always ends it (TERM, then KILL) within a bound. */
export class ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves once the process has exited and been reaped. */
  readonly exited: Promise<ExitStatus>;
  #status: ExitStatus | undefined;
  #output = '';

  private constructor(name: string, child: ChildProcess) {
    if (child.pid === undefined) throw new Error(`${name}: spawned process has no pid`);
    this.name = name;
    this.child = child;
    this.pid = child.pid;
    this.exited = new Promise((resolve) => {
      // 'exit', not 'close': a grandchild holding the pipes open must not hide the exit.
      child.on('exit', (code, signal) => {
        this.#status = { code, signal };
        liveProcesses.delete(this);
        resolve(this.#status);
      });
    });
    for (const stream of [child.stdout, child.stderr]) {
      stream?.on('data', (chunk: Buffer) => {
        this.#output = (this.#output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
      });
    }
    liveProcesses.add(this);
  }

  /** Spawns `command`; resolves once it is running, rejects when it cannot be started at all. */
  static start(
    name: string,
    command: string,
    args: readonly string[],
    options: StartOptions = {},
  ): Promise<ManagedProcess> {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      // Its own process group, so stop() also reaches what it starts (ExaBGP's helper).
      detached: true,
      stdio: options.ipc === true ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    });
    return new Promise((resolve, reject) => {
      child.once('error', (err) =>
        reject(
          new IronlbError(BenchErrors.IRONLB_ERR_BENCH_PROCESS, `cannot start ${name}`, {
            cause: err,
          }),
        ),
      );
      child.once('spawn', () => resolve(new ManagedProcess(name, child)));
    });
  }

  get exitStatus(): ExitStatus | undefined {
    return this.#status;
  }

  get running(): boolean {
    return this.#status === undefined && isProcessRunning(this.pid);
  }

  /** The last 16 KiB of its stdout and stderr, interleaved. */
  get output(): string {
    return this.#output;
  }

  peakRssKiB(): number | undefined {
    return peakRssKiB(this.pid);
  }

  /** An error saying it exited (with its output), or undefined while it runs. */
  exitedError(): Error | undefined {
    const status = this.#status;
    if (status === undefined) return undefined;
    return new IronlbError(
      BenchErrors.IRONLB_ERR_BENCH_PROCESS,
      `${this.name} exited (${status.code ?? status.signal}): ${this.#output.trim().slice(-2000)}`,
    );
  }

  /** Signals the process group (the process and whatever it started). */
  signal(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      this.child.kill(signal); // the group is gone; the process may still be a zombie
    }
  }

  /**
   * SIGTERM to the process group, SIGKILL after `graceMs`; waits (bounded)
   * until the process is reaped, and kills what is left of its group.
   */
  async stop(graceMs = 3000): Promise<void> {
    if (this.#status !== undefined) {
      this.signal('SIGKILL'); // leftovers of the group, if any
      return;
    }
    this.signal('SIGTERM');
    if (await this.#exitsWithin(graceMs)) {
      this.signal('SIGKILL');
      return;
    }
    this.signal('SIGKILL');
    if (await this.#exitsWithin(5000)) return;
    throw new IronlbError(
      BenchErrors.IRONLB_ERR_BENCH_PROCESS,
      `${this.name} (pid ${this.pid}) did not exit after SIGKILL`,
    );
  }

  async #exitsWithin(ms: number): Promise<boolean> {
    const timer = sleep(ms, false);
    return Promise.race([this.exited.then(() => true), timer]);
  }
}

/**
 * Undo steps run in reverse order; every step runs even when an earlier one
 * fails. The errors come back so the caller can report them.
 */
export class Cleanup {
  readonly #steps: Array<{ what: string; run: () => unknown }> = [];

  defer(what: string, run: () => unknown): void {
    this.#steps.push({ what, run });
  }

  /** Stops a process when the cleanup runs. */
  process(proc: ManagedProcess, graceMs?: number): ManagedProcess {
    this.defer(`stop ${proc.name}`, () => proc.stop(graceMs));
    return proc;
  }

  tempDir(prefix: string): string {
    const dir = makeTempDir(prefix);
    this.defer(`remove ${dir}`, () => removeTempDir(dir));
    return dir;
  }

  async run(): Promise<string[]> {
    const errors: string[] = [];
    for (let step = this.#steps.pop(); step !== undefined; step = this.#steps.pop()) {
      try {
        await step.run();
      } catch (err) {
        errors.push(`${step.what}: ${describeError(err)}`);
      }
    }
    return errors;
  }
}

/** Last resort on SIGINT/SIGTERM: kill every tracked process, remove every tracked directory. */
export function emergencyStop(): void {
  for (const proc of liveProcesses) proc.signal('SIGKILL');
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  liveDirs.clear();
}

/** How many processes and directories are still tracked (a leak check for tests). */
export function liveResources(): { processes: number; dirs: number } {
  return { processes: liveProcesses.size, dirs: liveDirs.size };
}
