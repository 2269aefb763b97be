import { fileURLToPath } from 'node:url';
import { IronlbError } from '../../src/common/errors.ts';
import { compileCacheEnv, deployedNodeFlags, warmCompileCache } from '../lib/ironlb-runtime.ts';
import { BenchErrors } from '../lib/errors.ts';
import { ManagedProcess } from '../lib/processes.ts';
import type { AnnounceContender } from './contender.ts';
import type { ChildReply, ChildRequest } from './ironlb-child.ts';
import type { AdapterModule, PhaseTimings } from './ironlb-adapter.ts';

const childScript = fileURLToPath(new URL('ironlb-child.ts', import.meta.url));

/** Sends one request to the child and waits (bounded) for the reply type. */
function ask(
  proc: ManagedProcess,
  request: ChildRequest,
  expect: ChildReply['type'],
  timeoutMs: number,
): Promise<ChildReply> {
  return new Promise((resolve, reject) => {
    const child = proc.child;
    const done = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (reply: ChildReply): void => {
      done();
      if (reply.type === expect) resolve(reply);
      else
        reject(
          new IronlbError(
            BenchErrors.IRONLB_ERR_BENCH_PROCESS,
            `ironlb child: ${reply.type === 'error' ? reply.message : `unexpected ${reply.type}`}`,
          ),
        );
    };
    const onExit = (): void => {
      done();
      reject(
        proc.exitedError() ??
          new IronlbError(BenchErrors.IRONLB_ERR_BENCH_PROCESS, 'ironlb child exited'),
      );
    };
    const timer = setTimeout(() => {
      done();
      reject(
        new IronlbError(
          BenchErrors.IRONLB_ERR_BENCH_TIMEOUT,
          `ironlb child: no "${expect}" within ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
    child.on('message', onMessage);
    child.on('exit', onExit);
    child.send(request);
  });
}

function phasesOf(reply: ChildReply): PhaseTimings {
  return reply.type === 'done' ? reply.phases : {};
}

/** An ironlb adapter as a contender: the adapter runs in a child Node process. */
export function ironlbContender(adapter: AdapterModule): AnnounceContender {
  return {
    id: adapter.id,
    label: adapter.label,
    timing: 'trigger',
    listens: false,
    unavailable: () => adapter.unavailable(),
    async start(env, routes) {
      warmCompileCache(env.compileCacheDir, [childScript]);
      const proc = await ManagedProcess.start(
        `ironlb child (${adapter.id})`,
        process.execPath,
        [...deployedNodeFlags('speaker'), childScript, adapter.id],
        { ipc: true, env: compileCacheEnv(env.compileCacheDir) },
      );
      const timeoutMs = 120_000;
      try {
        await ask(
          proc,
          {
            type: 'start',
            peer: {
              address: env.receiverAddress,
              port: env.receiverPort,
              asn: env.receiverAsn,
              localAddress: env.localAddress,
              localAsn: env.localAsn,
              routerId: env.localAddress,
            },
            prefixes: routes.prefixes,
            nextHop: routes.nextHop,
            establishTimeoutMs: 30_000,
          },
          'ready',
          60_000,
        );
      } catch (err) {
        await proc.stop();
        throw err;
      }
      return {
        method:
          'Route[] → AdjRibOut → packAnnouncements/packWithdrawals → socket.write, in a child process',
        announce: async () => phasesOf(await ask(proc, { type: 'announce' }, 'done', timeoutMs)),
        withdraw: async () => phasesOf(await ask(proc, { type: 'withdraw' }, 'done', timeoutMs)),
        peakRssKiB: () => proc.peakRssKiB(),
        failure: () => proc.exitedError(),
        stop: async () => {
          if (proc.running) {
            await ask(proc, { type: 'close' }, 'closed', 5000).catch(() => undefined);
          }
          await proc.stop();
        },
      };
    },
  };
}
