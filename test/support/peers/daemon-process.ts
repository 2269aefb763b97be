/**
 * A real routing daemon as a child process for interop tests: started in the
 * foreground with its output kept (the tail goes into failure messages),
 * paused and resumed (SIGSTOP/SIGCONT), killed, and stopped with a bounded
 * wait. "Gone" is read from /proc/PID/stat: a killed daemon may linger as a
 * zombie, which kill -0 would report as alive.
 */
import {
  type ChildProcess,
  execFile,
  spawn,
  type SpawnOptions,
  spawnSync,
} from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const OUTPUT_LIMIT = 64 * 1024;

export class DaemonProcess {
  readonly name: string;
  readonly #child: ChildProcess;
  #output = '';
  readonly #exited: Promise<void>;
  #exitCode: number | null = null;
  #exitSignal: NodeJS.Signals | null = null;

  constructor(name: string, command: string, args: readonly string[], options: SpawnOptions = {}) {
    this.name = name;
    this.#child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    const keep = (chunk: Buffer): void => {
      this.#output = (this.#output + chunk.toString()).slice(-OUTPUT_LIMIT);
    };
    this.#child.stdout?.on('data', keep);
    this.#child.stderr?.on('data', keep);
    this.#exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        this.#exitCode = code;
        this.#exitSignal = signal;
        resolve();
      });
      this.#child.once('error', (err) => {
        this.#output += `\nspawn failed: ${err.message}`;
        resolve();
      });
    });
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  get output(): string {
    return this.#output;
  }

  /** The end of the output, for assertion messages. */
  tail(chars = 3000): string {
    return `--- ${this.name} output (last ${chars} chars) ---\n${this.#output.slice(-chars)}`;
  }

  get running(): boolean {
    return this.#exitCode === null && this.#exitSignal === null && !processGone(this.pid);
  }

  pause(): void {
    this.#child.kill('SIGSTOP');
  }

  resume(): void {
    this.#child.kill('SIGCONT');
  }

  /** SIGKILL and wait until the process is gone. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.#child.kill('SIGKILL');
    await this.#waitGone(5000);
  }

  /** SIGCONT (in case it is paused), SIGTERM, SIGKILL after `graceMs`; resolves when it is gone. */
  async stop(graceMs = 3000): Promise<void> {
    if (!this.running) return;
    this.#child.kill('SIGCONT');
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
    try {
      await this.#waitGone(graceMs + 5000);
    } finally {
      clearTimeout(timer);
    }
  }

  async #waitGone(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([this.#exited, timeout]);
    clearTimeout(timer);
    if (!processGone(this.pid)) {
      throw new Error(`${this.name} (pid ${this.pid}) is still running after ${timeoutMs} ms`);
    }
  }
}

/** True when /proc has no live process of that pid (absent, or a zombie waiting to be reaped). */
export function processGone(pid: number): boolean {
  if (pid <= 0) return true;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return true;
  }
  // "pid (comm) S ...": the state follows the last ')' (comm may contain spaces or parens).
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state === 'Z' || state === 'X';
}

/** Polls `probe` until it returns something other than undefined; bounded. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  options: {
    readonly timeoutMs?: number;
    readonly intervalMs?: number;
    readonly context?: () => string;
  } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 50;
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (performance.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${why}${options.context ? `\n${options.context()}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A fresh temporary directory and its removal. */
export function temporaryDirectory(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `ironlb-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * Runs a query tool (birdc, vtysh, gobgp) with a bounded time, without
 * blocking the event loop (the session under test lives in this process).
 */
export function runTool(
  command: string,
  args: readonly string[],
  timeoutMs = 5000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err !== null) {
          reject(
            new Error(`${command} ${args.join(' ')} failed: ${err.message}\n${stderr}${stdout}`),
          );
        } else {
          resolve(stdout);
        }
      },
    );
  });
}

/** Why a daemon's binary is unusable here, or undefined. */
export function missingBinary(
  path: string,
  versionArgs: readonly string[] = ['--version'],
): string | undefined {
  if (path.startsWith('/') && !existsSync(path)) return `${path} is not installed`;
  const result = spawnSync(path, versionArgs, { encoding: 'utf8', timeout: 10_000 });
  return result.error === undefined ? undefined : `${path} is not installed`;
}
