import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  readonly cpuModel: string;
  /** Logical processors in /proc/cpuinfo. */
  readonly cores: number;
  readonly memoryMiB: number;
  readonly kernel: string;
  readonly node: string;
  /** 1-minute load average when the run started and ended: how busy the shared machine was. */
  readonly loadAverage: { readonly start: number; end?: number };
  /** First line of each peer's version output, or null when it is not installed. */
  readonly peers: Readonly<Record<string, string | null>>;
}

function cpuinfo(): { model: string; cores: number } {
  let text = '';
  try {
    text = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    // Not Linux: fall back to what Node reports.
  }
  const models = [...text.matchAll(/^model name\s*:\s*(.+)$/gm)].map((m) => m[1]!.trim());
  const cores = [...text.matchAll(/^processor\s*:/gm)].length;
  return {
    model: models[0] ?? os.cpus()[0]?.model ?? 'unknown',
    cores: cores > 0 ? cores : os.availableParallelism(),
  };
}

/** The first non-empty line a `--version` run prints (some print on stderr), or null. */
export function versionOf(command: string, args: readonly string[]): string | null {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
  if (result.error !== undefined) return null;
  const line = `${result.stdout}\n${result.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  return line ?? null;
}

export function peerVersions(): Record<string, string | null> {
  return {
    bird: versionOf('bird', ['--version']),
    gobgpd: versionOf('gobgpd', ['--version']),
    exabgp: versionOf('exabgp', ['--version']),
    frr: versionOf('/usr/lib/frr/bgpd', ['--version']),
  };
}

export function describeMachine(): MachineInfo {
  const cpu = cpuinfo();
  return {
    cpuModel: cpu.model,
    cores: cpu.cores,
    memoryMiB: Math.round(os.totalmem() / 2 ** 20),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    loadAverage: { start: os.loadavg()[0]! },
    peers: peerVersions(),
  };
}
