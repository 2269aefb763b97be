import { type WaitOptions, waitFor as pollUntil } from '../../src/common/wait-for.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { IronlbError } from '../../src/common/errors.ts';
import { LabErrors } from './errors.ts';

/** Commands, processes and bounded waits: the lab's only I/O helpers. */

export interface CommandResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CommandOptions {
  /** Written to the command's standard input. */
  readonly input?: string;
  readonly timeoutMs?: number;
  /** Return a failed result instead of throwing. */
  readonly allowFailure?: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;

/** Runs a command to completion with a time limit; throws IRONLB_ERR_LAB_COMMAND on failure. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: CommandOptions = {},
): Promise<CommandResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin.on('error', () => {
      // The command may exit without reading its input; its exit status tells what happened.
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(
        new IronlbError(LabErrors.IRONLB_ERR_LAB_COMMAND, `cannot run ${command}`, { cause: err }),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result: CommandResult = {
        code,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      };
      if (code === 0 || options.allowFailure === true) {
        resolve(result);
        return;
      }
      const what = timedOut ? `timed out after ${timeoutMs} ms` : `exited with ${code ?? signal}`;
      reject(
        new IronlbError(
          LabErrors.IRONLB_ERR_LAB_COMMAND,
          `${command} ${args.join(' ')} ${what}: ${result.stderr.trim() || result.stdout.trim()}`,
        ),
      );
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Runs a command inside a network namespace (`ip netns exec` execs it: no wrapper process). */
export function runInNetns(
  netns: string,
  command: string,
  args: readonly string[],
  options: CommandOptions = {},
): Promise<CommandResult> {
  return runCommand('ip', ['netns', 'exec', netns, command, ...args], options);
}

/**
 * True while the process exists and is not a zombie. A killed daemon lingers
 * as a zombie until its parent reaps it, so `kill -0` would still succeed.
 */
export function isProcessRunning(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  // The command name is in parentheses and may contain spaces; the state follows the last ')'.
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X' && state !== '';
}

export type { WaitOptions } from '../../src/common/wait-for.ts';

/** Polls `probe` until it returns something other than undefined (see src/common/wait-for.ts). */
export function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  options: WaitOptions,
): Promise<T> {
  return pollUntil(probe, options, LabErrors.IRONLB_ERR_LAB_TIMEOUT);
}

/** Rejects with IRONLB_ERR_LAB_TIMEOUT when `promise` has not settled within `timeoutMs`. */
export async function withTimeout<T>(
  promise: Promise<T>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new IronlbError(
            LabErrors.IRONLB_ERR_LAB_TIMEOUT,
            `timed out after ${timeoutMs} ms waiting for ${what}`,
          ),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const OUTPUT_TAIL_BYTES = 64 * 1024;

export interface LabProcessOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Called with every complete line of stdout and stderr. */
  readonly onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A process the lab started in one of its namespaces; the lab stops it on destroy. */
export class LabProcess {
  readonly name: string;
  readonly netns: string;
  readonly pid: number;
  /** Resolves when the process has exited (and been reaped). */
  readonly exited: Promise<ExitStatus>;
  readonly #child: ChildProcess;
  #output = '';
  #exitStatus: ExitStatus | undefined;
  readonly #lineWaiters = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();

  private constructor(
    name: string,
    netns: string,
    child: ChildProcess,
    options: LabProcessOptions,
  ) {
    this.name = name;
    this.netns = netns;
    this.#child = child;
    if (child.pid === undefined) throw new Error('spawned process has no pid');
    this.pid = child.pid;
    this.exited = new Promise((resolve) => {
      // 'exit', not 'close': a grandchild holding the pipes open must not hide the exit.
      child.on('exit', (code, signal) => {
        this.#exitStatus = { code, signal };
        resolve(this.#exitStatus);
      });
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      let partial = '';
      child[stream]?.on('data', (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        this.#append(text);
        partial += text;
        const lines = partial.split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          options.onLine?.(line, stream);
          for (const waiter of this.#lineWaiters) {
            if (waiter.pattern.test(line)) {
              this.#lineWaiters.delete(waiter);
              waiter.resolve(line);
            }
          }
        }
      });
    }
  }

  /** Starts `command` inside `netns`; throws IRONLB_ERR_LAB_PROCESS if it cannot start. */
  static async start(
    name: string,
    netns: string,
    command: string,
    args: readonly string[],
    options: LabProcessOptions = {},
  ): Promise<LabProcess> {
    const child = spawn('ip', ['netns', 'exec', netns, command, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env ?? process.env,
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) =>
        reject(
          new IronlbError(LabErrors.IRONLB_ERR_LAB_PROCESS, `cannot start ${name}`, {
            cause: err,
          }),
        ),
      );
    });
    return new LabProcess(name, netns, child, options);
  }

  #append(text: string): void {
    this.#output += text;
    if (this.#output.length > OUTPUT_TAIL_BYTES) {
      this.#output = this.#output.slice(this.#output.length - OUTPUT_TAIL_BYTES);
    }
  }

  /** The last 64 KiB of stdout and stderr, interleaved. */
  output(): string {
    return this.#output;
  }

  get running(): boolean {
    return this.#exitStatus === undefined && isProcessRunning(this.pid);
  }

  get exitStatus(): ExitStatus | undefined {
    return this.#exitStatus;
  }

  /** Resolves with the first output line matching `pattern`; fails on exit or timeout. */
  async waitForLine(pattern: RegExp, timeoutMs: number): Promise<string> {
    const earlier = this.#output.split('\n').find((line) => pattern.test(line));
    if (earlier !== undefined) return earlier;
    let waiter: { pattern: RegExp; resolve: (line: string) => void } | undefined;
    const line = new Promise<string>((resolve) => {
      waiter = { pattern, resolve };
      this.#lineWaiters.add(waiter);
    });
    const timer = sleep(timeoutMs, 'timeout' as const, { ref: false });
    const outcome = await Promise.race([line, this.exited, timer]);
    if (waiter !== undefined) this.#lineWaiters.delete(waiter);
    if (typeof outcome === 'string' && outcome !== 'timeout') return outcome;
    const tail = this.#output.trim().split('\n').slice(-5).join(' | ');
    if (outcome === 'timeout') {
      throw new IronlbError(
        LabErrors.IRONLB_ERR_LAB_TIMEOUT,
        `${this.name} printed nothing matching ${pattern} within ${timeoutMs} ms; last output: ${tail}`,
      );
    }
    throw new IronlbError(
      LabErrors.IRONLB_ERR_LAB_PROCESS,
      `${this.name} exited (${outcome.code ?? outcome.signal}) before it was ready; last output: ${tail}`,
    );
  }

  /** Sends `signal`, waits up to `graceMs` for the exit, then SIGKILLs and waits again. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 1000): Promise<ExitStatus> {
    if (this.#exitStatus !== undefined) return this.#exitStatus;
    this.#child.kill(signal);
    const graceful = await Promise.race([this.exited, sleep(graceMs, undefined, { ref: false })]);
    if (graceful !== undefined) return graceful;
    this.#child.kill('SIGKILL');
    const killed = await Promise.race([this.exited, sleep(2000, undefined, { ref: false })]);
    if (killed !== undefined) return killed;
    throw new IronlbError(
      LabErrors.IRONLB_ERR_LAB_TIMEOUT,
      `${this.name} (pid ${this.pid}) did not exit after SIGKILL`,
    );
  }

  /** Sends a signal (e.g. SIGSTOP, SIGUSR2) without waiting for anything. */
  signal(signal: NodeJS.Signals): void {
    if (this.#exitStatus === undefined) this.#child.kill(signal);
  }

  /** Synchronous last resort (signal handlers, process exit): SIGKILL without waiting. */
  killNow(): void {
    if (this.#exitStatus === undefined) this.#child.kill('SIGKILL');
  }
}
