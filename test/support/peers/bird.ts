/**
 * BIRD 2 as a test peer: one BGP protocol ("ironlb") towards our speaker,
 * a generated config in a temporary directory, queried with birdc (text
 * output, parsed here: BIRD has no JSON).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonProcess, missingBinary, runTool, temporaryDirectory } from './daemon-process.ts';
import type { PeerDaemon, PeerRoute } from './peer-route.ts';

export interface BirdOptions {
  readonly routerId: string;
  /** Where BIRD listens (and connects from). */
  readonly address: string;
  readonly port: number;
  readonly as: number;
  /** Our speaker. */
  readonly peerAddress: string;
  readonly peerPort: number;
  readonly peerAs: number;
  /** BIRD only accepts (our side connects). */
  readonly passive?: boolean;
  readonly holdTime?: number;
  readonly password?: string;
  readonly ttlSecurity?: boolean;
  readonly gracefulRestart?: boolean;
  /** Seconds BIRD keeps stale routes at most (graceful restart time), when set. */
  readonly gracefulRestartTime?: number;
  /** eBGP hop count ("multihop N;"); BIRD's default of 64 when absent. GTSM expects TTL ≥ 256 − N. */
  readonly multihop?: number;
}

export const BIRD_PROTOCOL = 'ironlb';

export function birdUnavailable(): string | undefined {
  return missingBinary('bird') ?? missingBinary('birdc', ['-h']);
}

export function birdConfig(o: BirdOptions): string {
  const internal = o.as === o.peerAs;
  const lines = [
    `local ${o.address} port ${o.port} as ${o.as};`,
    `neighbor ${o.peerAddress} port ${o.peerPort} as ${o.peerAs};`,
    'strict bind yes;',
    // eBGP over loopback is not "directly connected" to BIRD; iBGP is multihop anyway.
    ...(internal ? [] : [o.multihop === undefined ? 'multihop;' : `multihop ${o.multihop};`]),
    ...(o.passive === true ? ['passive on;'] : []),
    `connect delay time 1; connect retry time 1; error wait time 1,2; hold time ${o.holdTime ?? 9};`,
    ...(o.password !== undefined ? [`password "${o.password}";`] : []),
    ...(o.ttlSecurity === true ? ['ttl security on;'] : []),
    ...(o.gracefulRestart === true
      ? ['graceful restart on;', `graceful restart time ${o.gracefulRestartTime ?? 120};`]
      : []),
    'ipv4 { import all; export none; };',
    // Our IPv6 routes over an IPv4 session carry an IPv4-mapped next hop.
    'ipv6 { import all; export none; extended next hop on; };',
  ];
  return `log stderr all;
router id ${o.routerId};
protocol device {}
protocol bgp ${BIRD_PROTOCOL} {
${lines.map((l) => `  ${l}`).join('\n')}
}
`;
}

export class BirdPeer implements PeerDaemon {
  readonly name = 'bird';
  readonly options: BirdOptions;
  readonly #dir = temporaryDirectory('bird');
  #process: DaemonProcess | undefined;

  constructor(options: BirdOptions) {
    this.options = options;
  }

  get socket(): string {
    return join(this.#dir.path, 'bird.ctl');
  }

  get process(): DaemonProcess | undefined {
    return this.#process;
  }

  async start(): Promise<void> {
    const config = join(this.#dir.path, 'bird.conf');
    writeFileSync(config, birdConfig(this.options));
    this.#process = new DaemonProcess('bird', 'bird', [
      '-f',
      '-c',
      config,
      '-s',
      this.socket,
      '-P',
      join(this.#dir.path, 'bird.pid'),
    ]);
    // Ready once birdc answers.
    const deadline = performance.now() + 10_000;
    for (;;) {
      try {
        await this.birdc('show status');
        return;
      } catch (err) {
        if (!this.#process.running || performance.now() > deadline) {
          throw new Error(`bird did not start: ${String(err)}\n${this.tail()}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
  }

  /** Stops BIRD and removes its directory. */
  async stop(): Promise<void> {
    try {
      await this.#process?.stop();
    } finally {
      this.#dir.remove();
    }
  }

  /** Kills BIRD (SIGKILL) and starts it again with the same config. */
  async restart(): Promise<void> {
    await this.#process?.kill();
    await this.start();
  }

  tail(): string {
    return this.#process?.tail() ?? 'bird was not started';
  }

  birdc(command: string): Promise<string> {
    return runTool('birdc', ['-s', this.socket, ...command.split(' ')]);
  }

  async protocolInfo(): Promise<string> {
    return this.birdc(`show protocols all ${BIRD_PROTOCOL}`);
  }

  async established(): Promise<boolean> {
    return /BGP state:\s+Established/.test(await this.protocolInfo());
  }

  /** Every route from our speaker, with attributes (`show route all`). */
  async routes(): Promise<PeerRoute[]> {
    return parseBirdRoutes(await this.birdc(`show route all protocol ${BIRD_PROTOCOL}`));
  }

  /** Only the prefixes (cheaper for 10k routes). */
  async prefixes(): Promise<string[]> {
    const text = await this.birdc(`show route protocol ${BIRD_PROTOCOL}`);
    const prefixes: string[] = [];
    for (const line of text.split('\n')) {
      const match = /^(\S+\/\d+)\s/.exec(line);
      if (match?.[1] !== undefined) prefixes.push(match[1]);
    }
    return prefixes;
  }
}

/** Parses `birdc show route all`: a route line, then tab-indented attribute lines. */
export function parseBirdRoutes(text: string): PeerRoute[] {
  interface Draft {
    prefix: string;
    nextHop: string;
    asPath: number[];
    communities: string[];
    largeCommunities: string[];
    localPref: number | undefined;
    med: number | undefined;
  }
  const routes: Draft[] = [];
  let current: Draft | undefined;
  let lastPrefix = '';
  for (const line of text.split('\n')) {
    const head = /^(\S+\/\d+)?\s+(unicast|unreachable|blackhole|prohibited)\s+\[/.exec(line);
    if (head !== null) {
      lastPrefix = head[1] ?? lastPrefix;
      current = {
        prefix: lastPrefix,
        nextHop: '',
        asPath: [],
        communities: [],
        largeCommunities: [],
        localPref: undefined,
        med: undefined,
      };
      routes.push(current);
      continue;
    }
    const attribute = /^\s+BGP\.(\w+):\s*(.*)$/.exec(line);
    if (attribute === null || current === undefined) continue;
    const [, name, value = ''] = attribute;
    switch (name) {
      case 'as_path':
        current.asPath = value.trim() === '' ? [] : value.trim().split(/\s+/).map(Number);
        break;
      case 'next_hop':
        current.nextHop = value.trim().split(/\s+/)[0] ?? '';
        break;
      case 'local_pref':
        current.localPref = Number(value);
        break;
      case 'med':
        current.med = Number(value);
        break;
      case 'community':
        current.communities = [...value.matchAll(/\((\d+),(\d+)\)/g)].map((m) => `${m[1]}:${m[2]}`);
        break;
      case 'large_community':
        current.largeCommunities = [...value.matchAll(/\((\d+), (\d+), (\d+)\)/g)].map(
          (m) => `${m[1]}:${m[2]}:${m[3]}`,
        );
        break;
      default:
        break;
    }
  }
  return routes;
}
