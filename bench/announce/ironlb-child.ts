/**
 * Runs one ironlb adapter in its own process (so its peak RSS is its own),
 * driven by the parent over IPC: start → ready, announce/withdraw → done,
 * close → closed. Usage: node ironlb-child.ts ADAPTER_ID (forked by ironlb.ts).
 */
import { writeFileSync } from 'node:fs';
import type { Session as InspectorSession } from 'node:inspector/promises';
import { join } from 'node:path';
import type { Route, RouteAttributes } from '../../src/bgp/route.ts';
import { describeError } from '../../src/common/errors.ts';
import { ironlbAdapters } from './adapters/index.ts';
import type { BenchPeer, IronlbAdapter, PhaseTimings } from './ironlb-adapter.ts';

export type ChildRequest =
  | {
      readonly type: 'start';
      readonly peer: BenchPeer;
      readonly prefixes: readonly string[];
      readonly nextHop: string;
      readonly establishTimeoutMs: number;
    }
  | { readonly type: 'announce' }
  | { readonly type: 'withdraw' }
  | { readonly type: 'close' };

export type ChildReply =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly phases: PhaseTimings }
  | { readonly type: 'closed' }
  | { readonly type: 'error'; readonly message: string };

const adapterId = process.argv[2];
const module = ironlbAdapters.find((a) => a.id === adapterId);
let adapter: IronlbAdapter | undefined;
let routes: Route[] = [];
/** IRONLB_BENCH_CPU_PROFILE=DIR: a V8 CPU profile of the child from start to close, written to DIR. */
const profileDir = process.env['IRONLB_BENCH_CPU_PROFILE'];
let profiler: InspectorSession | undefined;

async function startProfile(): Promise<void> {
  if (profileDir === undefined || profileDir === '') return;
  // Loaded only when asked for: the child's RSS is a measured figure.
  const { Session } = await import('node:inspector/promises');
  profiler = new Session();
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}

async function stopProfile(): Promise<void> {
  if (profiler === undefined || profileDir === undefined) return;
  const { profile } = await profiler.post('Profiler.stop');
  const file = join(profileDir, `${adapterId ?? 'child'}-${process.pid}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  profiler.disconnect();
  profiler = undefined;
}

function reply(message: ChildReply): void {
  process.send?.(message);
}

async function handle(request: ChildRequest): Promise<void> {
  switch (request.type) {
    case 'start': {
      if (module === undefined) throw new Error(`no ironlb adapter "${adapterId}"`);
      // One attributes object shared by every route, as the speaker builds them.
      const attributes: RouteAttributes = { nextHop: request.nextHop };
      routes = request.prefixes.map((prefix) => ({ prefix, attributes }));
      await startProfile();
      adapter = await module.create();
      await adapter.start(request.peer);
      await adapter.waitEstablished(request.establishTimeoutMs);
      reply({ type: 'ready' });
      return;
    }
    case 'announce':
    case 'withdraw': {
      if (adapter === undefined) throw new Error('not started');
      const start = performance.now();
      const phases = await adapter.setRoutes(request.type === 'announce' ? routes : []);
      reply({ type: 'done', phases: { ...phases, setRoutesMs: performance.now() - start } });
      return;
    }
    case 'close':
      await adapter?.close();
      await stopProfile();
      reply({ type: 'closed' });
      process.disconnect();
      return;
  }
}

// Only as a forked child (with an IPC channel): imported to warm the compile cache, it does nothing.
if (process.send !== undefined) {
  process.on('message', (request: ChildRequest) => {
    handle(request).catch((err: unknown) => reply({ type: 'error', message: describeError(err) }));
  });
  // The parent went away: do not linger.
  process.on('disconnect', () => {
    void adapter?.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
