/**
 * ExaBGP as a test peer: what it receives goes through its JSON API to a
 * helper process that appends it to a file; the routes are the fold of
 * those messages — a byte-accurate oracle of what we sent.
 *
 * ExaBGP 4.2.21 cannot parse an RFC 9003 shutdown communication (a bytes/str
 * formatting bug in its Notification class): a Cease with a message makes it
 * log a decode error and answer 1/0 while the session closes anyway.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonProcess, missingBinary, temporaryDirectory, waitFor } from './daemon-process.ts';
import type { PeerDaemon, PeerRoute } from './peer-route.ts';

export interface ExabgpOptions {
  readonly routerId: string;
  readonly address: string;
  readonly port: number;
  readonly as: number;
  readonly peerAddress: string;
  readonly peerPort: number;
  readonly peerAs: number;
  readonly passive?: boolean;
}

export function exabgpUnavailable(): string | undefined {
  return missingBinary('exabgp');
}

interface ExaAttributes {
  readonly 'as-path'?: readonly number[];
  readonly med?: number;
  readonly 'local-preference'?: number;
  readonly community?: ReadonlyArray<readonly [number, number]>;
  readonly 'large-community'?: ReadonlyArray<readonly [number, number, number]>;
}

interface ExaLine {
  readonly type?: string;
  readonly neighbor?: {
    readonly state?: string;
    readonly message?: {
      readonly update?: {
        readonly attribute?: ExaAttributes;
        readonly announce?: Record<
          string,
          Record<string, ReadonlyArray<{ readonly nlri: string }>>
        >;
        readonly withdraw?: Record<string, ReadonlyArray<{ readonly nlri: string }>>;
      };
    };
  };
}

export class ExabgpPeer implements PeerDaemon {
  readonly name = 'exabgp';
  readonly options: ExabgpOptions;
  readonly #dir = temporaryDirectory('exabgp');
  #process: DaemonProcess | undefined;

  constructor(options: ExabgpOptions) {
    this.options = options;
  }

  get receivedFile(): string {
    return join(this.#dir.path, 'received.jsonl');
  }

  async start(): Promise<void> {
    const o = this.options;
    const dump = join(this.#dir.path, 'dump.sh');
    // The shell keeps ExaBGP's pipe open (with exec, cat's redirected stdout looks like a death).
    writeFileSync(dump, `#!/bin/sh\ncat >> '${this.receivedFile}'\n`);
    chmodSync(dump, 0o755);
    const config = join(this.#dir.path, 'exabgp.conf');
    writeFileSync(
      config,
      `process dump {
  run ${dump};
  encoder json;
}
neighbor ${o.peerAddress} {
  router-id ${o.routerId};
  local-address ${o.address};
  local-as ${o.as};
  peer-as ${o.peerAs};
  hold-time 9;
${o.passive === true ? '  passive;\n' : ''}  connect ${o.peerPort};
  listen ${o.port};
  family { ipv4 unicast; ipv6 unicast; }
  api {
    processes [ dump ];
    neighbor-changes;
    receive { parsed; update; }
  }
}
`,
    );
    this.#process = new DaemonProcess('exabgp', 'exabgp', [config], {
      cwd: this.#dir.path,
      env: {
        ...process.env,
        'exabgp.daemon.user': 'root',
        'exabgp.daemon.drop': 'false',
        'exabgp.api.cli': 'false',
        'exabgp.tcp.bind': o.address,
        'exabgp.tcp.port': String(o.port),
        'exabgp.log.destination': 'stdout',
      },
    });
    const started = this.#process;
    await waitFor(
      'exabgp to load its configuration',
      () => {
        if (!started.running) throw new Error('exabgp exited');
        return /loaded new configuration successfully/.test(started.output) ? true : undefined;
      },
      { timeoutMs: 10_000, context: () => this.tail() },
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
    return this.#process?.tail() ?? 'exabgp was not started';
  }

  /** Every complete JSON line the helper wrote. */
  messages(): ExaLine[] {
    if (!existsSync(this.receivedFile)) return [];
    const lines = readFileSync(this.receivedFile, 'utf8').split('\n');
    lines.pop(); // incomplete (or empty) last line
    return lines.filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as ExaLine);
  }

  established(): Promise<boolean> {
    const states = this.messages()
      .filter((m) => m.type === 'state')
      .map((m) => m.neighbor?.state);
    return Promise.resolve(states.at(-1) === 'up');
  }

  /** The routes after applying every UPDATE received, in order. */
  routes(): Promise<PeerRoute[]> {
    const rib = new Map<string, PeerRoute>();
    for (const message of this.messages()) {
      if (message.type === 'state' && message.neighbor?.state === 'down') rib.clear();
      const update = message.neighbor?.message?.update;
      if (update === undefined) continue;
      for (const withdrawn of Object.values(update.withdraw ?? {})) {
        for (const { nlri } of withdrawn) rib.delete(nlri);
      }
      const a = update.attribute ?? {};
      for (const byNextHop of Object.values(update.announce ?? {})) {
        for (const [nextHop, nlris] of Object.entries(byNextHop)) {
          for (const { nlri } of nlris) {
            rib.set(nlri, {
              prefix: nlri,
              nextHop,
              asPath: a['as-path'] ?? [],
              communities: (a.community ?? []).map(([x, y]) => `${x}:${y}`),
              largeCommunities: (a['large-community'] ?? []).map(
                ([g, l1, l2]) => `${g}:${l1}:${l2}`,
              ),
              localPref: a['local-preference'],
              med: a.med,
            });
          }
        }
      }
    }
    return Promise.resolve([...rib.values()]);
  }
}
