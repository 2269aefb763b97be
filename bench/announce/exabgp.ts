import { spawnSync } from 'node:child_process';
import { open, type FileHandle } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IronlbError } from '../../src/common/errors.ts';
import { BenchErrors } from '../lib/errors.ts';
import { commandExists, ManagedProcess } from '../lib/processes.ts';
import {
  type AnnounceContender,
  missingCommand,
  type RouteSet,
  type SenderEnv,
} from './contender.ts';

/**
 * ExaBGP 4.2 two ways: with the routes in its configuration (announced as
 * soon as the session is up; timed from Established), and through its API
 * (a helper process whose output ExaBGP reads as commands).
 *
 * API tuning: acknowledgements off (`exabgp.api.ack=false`, no "done" per
 * command), logging down to warnings, the bulk form
 * `announce attributes … nlri P1 P2 …` with many prefixes per line instead of
 * one `announce route` per prefix. The helper is `cat` on a FIFO the bench
 * writes to, so no extra interpreter sits in the path.
 */

/** Prefixes per API command line (measured: larger lines are faster up to a point; see docs/performance.md). */
export const EXABGP_PREFIXES_PER_LINE = 2000;

const exabgpEnv = {
  'exabgp.daemon.drop': 'false', // stay root if root: no user switch that could not read the temp dir
  'exabgp.daemon.daemonize': 'false',
  'exabgp.api.ack': 'false',
  'exabgp.api.cli': 'false',
  'exabgp.api.respawn': 'false',
  'exabgp.log.level': 'WARNING',
  'exabgp.tcp.bind': '',
  'exabgp.reactor.speed': '0.01',
};

function exabgpConfig(
  env: SenderEnv,
  routes: RouteSet | undefined,
  fifo: string | undefined,
  family: RouteSet['family'],
): string {
  const process =
    fifo === undefined ? '' : `process feeder {\n  run /bin/cat ${fifo};\n  encoder text;\n}\n`;
  const api = fifo === undefined ? '' : '  api { processes [ feeder ]; }\n';
  const statics =
    routes === undefined
      ? ''
      : `  static {\n${routes.prefixes.map((p) => `    route ${p} next-hop ${routes.nextHop};`).join('\n')}\n  }\n`;
  return `${process}neighbor ${env.receiverAddress} {
  router-id ${env.localAddress};
  local-address ${env.localAddress};
  local-as ${env.localAsn};
  peer-as ${env.receiverAsn};
  connect ${env.receiverPort};
  hold-time 240;
  group-updates true;
  family { ${family} unicast; }
${api}${statics}}
`;
}

function lines(verb: 'announce' | 'withdraw', routes: RouteSet, perLine: number): Buffer {
  const out: string[] = [];
  for (let i = 0; i < routes.prefixes.length; i += perLine) {
    const chunk = routes.prefixes.slice(i, i + perLine).join(' ');
    out.push(`${verb} attributes origin igp next-hop ${routes.nextHop} nlri ${chunk}\n`);
  }
  return Buffer.from(out.join(''), 'utf8');
}

async function startExabgp(env: SenderEnv, config: string): Promise<ManagedProcess> {
  const path = join(env.dir, 'exabgp.conf');
  writeFileSync(path, config);
  return ManagedProcess.start('exabgp', 'exabgp', [path], {
    cwd: env.dir,
    env: { ...process.env, ...exabgpEnv },
  });
}

export const exabgpConfigContender: AnnounceContender = {
  id: 'exabgp-config',
  label: 'ExaBGP (routes in config)',
  timing: 'established',
  listens: false,
  unavailable: () => missingCommand('exabgp', commandExists('exabgp')),
  async start(env, routes) {
    const proc = await startExabgp(env, exabgpConfig(env, routes, undefined, routes.family));
    return {
      method: 'static routes in exabgp.conf, timed from Established',
      announce: () => Promise.resolve(),
      withdraw: undefined,
      peakRssKiB: () => proc.peakRssKiB(),
      failure: () => proc.exitedError(),
      stop: () => proc.stop(),
    };
  },
};

export function exabgpApiContender(perLine = EXABGP_PREFIXES_PER_LINE): AnnounceContender {
  return {
    id: perLine === 1 ? 'exabgp-api-per-route' : 'exabgp-api',
    label: perLine === 1 ? 'ExaBGP API (one route per line)' : 'ExaBGP API (bulk lines)',
    timing: 'trigger',
    listens: false,
    unavailable: () => missingCommand('exabgp', commandExists('exabgp')),
    async start(env, routes) {
      const fifo = join(env.dir, 'feed.fifo');
      const made = spawnSync('mkfifo', [fifo], { encoding: 'utf8', timeout: 5000 });
      if (made.status !== 0) {
        throw new IronlbError(
          BenchErrors.IRONLB_ERR_BENCH_PROCESS,
          `mkfifo failed: ${made.stderr}`,
        );
      }
      // O_RDWR: opening a FIFO this way never blocks, and keeps it open while cat restarts.
      const feed: FileHandle = await open(fifo, 'r+');
      const announce =
        perLine === 1
          ? Buffer.from(
              routes.prefixes
                .map((p) => `announce route ${p} next-hop ${routes.nextHop}\n`)
                .join(''),
            )
          : lines('announce', routes, perLine);
      const withdraw =
        perLine === 1
          ? Buffer.from(
              routes.prefixes
                .map((p) => `withdraw route ${p} next-hop ${routes.nextHop}\n`)
                .join(''),
            )
          : lines('withdraw', routes, perLine);
      let proc: ManagedProcess;
      try {
        proc = await startExabgp(env, exabgpConfig(env, undefined, fifo, routes.family));
      } catch (err) {
        await feed.close();
        throw err;
      }
      return {
        method:
          perLine === 1
            ? '"announce route P next-hop N" per prefix, through cat on a FIFO, acks off'
            : `"announce attributes … nlri" with ${perLine} prefixes per line, through cat on a FIFO, acks off`,
        announce: async () => {
          await feed.write(announce);
        },
        withdraw: async () => {
          await feed.write(withdraw);
        },
        peakRssKiB: () => proc.peakRssKiB(),
        failure: () => proc.exitedError(),
        stop: async () => {
          try {
            await proc.stop();
          } finally {
            await feed.close(); // cat (if still there) reads EOF and exits
          }
        },
      };
    },
  };
}
