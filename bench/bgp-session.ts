/**
 * Rough end-to-end throughput of a Session into a real BIRD 2 on loopback
 * (not part of the tests): `npx node bench/bgp-session.ts [count]`.
 *
 * 1. initial table: setRoutes(100k) before start(); from Established until
 *    BIRD holds all of them;
 * 2. setRoutes(100k) on an established session: from the call until BIRD
 *    holds them (setRoutes itself, until our socket has them, until BIRD);
 * 3. withdrawal of all of them.
 *
 * BIRD → BIRD moves 100k IPv4 /32s in ~0.11 s here (reference/bgp-peers.md).
 * Runs BIRD on 127.0.40.x, always stops it.
 */
import { once } from 'node:events';
import { BirdPeer } from '../test/support/peers/bird.ts';
import { runTool } from '../test/support/peers/daemon-process.ts';
import type { Route } from '../src/bgp/route.ts';
import { Session } from '../src/bgp/session.ts';

const COUNT = Number(process.argv[2] ?? 100_000);
const OURS = '127.0.40.2';
const THEIRS = '127.0.40.3';

function routes(count: number, block: number): Route[] {
  // One shared attributes object, as the speaker builds them; fresh prefix strings.
  const attributes = { communities: ['64698:64699'], largeCommunities: ['64698:1:2'] };
  const list: Route[] = [];
  for (let i = 0; i < count; i++) {
    list.push({
      prefix: `${block + (i >>> 16)}.${(i >>> 8) & 0xff}.${i & 0xff}.1/32`,
      attributes,
    });
  }
  return list;
}

async function birdCount(bird: BirdPeer): Promise<number> {
  const text = await runTool('birdc', [
    '-s',
    bird.socket,
    'show',
    'route',
    'count',
    'protocol',
    'ironlb',
  ]);
  const match = /(\d+) of \d+ routes/.exec(text);
  return match === null ? 0 : Number(match[1]);
}

/** Milliseconds from `start` until BIRD holds `want` routes (polled every 2 ms). */
async function until(bird: BirdPeer, want: number, start: number): Promise<number> {
  const deadline = start + 60_000;
  for (;;) {
    if ((await birdCount(bird)) === want) return performance.now() - start;
    if (performance.now() > deadline) throw new Error(`BIRD never reached ${want} routes`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const ms = (value: number): string => `${value.toFixed(0).padStart(6)} ms`;

const bird = new BirdPeer({
  routerId: THEIRS,
  address: THEIRS,
  port: 11179,
  as: 64699,
  peerAddress: OURS,
  peerPort: 11790,
  peerAs: 64698,
  passive: true,
});
await bird.start();
const session = new Session({
  localAs: 64698,
  peerAs: 64699,
  routerId: OURS,
  peerAddress: THEIRS,
  peerPort: 11179,
  localAddress: OURS,
  connectRetryTimeSeconds: 1,
});
try {
  console.log(`${COUNT} IPv4 /32 routes, one attribute set, into BIRD 2 over loopback`);

  // 1. The initial table.
  const first = routes(COUNT, 20);
  let t = performance.now();
  session.setRoutes(first);
  console.log(`setRoutes (first, before start)        ${ms(performance.now() - t)}`);
  // Listeners first: the first UPDATEs go out in the same turn as 'established'.
  let establishedAt = 0;
  session.once('established', () => (establishedAt = performance.now()));
  const established = once(session, 'established');
  const synced = once(session, 'synced').then(() => performance.now() - establishedAt);
  session.start();
  await established;
  const atBird = await until(bird, COUNT, establishedAt);
  console.log(`initial table: written to the socket   ${ms(await synced)}`);
  console.log(`initial table: all at BIRD             ${ms(atBird)}`);

  // 2. Replace it with another 100k on the established session.
  const second = routes(COUNT, 60);
  t = performance.now();
  const written = once(session, 'synced').then(() => performance.now() - t);
  session.setRoutes(second);
  const setCost = performance.now() - t;
  const replaced = await until(bird, COUNT, t);
  // BIRD counts the withdrawn ones out and the new ones in: wait until only the new remain.
  const replacedAll = await (async () => {
    for (;;) {
      const text = await runTool('birdc', [
        '-s',
        bird.socket,
        'show',
        'route',
        'count',
        'protocol',
        'ironlb',
        'where',
        'net',
        '~',
        '[',
        '60.0.0.0/6+',
        ']',
      ]);
      const match = /(\d+) of \d+ routes/.exec(text);
      if (match !== null && Number(match[1]) === COUNT) return performance.now() - t;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  })();
  console.log(`replace ${COUNT} by ${COUNT}: setRoutes     ${ms(setCost)}`);
  console.log(`replace: written to the socket          ${ms(await written)}`);
  console.log(`replace: BIRD count back at ${COUNT}    ${ms(replaced)}`);
  console.log(`replace: all new ones at BIRD           ${ms(replacedAll)}`);

  // 3. Withdraw everything.
  t = performance.now();
  session.setRoutes([]);
  const withdrawn = await until(bird, 0, t);
  console.log(`withdraw all                            ${ms(withdrawn)}`);
  console.log('session stats', session.stats());
} finally {
  await session.close();
  await bird.stop();
}
