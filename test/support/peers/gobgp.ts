/**
 * GoBGP's gobgpd as a test peer: a TOML config, its gRPC API on the peer's
 * own address, queried with `gobgp … -j`. It waits 5–10 s before dialling,
 * so tests mostly keep it passive.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonProcess, missingBinary, runTool, temporaryDirectory } from './daemon-process.ts';
import type { PeerDaemon, PeerRoute } from './peer-route.ts';

export interface GobgpOptions {
  readonly routerId: string;
  readonly address: string;
  readonly port: number;
  /** gRPC API port (on `address`). */
  readonly apiPort: number;
  readonly as: number;
  readonly peerAddress: string;
  readonly peerPort: number;
  readonly peerAs: number;
  readonly passive?: boolean;
}

export function gobgpUnavailable(): string | undefined {
  return missingBinary('gobgpd') ?? missingBinary('gobgp');
}

export function gobgpConfig(o: GobgpOptions): string {
  const internal = o.as === o.peerAs;
  return `[global.config]
  as = ${o.as}
  router-id = "${o.routerId}"
  port = ${o.port}
  local-address-list = ["${o.address}"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "${o.peerAddress}"
    peer-as = ${o.peerAs}
  [neighbors.transport.config]
    passive-mode = ${o.passive === true}
    local-address = "${o.address}"
    remote-port = ${o.peerPort}
  [neighbors.timers.config]
    hold-time = 9
    keepalive-interval = 3
    connect-retry = 1
${
  internal
    ? ''
    : `  [neighbors.ebgp-multihop.config]
    enabled = true
    multihop-ttl = 2
`
}  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
`;
}

interface GobgpAttribute {
  readonly type: number;
  readonly value?: unknown;
  readonly as_paths?: ReadonlyArray<{ readonly asns?: readonly number[] }>;
  readonly nexthop?: string;
  readonly metric?: number;
  readonly communities?: readonly number[];
}

interface GobgpPath {
  readonly nlri: { readonly prefix: string };
  readonly attrs: readonly GobgpAttribute[];
}

export class GobgpPeer implements PeerDaemon {
  readonly name = 'gobgp';
  readonly options: GobgpOptions;
  readonly #dir = temporaryDirectory('gobgp');
  #process: DaemonProcess | undefined;

  constructor(options: GobgpOptions) {
    this.options = options;
  }

  async start(): Promise<void> {
    const config = join(this.#dir.path, 'gobgpd.toml');
    writeFileSync(config, gobgpConfig(this.options));
    this.#process = new DaemonProcess('gobgpd', 'gobgpd', [
      '-f',
      config,
      '--api-hosts',
      `${this.options.address}:${this.options.apiPort}`,
      '--pprof-disable',
    ]);
    const deadline = performance.now() + 10_000;
    for (;;) {
      try {
        await this.gobgp(['neighbor']);
        return;
      } catch (err) {
        if (!this.#process.running || performance.now() > deadline) {
          throw new Error(`gobgpd did not start: ${String(err)}\n${this.tail()}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  async stop(): Promise<void> {
    try {
      await this.#process?.stop();
    } finally {
      this.#dir.remove();
    }
  }

  tail(): string {
    return this.#process?.tail() ?? 'gobgpd was not started';
  }

  gobgp(args: readonly string[]): Promise<string> {
    return runTool('gobgp', [
      '-u',
      this.options.address,
      '-p',
      String(this.options.apiPort),
      ...args,
      '-j',
    ]);
  }

  async established(): Promise<boolean> {
    const neighbors = JSON.parse(await this.gobgp(['neighbor'])) as Array<{
      state?: { session_state?: number };
    }>;
    // apipb.PeerState.SessionState ESTABLISHED = 6
    return neighbors[0]?.state?.session_state === 6;
  }

  async routes(): Promise<PeerRoute[]> {
    const routes: PeerRoute[] = [];
    for (const family of ['ipv4', 'ipv6']) {
      const rib = JSON.parse(await this.gobgp(['global', 'rib', '-a', family])) as Record<
        string,
        GobgpPath[]
      >;
      for (const [prefix, paths] of Object.entries(rib)) {
        const attrs = paths[0]?.attrs ?? [];
        const attr = (type: number): GobgpAttribute | undefined =>
          attrs.find((a) => a.type === type);
        const large = (attr(32)?.value ?? []) as ReadonlyArray<{
          ASN: number;
          LocalData1: number;
          LocalData2: number;
        }>;
        routes.push({
          prefix,
          nextHop: attr(3)?.nexthop ?? attr(14)?.nexthop ?? '',
          asPath: (attr(2)?.as_paths ?? []).flatMap((segment) => segment.asns ?? []),
          communities: (attr(8)?.communities ?? []).map((c) => `${c >>> 16}:${c & 0xffff}`),
          largeCommunities: large.map((l) => `${l.ASN}:${l.LocalData1}:${l.LocalData2}`),
          localPref: attr(5)?.value as number | undefined,
          med: attr(4)?.metric,
        });
      }
    }
    return routes;
  }
}
