import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AdapterModule } from '../ironlb-adapter.ts';

/**
 * SLOT for the real ironlb Session (src/bgp/session.ts, built on another
 * branch). It is listed in every run and reported as skipped until wired.
 *
 * To wire it once the Session is merged: import it statically here and return
 * an IronlbAdapter from create():
 *   start(peer)          → construct the Session for `peer` (passive: false,
 *                          hold time 240, families ipv4+ipv6) and start it
 *   waitEstablished(ms)  → resolve on its Established event (bounded)
 *   setRoutes(routes)    → session.setRoutes(routes), resolving once the
 *                          UPDATEs are written (or when its Adj-RIB-Out has no
 *                          pending routes)
 *   close()              → stop it (Cease) and wait for the socket to close
 * then make unavailable() return undefined. The raw-codec baseline
 * (./raw-codec.ts) is the model; keep both contenders, the ratio between them
 * is the Session's own overhead.
 */

const sessionModule = new URL('../../../src/bgp/session.ts', import.meta.url);

export const ironlbSessionAdapter: AdapterModule = {
  id: 'ironlb-session',
  label: 'ironlb Session (src/bgp/session.ts)',
  unavailable: () =>
    existsSync(fileURLToPath(sessionModule))
      ? 'src/bgp/session.ts exists but bench/announce/adapters/ironlb-session.ts is not wired to it yet'
      : 'src/bgp/session.ts is not on this branch yet (slot for the lead)',
  create: () => Promise.reject(new Error('the Session adapter is not wired yet')),
};
