/**
 * FRR's bgpd as a test peer: started alone (no zebra, no kernel routes),
 * listening on its own address and port, queried with vtysh's JSON output
 * through a private vty socket directory.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonProcess, missingBinary, runTool, temporaryDirectory } from './daemon-process.ts';
import type { PeerDaemon, PeerRoute } from './peer-route.ts';

const BGPD = '/usr/lib/frr/bgpd';

export interface FrrOptions {
  readonly routerId: string;
  readonly address: string;
  readonly port: number;
  readonly as: number;
  readonly peerAddress: string;
  readonly peerPort: number;
  readonly peerAs: number;
  /** FRR only accepts. */
  readonly passive?: boolean;
  readonly password?: string;
}

export function frrUnavailable(): string | undefined {
  return missingBinary(BGPD) ?? missingBinary('vtysh');
}

/** RFC 1997 well-known communities as FRR prints them. */
const WELL_KNOWN: Readonly<Record<string, string>> = {
  'no-export': '65535:65281',
  'no-advertise': '65535:65282',
  'local-AS': '65535:65283',
  'no-peer': '65535:65284',
  blackhole: '65535:666',
  'graceful-shutdown': '65535:0',
  'accept-own': '65535:1',
};

export function frrConfig(o: FrrOptions): string {
  const n = `neighbor ${o.peerAddress}`;
  const internal = o.as === o.peerAs;
  return `frr defaults traditional
hostname ironlb-test
log stdout informational
!
router bgp ${o.as}
 bgp router-id ${o.routerId}
 no bgp ebgp-requires-policy
 ${n} remote-as ${o.peerAs}
 ${n} port ${o.peerPort}
 ${n} update-source ${o.address}
 ${n} timers 3 9
 ${n} timers connect 1
${internal ? '' : ` ${n} ebgp-multihop 2\n`}${o.passive === true ? ` ${n} passive\n` : ''}${o.password !== undefined ? ` ${n} password ${o.password}\n` : ''} address-family ipv6 unicast
  ${n} activate
 exit-address-family
!
`;
}

interface FrrPath {
  readonly aspath?: { readonly segments?: ReadonlyArray<{ readonly list?: readonly number[] }> };
  readonly metric?: number;
  readonly locPrf?: number;
  readonly community?: { readonly string?: string };
  readonly largeCommunity?: { readonly string?: string };
  readonly nexthops?: ReadonlyArray<{ readonly ip?: string }>;
}

export class FrrPeer implements PeerDaemon {
  readonly name = 'frr';
  readonly options: FrrOptions;
  readonly #dir = temporaryDirectory('frr');
  #process: DaemonProcess | undefined;

  constructor(options: FrrOptions) {
    this.options = options;
  }

  async start(): Promise<void> {
    const config = join(this.#dir.path, 'bgpd.conf');
    writeFileSync(config, frrConfig(this.options));
    this.#process = new DaemonProcess('frr bgpd', BGPD, [
      '-S', // stay root: no frr user needed
      '-Z', // no zebra
      '-n', // no kernel routes
      '-P',
      '0',
      '-p',
      String(this.options.port),
      '-l',
      this.options.address,
      '-f',
      config,
      '-i',
      join(this.#dir.path, 'bgpd.pid'),
      '--vty_socket',
      this.#dir.path,
      '--log',
      'stdout',
    ]);
    const deadline = performance.now() + 10_000;
    for (;;) {
      try {
        await this.vtysh('show bgp summary json');
        return;
      } catch (err) {
        if (!this.#process.running || performance.now() > deadline) {
          throw new Error(`bgpd did not start: ${String(err)}\n${this.tail()}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
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
    return this.#process?.tail() ?? 'bgpd was not started';
  }

  vtysh(command: string): Promise<string> {
    return runTool('vtysh', ['--vty_socket', this.#dir.path, '-d', 'bgpd', '-c', command]);
  }

  async neighbor(): Promise<Record<string, unknown>> {
    const all = JSON.parse(
      await this.vtysh(`show bgp neighbors ${this.options.peerAddress} json`),
    ) as Record<string, Record<string, unknown>>;
    return all[this.options.peerAddress] ?? {};
  }

  async established(): Promise<boolean> {
    return (await this.neighbor())['bgpState'] === 'Established';
  }

  async prefixes(): Promise<string[]> {
    const out: string[] = [];
    for (const family of ['ipv4', 'ipv6']) {
      const table = JSON.parse(await this.vtysh(`show bgp ${family} unicast json`)) as {
        routes?: Record<string, unknown>;
      };
      out.push(...Object.keys(table.routes ?? {}));
    }
    return out;
  }

  async routes(): Promise<PeerRoute[]> {
    const routes: PeerRoute[] = [];
    for (const prefix of await this.prefixes()) {
      const family = prefix.includes(':') ? 'ipv6' : 'ipv4';
      const detail = JSON.parse(await this.vtysh(`show bgp ${family} unicast ${prefix} json`)) as {
        paths?: FrrPath[];
      };
      const path = detail.paths?.[0];
      if (path === undefined) continue;
      const words = (text: string | undefined): string[] =>
        text === undefined || text.trim() === '' ? [] : text.trim().split(/\s+/);
      routes.push({
        prefix,
        nextHop: path.nexthops?.[0]?.ip ?? '',
        // The segments: an empty path prints as "Local".
        asPath: (path.aspath?.segments ?? []).flatMap((segment) => segment.list ?? []),
        communities: words(path.community?.string).map((c) => WELL_KNOWN[c] ?? c),
        largeCommunities: words(path.largeCommunity?.string),
        localPref: path.locPrf,
        med: path.metric,
      });
    }
    return routes;
  }
}
