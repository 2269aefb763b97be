/**
 * Running `ironlb speaker` as a real child process against the test API
 * server, and a BIRD 2 on loopback with one passive BGP protocol per speaker
 * session (named after it), queried with birdc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { Readiness } from '../../src/daemon/readiness.ts';
import { Shutdown } from '../../src/daemon/shutdown.ts';
import { memoryLogger } from '../../src/daemon/test-logger.ts';
import { startSpeaker, type RunningSpeaker } from '../../src/speaker/speaker.ts';
import { parseBirdRoutes } from '../support/peers/bird.ts';
import {
  DaemonProcess,
  runTool,
  temporaryDirectory,
  waitFor,
} from '../support/peers/daemon-process.ts';
import type { PeerRoute } from '../support/peers/peer-route.ts';

export const NAMESPACE = 'ironlb-system';

/** One passive protocol of the test BIRD: who connects from where, with which ASes. */
export interface BirdProtocol {
  /** Protocol name (letters, digits, underscores). */
  readonly name: string;
  /** The speaker's source address (BIRD's neighbor). */
  readonly neighbor: string;
  /** Where BIRD listens for this protocol; the BIRD's address by default. */
  readonly local?: string;
  readonly localAs: number;
  readonly neighborAs: number;
  readonly gracefulRestart?: boolean;
}

/** A BIRD listening on `address:port` with one passive protocol per speaker session. */
export class TestBird {
  readonly address: string;
  readonly port: number;
  readonly #protocols: readonly BirdProtocol[];
  readonly #dir = temporaryDirectory('speaker-bird');
  #process: DaemonProcess | undefined;

  constructor(address: string, port: number, protocols: readonly BirdProtocol[]) {
    this.address = address;
    this.port = port;
    this.#protocols = protocols;
  }

  config(): string {
    const blocks = this.#protocols.map((p) => {
      const internal = p.localAs === p.neighborAs;
      const lines = [
        `local ${p.local ?? this.address} port ${this.port} as ${p.localAs};`,
        `neighbor ${p.neighbor} as ${p.neighborAs};`,
        'strict bind yes;',
        'passive on;',
        ...(internal ? [] : ['multihop;']),
        'connect delay time 1; connect retry time 1; error wait time 1,2; hold time 9;',
        ...(p.gracefulRestart === true
          ? ['graceful restart on;', 'graceful restart time 120;']
          : []),
        'ipv4 { import all; export none; };',
        'ipv6 { import all; export none; extended next hop on; };',
      ];
      return `protocol bgp ${p.name} {\n${lines.map((l) => `  ${l}`).join('\n')}\n}`;
    });
    return `log stderr all;\nrouter id ${this.address};\nprotocol device {}\n${blocks.join('\n')}\n`;
  }

  get socket(): string {
    return join(this.#dir.path, 'bird.ctl');
  }

  async start(): Promise<void> {
    const file = join(this.#dir.path, 'bird.conf');
    writeFileSync(file, this.config());
    this.#process = new DaemonProcess('bird', 'bird', ['-f', '-c', file, '-s', this.socket]);
    await waitFor(
      'bird to answer birdc',
      async () => ((await this.birdc('show status')) === '' ? undefined : true),
      { timeoutMs: 10_000, intervalMs: 25, context: () => this.tail() },
    );
  }

  async stop(): Promise<void> {
    try {
      await this.#process?.stop();
    } finally {
      this.#dir.remove();
    }
  }

  tail(): string {
    return this.#process?.tail() ?? 'bird was not started';
  }

  birdc(command: string): Promise<string> {
    return runTool('birdc', ['-s', this.socket, ...command.split(' ')]);
  }

  /** Routes learned over one protocol, with attributes. */
  async routes(protocol: string): Promise<PeerRoute[]> {
    return parseBirdRoutes(await this.birdc(`show route all protocol ${protocol}`));
  }

  async protocolInfo(protocol: string): Promise<string> {
    return this.birdc(`show protocols all ${protocol}`);
  }

  async established(protocol: string): Promise<boolean> {
    return /BGP state:\s+Established/.test(await this.protocolInfo(protocol));
  }
}

const bin = fileURLToPath(new URL('../../bin/ironlb.js', import.meta.url));

export interface SpeakerProcess {
  readonly node: string;
  readonly process: ChildProcess;
  /** JSON log lines so far. */
  readonly lines: Array<Record<string, unknown>>;
  httpPort(): Promise<number>;
  readonly exited: Promise<number | string>;
  stderr(): string;
  /** The last log lines, for assertion messages. */
  tail(count?: number): string;
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | string>;
}

/** Starts `ironlb speaker` with NODE_NAME from the environment (as the DaemonSet does). */
export function spawnSpeaker(
  kubeconfigPath: string,
  node: string,
  extraArgs: readonly string[] = [],
): SpeakerProcess {
  const child = spawn(
    process.execPath,
    [
      bin,
      'speaker',
      '--kubeconfig',
      kubeconfigPath,
      '--namespace',
      NAMESPACE,
      '--http-host',
      '127.0.0.1',
      '--http-port',
      '0',
      '--log-level',
      'debug',
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_NAME: node } },
  );
  const lines: Array<Record<string, unknown>> = [];
  createInterface(child.stdout).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      lines.push({ msg: line });
    }
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  const tail = (count = 40): string =>
    `--- speaker ${node} (last ${count} log lines) ---\n${lines
      .slice(-count)
      .map((l) => JSON.stringify(l))
      .join('\n')}\n${stderr}`;
  return {
    node,
    process: child,
    lines,
    exited,
    stderr: () => stderr,
    tail,
    async httpPort() {
      await waitFor('the speaker to listen', () =>
        lines.some((l) => l.msg === 'http listening') ? true : undefined,
      );
      return Number(lines.find((l) => l.msg === 'http listening')!.port);
    },
    kill(signal) {
      child.kill(signal);
    },
    async stop(graceMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** A metric's value from a Prometheus text exposition (first series whose labels all match). */
export function metricValue(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const matches = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (!matches) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

export interface InProcessSpeaker {
  readonly speaker: RunningSpeaker;
  readonly registry: Registry;
  readonly readiness: Readiness;
  readonly logs: () => Array<Record<string, unknown>>;
  /** Graceful shutdown (the SIGTERM path); throws when it was not clean. */
  stop(): Promise<void>;
}

/** startSpeaker (what `ironlb speaker` runs) in this process, with short backoffs. */
export function startSpeakerInProcess(
  kubeConfig: KubeConfig,
  nodeName: string,
  options: { drainMs?: number } = {},
): InProcessSpeaker {
  const { logger, lines } = memoryLogger(`speaker-${nodeName}`);
  const registry = new Registry();
  const readiness = new Readiness();
  const shutdown = new Shutdown({ logger, deadlineMs: 20_000 });
  const speaker = startSpeaker({
    kubeConfig,
    nodeName,
    namespace: NAMESPACE,
    drainMs: options.drainMs ?? 100,
    logger,
    registry,
    readiness,
    shutdown,
    signal: shutdown.signal,
    minBackoffMs: 20,
    maxBackoffMs: 500,
  });
  return {
    speaker,
    registry,
    readiness,
    logs: lines,
    async stop() {
      const result = await shutdown.shutdown('test');
      if (!result.clean)
        throw new Error(`unclean shutdown: ${result.errors.map(String).join('; ')}`);
    },
  };
}
