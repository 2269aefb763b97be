import { createHash } from 'node:crypto';
import type { SessionOptions } from '../bgp/session-options.ts';
import type { Peer } from '../config/index.ts';
import type { PeerSession } from './peer-sessions.ts';
import { compareText } from './route-merge.ts';

/**
 * What the speaker runs for one BGPPeer on this node: the Session options
 * derived from the normalised Peer, and a fingerprint of everything that
 * needs a new session when it changes. Pure.
 */
export interface SessionSpec {
  /** "namespace/name" of the BGPPeer. */
  readonly ref: string;
  readonly peer: Peer;
  /** Without `gracefulRestart.restarting`, which the pool sets per process. */
  readonly options: SessionOptions;
  /** The options as text for comparison, the password as a digest (never the key). */
  readonly fingerprint: Readonly<Record<string, string>>;
}

/** Which sessions to open, replace (with Cease) and close, and which stay as they are. */
export interface SessionPlan {
  readonly create: readonly SessionSpec[];
  /** `changed`: the option fields that differ (for logs and the Cease reason). */
  readonly replace: readonly { readonly spec: SessionSpec; readonly changed: readonly string[] }[];
  /** Refs of sessions that are no longer wanted. */
  readonly close: readonly string[];
  readonly keep: readonly string[];
}

/**
 * TTL rules (RFC 4271 leaves them to the implementation; these are BIRD's and
 * FRR's): GTSM sends 255 (the session sets it); eBGP with ebgpMultiHop 255;
 * plain eBGP 1, the peer being directly connected (loopback does not
 * decrement); iBGP the system default.
 */
function multihopTtl(peer: Peer): number | undefined {
  if (peer.ttlSecurity || peer.ibgp) return undefined;
  return peer.ebgpMultiHop ? 255 : 1;
}

function seconds(ms: number): number {
  return Math.max(1, Math.round(ms / 1000));
}

/**
 * The Session options for a BGPPeer: ASNs, address and port, source
 * address, router ID (the peer's, else `defaultRouterId`), hold and
 * keepalive times, ConnectRetryTime (MetalLB's connectTime), TCP-MD5, GTSM
 * or the multihop TTL, and graceful restart with its restart time.
 */
export function sessionSpec(session: PeerSession, defaultRouterId: string): SessionSpec {
  const { peer, ref } = session;
  const ttl = multihopTtl(peer);
  const options: SessionOptions = {
    localAs: peer.myASN,
    peerAs: peer.peerASN,
    routerId: peer.routerID ?? defaultRouterId,
    peerAddress: peer.peerAddress,
    peerPort: peer.peerPort,
    ...(peer.sourceAddress !== undefined && { localAddress: peer.sourceAddress }),
    holdTimeSeconds: peer.holdTimeMs / 1000,
    ...(peer.keepaliveTimeMs !== undefined && {
      keepaliveTimeSeconds: seconds(peer.keepaliveTimeMs),
    }),
    connectRetryTimeSeconds: seconds(peer.connectTimeMs),
    ...(peer.password !== undefined && { password: peer.password.revealText() }),
    ...(peer.ttlSecurity && { ttlSecurity: true }),
    ...(ttl !== undefined && { multihopTtl: ttl }),
    ...(peer.enableGracefulRestart && {
      gracefulRestart: { restartTimeSeconds: seconds(peer.gracefulRestartTimeMs) },
    }),
  };
  const fingerprint: Record<string, string> = {};
  for (const [key, value] of Object.entries(options)) {
    fingerprint[key] =
      key === 'password'
        ? `sha256:${createHash('sha256')
            .update(peer.password?.revealBytes() ?? new Uint8Array())
            .digest('hex')}`
        : JSON.stringify(value);
  }
  return { ref, peer, options, fingerprint };
}

/** The option fields whose values differ (present in one and not the other counts). */
export function changedFields(
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>>,
): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((key) => a[key] !== b[key]).sort(compareText);
}

/**
 * Brings the running sessions (ref → their spec) to the wanted ones. Session
 * options cannot change under a running session, so any change of them —
 * ASNs, address, port, password, router ID, source, timers, TTL, graceful
 * restart — replaces the session; a BGPPeer edit that changes none (e.g. its
 * nodeSelectors, still matching) keeps it untouched.
 */
export function planSessions(
  running: ReadonlyMap<string, SessionSpec>,
  wanted: readonly SessionSpec[],
): SessionPlan {
  const create: SessionSpec[] = [];
  const replace: { spec: SessionSpec; changed: string[] }[] = [];
  const keep: string[] = [];
  const wantedRefs = new Set<string>();
  for (const spec of wanted) {
    wantedRefs.add(spec.ref);
    const current = running.get(spec.ref);
    if (current === undefined) {
      create.push(spec);
      continue;
    }
    const changed = changedFields(current.fingerprint, spec.fingerprint);
    if (changed.length > 0) replace.push({ spec, changed });
    else keep.push(spec.ref);
  }
  const close = [...running.keys()].filter((ref) => !wantedRefs.has(ref)).sort(compareText);
  return { create, replace, close, keep };
}
