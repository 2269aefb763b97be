import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultPrefixOf } from './addressing.ts';
import { isProcessRunning, runCommand } from './processes.ts';

/**
 * Leaving nothing behind: the emergency path (signals, process exit) and
 * `cleanupStale` for what a crashed or SIGKILLed run left.
 */

/** Where a lab keeps its files; the owner's pid is in `owner.json`. */
export function runDirectory(prefix: string): string {
  return join(tmpdir(), `${prefix}lab`);
}

/** The namespaces currently present (`ip netns list`). */
export async function listNetns(): Promise<string[]> {
  const { stdout } = await runCommand('ip', ['netns', 'list']);
  return parseNetnsList(stdout);
}

/** `ip netns list` prints `name` or `name (id: N)` per line. */
export function parseNetnsList(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name.length > 0);
}

function netnsPidsSync(netns: string): number[] {
  const result = spawnSync('ip', ['netns', 'pids', netns], { encoding: 'utf8' });
  return parsePids(result.stdout ?? '');
}

function parsePids(stdout: string): number[] {
  return stdout
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/**
 * Synchronous teardown for the emergency path: kill everything in the
 * namespaces, delete them, remove the run directory. No waiting beyond what
 * `ip` itself does; the kernel frees a namespace when its last process is gone.
 */
export function destroyNowSync(namespaces: readonly string[], runDir: string | undefined): void {
  for (const netns of namespaces) for (const pid of netnsPidsSync(netns)) killQuietly(pid);
  for (const netns of namespaces) spawnSync('ip', ['netns', 'del', netns], { stdio: 'ignore' });
  if (runDir !== undefined) rmSync(runDir, { recursive: true, force: true });
}

type EmergencyCleanup = () => void;

const liveLabs = new Set<EmergencyCleanup>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function onSignal(signal: NodeJS.Signals): void {
  runEmergencyCleanups();
  uninstallHandlers();
  // Let the signal do what it would have done without us: terminate, unless someone else
  // handles it (then they already got it, and must not get it twice).
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function onExit(): void {
  runEmergencyCleanups();
}

function runEmergencyCleanups(): void {
  for (const cleanup of [...liveLabs]) {
    liveLabs.delete(cleanup);
    try {
      cleanup();
    } catch {
      // Best effort: cleanupStale() catches whatever is left.
    }
  }
}

let installed = false;

function installHandlers(): void {
  if (installed) return;
  installed = true;
  for (const signal of SIGNALS) process.on(signal, onSignal);
  process.on('exit', onExit);
}

function uninstallHandlers(): void {
  if (!installed) return;
  installed = false;
  for (const signal of SIGNALS) process.off(signal, onSignal);
  process.off('exit', onExit);
}

/**
 * Registers a lab's synchronous teardown to run on SIGINT/SIGTERM/SIGHUP or
 * process exit; the returned function unregisters it (after a normal destroy).
 */
export function registerEmergencyCleanup(cleanup: EmergencyCleanup): () => void {
  liveLabs.add(cleanup);
  installHandlers();
  return () => {
    liveLabs.delete(cleanup);
    if (liveLabs.size === 0) uninstallHandlers();
  };
}

export interface StaleCleanupReport {
  readonly namespaces: readonly string[];
  readonly killedPids: readonly number[];
  readonly directories: readonly string[];
}

function ownerAlive(prefix: string): boolean {
  try {
    const owner = JSON.parse(readFileSync(join(runDirectory(prefix), 'owner.json'), 'utf8')) as {
      pid?: unknown;
    };
    // This process counts as alive too: its own labs are torn down by their own handlers.
    return typeof owner.pid === 'number' && isProcessRunning(owner.pid);
  } catch {
    return false;
  }
}

/** Processes whose command line mentions `needle` (e.g. a run directory). */
function pidsMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes(needle)) pids.push(pid);
    } catch {
      // Exited meanwhile.
    }
  }
  return pids;
}

/**
 * Removes what earlier labs left: their namespaces (after killing every
 * process in them), processes still naming their run directory, and the run
 * directories. With a prefix, exactly that lab is removed. Without one, every
 * lab with a default prefix (`ilbXXXX-`) is removed unless the process that
 * created it is still running (another lab running at the same time).
 */
export async function cleanupStale(prefix?: string): Promise<StaleCleanupReport> {
  const prefixes = new Set<string>();
  const namespaces = await listNetns();
  if (prefix !== undefined) {
    prefixes.add(prefix);
  } else {
    for (const name of namespaces) {
      const found = defaultPrefixOf(name);
      if (found !== undefined) prefixes.add(found);
    }
    for (const entry of readdirSync(tmpdir())) {
      const found = entry.endsWith('lab') ? defaultPrefixOf(entry) : undefined;
      if (found !== undefined && entry === `${found}lab`) prefixes.add(found);
    }
    for (const p of [...prefixes]) if (ownerAlive(p)) prefixes.delete(p);
  }

  const doomedNamespaces = namespaces.filter((n) => [...prefixes].some((p) => n.startsWith(p)));
  const killed = new Set<number>();
  for (const netns of doomedNamespaces) {
    const { stdout } = await runCommand('ip', ['netns', 'pids', netns], { allowFailure: true });
    for (const pid of parsePids(stdout)) killed.add(pid);
  }
  for (const p of prefixes) for (const pid of pidsMentioning(`/${p}lab/`)) killed.add(pid);
  for (const pid of killed) killQuietly(pid);
  const deadline = performance.now() + 3000;
  while ([...killed].some(isProcessRunning) && performance.now() < deadline) await sleep(10);

  for (const netns of doomedNamespaces) {
    await runCommand('ip', ['netns', 'del', netns], { allowFailure: true });
  }
  const directories: string[] = [];
  for (const p of prefixes) {
    const dir = runDirectory(p);
    rmSync(dir, { recursive: true, force: true });
    directories.push(dir);
  }
  return { namespaces: doomedNamespaces, killedPids: [...killed], directories };
}
