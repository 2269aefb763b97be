import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BirdControl } from '../lib/bird-control.ts';
import { commandExists, ManagedProcess, waitFor } from '../lib/processes.ts';
import {
  type AnnounceContender,
  missingCommand,
  type RouteSet,
  type SenderEnv,
} from './contender.ts';

/**
 * BIRD → BIRD, the physical anchor: a second BIRD holds the N routes in a
 * static protocol that starts disabled; `enable` over its control socket is
 * t0, `disable` withdraws them. What it measures is mostly the receiver's own
 * ingestion limit.
 */
export function senderConfig(env: SenderEnv, routes: RouteSet): string {
  const channel = routes.family;
  const table = channel === 'ipv4' ? 'master4' : 'master6';
  const lines = routes.prefixes.map((p) => `  route ${p} blackhole;`);
  // IPv6 over an IPv4 session: BIRD needs to be told which IPv6 next hop to send.
  const nextHop = channel === 'ipv6' ? ` next hop address ${routes.nextHop};` : '';
  return `# ironlb bench: BIRD sender (generated)
router id ${env.localAddress};
log stderr { warning, error, fatal };
protocol device { scan time 60; }
protocol static bench_routes {
  disabled;
  ${channel} { table ${table}; };
${lines.join('\n')}
}
protocol bgp receiver {
  local ${env.localAddress} as ${env.localAsn};
  neighbor ${env.receiverAddress} port ${env.receiverPort} as ${env.receiverAsn};
  strict bind yes;
  multihop;
  connect delay time 1; connect retry time 1; error wait time 1,2;
  hold time 240;
  ${channel} { import none; export all;${nextHop} };
}
`;
}

export const birdContender: AnnounceContender = {
  id: 'bird',
  label: 'BIRD → BIRD',
  timing: 'trigger',
  listens: false,
  unavailable: () => missingCommand('bird', commandExists('bird')),
  async start(env, routes) {
    const config = join(env.dir, 'sender.conf');
    const socket = join(env.dir, 'sender.ctl');
    writeFileSync(config, senderConfig(env, routes));
    const proc = await ManagedProcess.start('sending bird', 'bird', [
      '-f',
      '-c',
      config,
      '-s',
      socket,
    ]);
    let control: BirdControl | undefined;
    try {
      control = await waitFor(() => BirdControl.connect(socket, 2000), {
        timeoutMs: 60_000,
        what: 'the sending BIRD control socket',
        giveUpIf: () => proc.exitedError(),
      });
    } catch (err) {
      await proc.stop();
      throw err;
    }
    const ctl = control;
    return {
      method: 'static protocol (blackhole routes) enabled/disabled over the control socket',
      announce: async () => {
        await ctl.command('enable bench_routes');
      },
      withdraw: async () => {
        await ctl.command('disable bench_routes');
      },
      peakRssKiB: () => proc.peakRssKiB(),
      failure: () => proc.exitedError(),
      stop: async () => {
        ctl.close();
        await proc.stop();
      },
    };
  },
};
