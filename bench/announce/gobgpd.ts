import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IronlbError } from '../../src/common/errors.ts';
import { BenchErrors } from '../lib/errors.ts';
import { commandExists, ManagedProcess, waitFor } from '../lib/processes.ts';
import { type AnnounceContender, missingCommand, type SenderEnv } from './contender.ts';
import { addPathStreamFrames, GobgpClient } from './gobgp-grpc.ts';

/**
 * gobgpd 3.10 fed through its own gRPC API: one AddPathStream call with every
 * path (1000 per message), the same call with is_withdraw to take them back.
 * Faster ways do not deliver all N: the CLI is one process per route
 * (~90 routes/s) and `gobgp mrt inject global` returns before its stream is
 * flushed and dropped ~6 % of 10k routes here. gobgpd is passive (it waits
 * 5–10 s before dialling); the receiving BIRD dials it.
 */

export const GOBGP_PATHS_PER_MESSAGE = 1000;

function gobgpConfig(env: SenderEnv, listenPort: number): string {
  return `[global.config]
  as = ${env.localAsn}
  router-id = "${env.localAddress}"
  port = ${listenPort}
  local-address-list = ["${env.localAddress}"]

[[neighbors]]
  [neighbors.config]
    neighbor-address = "${env.receiverAddress}"
    peer-as = ${env.receiverAsn}
  [neighbors.timers.config]
    hold-time = 240
  [neighbors.transport.config]
    passive-mode = true
    local-address = "${env.localAddress}"
  [neighbors.ebgp-multihop.config]
    enabled = true
    multihop-ttl = 5
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
`;
}

export const gobgpdContender: AnnounceContender = {
  id: 'gobgpd',
  label: 'gobgpd (gRPC AddPathStream)',
  timing: 'trigger',
  listens: true,
  unavailable: () => missingCommand('gobgpd', commandExists('gobgpd')),
  async start(env, routes) {
    if (env.listenPort === undefined) throw new Error('gobgpd needs a listen port');
    const config = join(env.dir, 'gobgpd.toml');
    writeFileSync(config, gobgpConfig(env, env.listenPort));
    const announceFrames = addPathStreamFrames(
      routes.family,
      routes.prefixes,
      routes.nextHop,
      false,
      GOBGP_PATHS_PER_MESSAGE,
    );
    const withdrawFrames = addPathStreamFrames(
      routes.family,
      routes.prefixes,
      routes.nextHop,
      true,
      GOBGP_PATHS_PER_MESSAGE,
    );
    const proc = await ManagedProcess.start('gobgpd', 'gobgpd', [
      '-f',
      config,
      '--api-hosts',
      `${env.localAddress}:${env.apiPort}`,
      '--pprof-disable',
      '-l',
      'warn',
    ]);
    const client = GobgpClient.connect(env.localAddress, env.apiPort);
    try {
      await waitFor(() => client.globalPathCount(routes.family).then(() => true), {
        timeoutMs: 15_000,
        what: 'gobgpd gRPC API',
        giveUpIf: () => proc.exitedError(),
      });
    } catch (err) {
      client.close();
      await proc.stop();
      throw err;
    }
    const expect = async (count: number): Promise<void> => {
      const inRib = await client.globalPathCount(routes.family);
      if (inRib !== count) {
        throw new IronlbError(
          BenchErrors.IRONLB_ERR_BENCH_CONTROL,
          `gobgpd's global RIB holds ${inRib} paths, expected ${count}`,
        );
      }
    };
    return {
      method: `gRPC AddPathStream, ${GOBGP_PATHS_PER_MESSAGE} paths per message (protobuf encoded before t0)`,
      announce: async () => {
        await client.call('AddPathStream', announceFrames);
        await expect(routes.prefixes.length);
      },
      withdraw: async () => {
        await client.call('AddPathStream', withdrawFrames);
        await expect(0);
      },
      peakRssKiB: () => proc.peakRssKiB(),
      failure: () => proc.exitedError(),
      stop: async () => {
        client.close();
        await proc.stop();
      },
    };
  },
};
