import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { IronlbError } from '../../src/common/errors.ts';
import { BirdControl, parseBirdTime, wallClockMs } from '../lib/bird-control.ts';
import { BenchErrors } from '../lib/errors.ts';
import { type Cleanup, ManagedProcess, waitFor } from '../lib/processes.ts';

/**
 * The receiving BIRD: one per benchmark run, on loopback, `import all; export
 * none`, no kernel protocol. Every contender has its own BGP protocol in it
 * (matched by the contender's own 127.x address), so contenders never mix.
 */

export type Family = 'ipv4' | 'ipv6';

export interface ReceiverPeer {
  /** BIRD protocol name. */
  readonly protocol: string;
  readonly address: string;
  readonly asn: number;
  /** Set when BIRD dials the contender (which then listens there); otherwise BIRD is passive. */
  readonly dialPort?: number;
}

export interface ReceiverOptions {
  readonly dir: string;
  readonly address: string;
  readonly port: number;
  readonly asn: number;
  readonly peers: readonly ReceiverPeer[];
  readonly pollMs: number;
}

export interface ProtocolStatus {
  readonly state: string;
  /** When the protocol last changed state (Established for BGP "up"), epoch ms from BIRD's clock. */
  readonly sinceMs: number | undefined;
  readonly bgpState: string | undefined;
  readonly lastError: string | undefined;
  /** Routes imported per channel. */
  readonly routes: Readonly<Partial<Record<Family, number>>>;
}

/** The text of `show protocols all NAME` as a status. */
export function parseProtocolStatus(lines: readonly string[]): ProtocolStatus {
  let state = 'unknown';
  let sinceMs: number | undefined;
  let bgpState: string | undefined;
  let lastError: string | undefined;
  let channel: Family | undefined;
  const routes: Partial<Record<Family, number>> = {};
  for (const line of lines) {
    const row = /^\S+\s+BGP\s+\S+\s+(\S+)\s+(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?)/.exec(line);
    if (row !== null) {
      state = row[1]!;
      sinceMs = parseBirdTime(row[2]!);
      continue;
    }
    const bgp = /^\s*BGP state:\s+(\S+)/.exec(line);
    if (bgp !== null) bgpState = bgp[1];
    const error = /^\s*Last error:\s+(.+)$/.exec(line);
    if (error !== null) lastError = error[1]!.trim();
    const ch = /^\s*Channel (ipv4|ipv6)\s*$/.exec(line);
    if (ch !== null) channel = ch[1] as Family;
    const imported = /^\s*Routes:\s+(\d+) imported/.exec(line);
    if (imported !== null && channel !== undefined) routes[channel] = Number(imported[1]);
  }
  return { state, sinceMs, bgpState, lastError, routes };
}

/** The newest import timestamp in `show route` output ("[proto 2025-11-26 01:12:29.784 from …]"). */
export function newestRouteTime(lines: readonly string[]): number | undefined {
  let newest = '';
  const pattern = /\[\S+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)/;
  for (const line of lines) {
    const match = pattern.exec(line);
    // Same fixed-width format throughout: text order is time order.
    if (match !== null && match[1]! > newest) newest = match[1]!;
  }
  return newest === '' ? undefined : parseBirdTime(newest);
}

export function receiverConfig(options: Omit<ReceiverOptions, 'dir' | 'pollMs'>): string {
  const protocols = options.peers.map((peer) => {
    const where =
      peer.dialPort === undefined
        ? `neighbor ${peer.address} as ${peer.asn}; passive;`
        : `neighbor ${peer.address} port ${peer.dialPort} as ${peer.asn};`;
    return `protocol bgp ${peer.protocol} from sender { ${where} }`;
  });
  return `# ironlb bench: the receiving BIRD (generated)
router id ${options.address};
log stderr { warning, error, fatal };
timeformat route iso long ms;
timeformat protocol iso long ms;
protocol device { scan time 60; }
template bgp sender {
  local ${options.address} port ${options.port} as ${options.asn};
  strict bind yes;
  multihop;
  connect delay time 1; connect retry time 1; error wait time 1,2;
  hold time 240;
  ipv4 { import all; export none; };
  ipv6 { import all; export none; };
}
${protocols.join('\n')}
`;
}

export class Receiver {
  readonly options: ReceiverOptions;
  readonly #process: ManagedProcess;
  readonly #control: BirdControl;

  private constructor(options: ReceiverOptions, proc: ManagedProcess, control: BirdControl) {
    this.options = options;
    this.#process = proc;
    this.#control = control;
  }

  static async start(options: ReceiverOptions, cleanup: Cleanup): Promise<Receiver> {
    const config = join(options.dir, 'receiver.conf');
    const socket = join(options.dir, 'receiver.ctl');
    writeFileSync(config, receiverConfig(options));
    const proc = cleanup.process(
      await ManagedProcess.start('receiving bird', 'bird', ['-f', '-c', config, '-s', socket]),
    );
    const control = await waitFor(() => BirdControl.connect(socket, 2000), {
      timeoutMs: 10_000,
      what: 'the receiving BIRD control socket',
      giveUpIf: () => proc.exitedError(),
    });
    cleanup.defer('close the receiver control connection', () => control.close());
    return new Receiver(options, proc, control);
  }

  get version(): Promise<string> {
    return this.#control.text('show status').then((lines) => lines[0] ?? '');
  }

  peakRssKiB(): number | undefined {
    return this.#process.peakRssKiB();
  }

  async status(protocol: string): Promise<ProtocolStatus> {
    return parseProtocolStatus(await this.#control.text(`show protocols all ${protocol}`));
  }

  /** Waits until the session is Established; returns BIRD's time of it (epoch ms). */
  async waitEstablished(
    protocol: string,
    timeoutMs: number,
    giveUpIf?: () => Error | undefined,
  ): Promise<number> {
    return waitFor(
      async () => {
        const status = await this.status(protocol);
        return status.bgpState === 'Established' ? (status.sinceMs ?? wallClockMs()) : undefined;
      },
      {
        timeoutMs,
        intervalMs: this.options.pollMs,
        what: `BGP session ${protocol} Established`,
        ...(giveUpIf === undefined ? {} : { giveUpIf }),
      },
    );
  }

  /** Waits until the session is no longer Established. */
  async waitDown(protocol: string, timeoutMs: number): Promise<void> {
    await waitFor(
      async () => ((await this.status(protocol)).bgpState === 'Established' ? undefined : true),
      {
        timeoutMs,
        intervalMs: this.options.pollMs,
        what: `BGP session ${protocol} down`,
      },
    );
  }

  /**
   * Polls the route count of one channel every pollMs over the one control
   * connection until it equals `target`; returns the wall-clock time of the
   * reply that showed it. With `established`, a session that drops fails at once.
   */
  async waitRouteCount(
    protocol: string,
    family: Family,
    target: number,
    options: { timeoutMs: number; established: boolean; giveUpIf?: () => Error | undefined },
  ): Promise<number> {
    const deadline = performance.now() + options.timeoutMs;
    let last: ProtocolStatus | undefined;
    for (;;) {
      const failure = options.giveUpIf?.();
      if (failure !== undefined) throw failure;
      last = await this.status(protocol);
      const now = wallClockMs();
      if ((last.routes[family] ?? 0) === target) return now;
      if (options.established && last.bgpState !== 'Established') {
        throw new IronlbError(
          BenchErrors.IRONLB_ERR_BENCH_PEER,
          `session ${protocol} is ${last.bgpState ?? last.state} (last error: ${last.lastError ?? 'none'}) with ${last.routes[family] ?? 0} of ${target} routes`,
        );
      }
      if (performance.now() >= deadline) {
        throw new IronlbError(
          BenchErrors.IRONLB_ERR_BENCH_TIMEOUT,
          `${protocol}: ${last.routes[family] ?? 0} ${family} routes after ${options.timeoutMs} ms, waiting for ${target}`,
        );
      }
      await sleep(this.options.pollMs);
    }
  }

  /** BIRD's import time of the newest route of the protocol in the family's table (epoch ms). */
  async newestImport(protocol: string, family: Family): Promise<number | undefined> {
    const table = family === 'ipv4' ? 'master4' : 'master6';
    return newestRouteTime(
      await this.#control.text(`show route table ${table} protocol ${protocol}`, 120_000),
    );
  }
}
