/**
 * Adj-RIB-Out at 100,000 routes: the first set(), markSent(), a set() with one
 * route changed (the common case: one Service's endpoints moved), and a
 * peerReset() + pending() (re-establishment). Run:
 *   npx node bench/adj-rib-out.ts
 */
import { AdjRibOut, deltaSize } from '../src/bgp/adj-rib-out.ts';
import type { Route } from '../src/bgp/route.ts';

const COUNT = 100_000;

function routes(count: number, changedIndex = -1, freshObjects = false): Route[] {
  const shared = { communities: ['64698:64699', 'no-export'], largeCommunities: ['64698:1:2'] };
  const changed = { communities: ['64698:1'] };
  const list: Route[] = [];
  for (let i = 0; i < count; i++) {
    const prefix =
      i % 10 === 0
        ? `2001:db8::${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}/128`
        : `10.${(i >>> 16) & 0xff}.${(i >>> 8) & 0xff}.${i & 0xff}/32`;
    // Prefix strings are new on every call, as a speaker that rebuilds its desired set makes them.
    const attributes = freshObjects ? { ...shared } : shared;
    list.push({ prefix, attributes: i === changedIndex ? changed : attributes });
  }
  return list;
}

function time<T>(label: string, run: () => T): T {
  const start = performance.now();
  const result = run();
  console.log(`${label.padEnd(44)} ${(performance.now() - start).toFixed(1).padStart(8)} ms`);
  return result;
}

for (const freshObjects of [false, true]) {
  console.log(
    freshObjects
      ? '\n== every route has its own attributes object (worst case)'
      : '== routes share one attributes object (as the speaker builds them)',
  );
  const rib = new AdjRibOut();
  const first = routes(COUNT, -1, freshObjects);
  const again = routes(COUNT, 4242, freshObjects);
  const delta = time(`set(${COUNT}) first`, () => rib.set(first));
  console.log('  delta', deltaSize(delta), 'groups', delta.announcements.length);
  time('markSent(full delta)', () => rib.markSent(delta));
  const one = time(`set(${COUNT}) with 1 change`, () => rib.set(again));
  console.log('  delta', deltaSize(one));
  time('markSent(1)', () => rib.markSent(one));
  const third = routes(COUNT, 4242, freshObjects);
  time(`set(${COUNT}) unchanged`, () => rib.set(third));
  time('peerReset() + pending()', () => {
    rib.peerReset();
    return rib.pending();
  });
  time('all()', () => rib.all());
  console.log('  counts', rib.counts());
}
