import { IronlbError } from '../common/errors.ts';
import type { AddressFamily } from './address-family.ts';
import type { BackoffPolicy } from './backoff.ts';
import type { BgpListener } from './bgp-listener.ts';
import type { Clock } from './clock.ts';
import { GTSM_TTL, type OutgoingTransport, type TransportSecurity } from './peer-socket.ts';
import { parseAddressOrUndefined } from './route-prefix.ts';
import { type SessionConfig, sessionConfig } from './session-config.ts';
import { BgpSessionErrors } from './session-errors.ts';
import { TCP_MD5_MAX_KEY_LENGTH } from './socket-options.ts';

/** Everything a Session is told; see docs/bgp.md. */
export interface SessionOptions {
  readonly localAs: number;
  readonly peerAs: number;
  /** Our BGP identifier: "192.0.2.1" or a 32-bit number. */
  readonly routerId: number | string;
  readonly peerAddress: string;
  /** 179 by default. */
  readonly peerPort?: number;
  /** Source address of our connections (and so the default next hop). */
  readonly localAddress?: string;
  /** Source port of our connections; any by default. */
  readonly localPort?: number;
  /** Only accept connections from the peer (needs `listener`); never dial. */
  readonly passive?: boolean;
  /** Where connections from the peer arrive; shared by sessions (one per peer address). */
  readonly listener?: BgpListener;
  /** Proposed hold time (s): 0 or 3-65535; 90 by default. */
  readonly holdTimeSeconds?: number;
  readonly keepaliveTimeSeconds?: number;
  /** RFC 4271 ConnectRetryTime (s): how long one connection attempt may take; 120 by default. */
  readonly connectRetryTimeSeconds?: number;
  readonly openSentHoldTimeSeconds?: number;
  /** Families offered and announced; IPv4 and IPv6 unicast by default. */
  readonly families?: readonly AddressFamily[];
  /** RFC 2385 TCP-MD5 password (at most 80 octets). */
  readonly password?: string;
  /**
   * GTSM (RFC 5082): send with TTL 255 and drop what arrives below `minTtl`
   * (254 by default: the peer is at most one router away).
   */
  readonly ttlSecurity?: boolean | { readonly minTtl: number };
  /** TTL of our packets for eBGP multihop (1-255); the system default (64) when absent. */
  readonly multihopTtl?: number;
  /** RFC 4724 capability: we are a restarting speaker whose peer keeps our routes meanwhile. */
  readonly gracefulRestart?: {
    /** Seconds the peer keeps our routes after the session drops (0-4095). */
    readonly restartTimeSeconds: number;
    /** The F bit: forwarding survives our restart (true by default). */
    readonly forwardingPreserved?: boolean;
    /** The R bit on the first session: this process restarted (false by default). */
    readonly restarting?: boolean;
  };
  /** Next hop self for IPv4 routes; the IPv4 local address of the connection by default. */
  readonly nextHopIpv4?: string;
  /**
   * Next hop self for IPv6 routes; the IPv6 local address of the connection by
   * default, or on an IPv4 session its IPv4-mapped form (::ffff:a.b.c.d).
   */
  readonly nextHopIpv6?: string;
  /** Advertise RFC 7313 enhanced route refresh (true by default). */
  readonly enhancedRouteRefresh?: boolean;
  readonly backoff?: Partial<BackoffPolicy>;
  /** Time and timers; the system clock by default (tests pass a FakeClock). */
  readonly clock?: Clock;
  /** Seeds the reconnect jitter. */
  readonly randomSeed?: number;
  /** Longest wait for a NOTIFICATION to be flushed before the socket is destroyed (ms). */
  readonly closeTimeoutMs?: number;
}

/** SessionOptions checked, with defaults, split into what the core and the sockets need. */
export interface ResolvedSessionOptions {
  readonly config: SessionConfig;
  readonly transport: OutgoingTransport;
  readonly listenerSecurity: TransportSecurity;
  readonly passive: boolean;
  readonly listener: BgpListener | undefined;
  readonly nextHopIpv4: string | undefined;
  readonly nextHopIpv6: string | undefined;
  readonly enhancedRouteRefresh: boolean;
  readonly closeTimeoutMs: number;
  readonly randomSeed: number;
}

export const DEFAULT_GTSM_MIN_TTL = 254;
const DEFAULT_CLOSE_TIMEOUT_MS = 1000;

/** Validates options; throws IRONLB_ERR_BGP_SESSION_CONFIG listing every problem. */
export function resolveSessionOptions(options: SessionOptions): ResolvedSessionOptions {
  const problems: string[] = [];
  let config: SessionConfig | undefined;
  try {
    config = sessionConfig({
      localAs: options.localAs,
      peerAs: options.peerAs,
      routerId: options.routerId,
      ...(options.holdTimeSeconds !== undefined && { holdTimeSeconds: options.holdTimeSeconds }),
      ...(options.keepaliveTimeSeconds !== undefined && {
        keepaliveTimeSeconds: options.keepaliveTimeSeconds,
      }),
      ...(options.connectRetryTimeSeconds !== undefined && {
        connectRetryTimeSeconds: options.connectRetryTimeSeconds,
      }),
      ...(options.openSentHoldTimeSeconds !== undefined && {
        openSentHoldTimeSeconds: options.openSentHoldTimeSeconds,
      }),
      ...(options.families !== undefined && { families: options.families }),
      ...(options.gracefulRestart !== undefined && { gracefulRestart: options.gracefulRestart }),
      ...(options.backoff !== undefined && { backoff: options.backoff }),
    });
  } catch (err) {
    if (!(err instanceof IronlbError)) throw err;
    problems.push(err.message.replace(/^invalid BGP session configuration: /, ''));
  }

  const peer = parseAddressOrUndefined(String(options.peerAddress));
  if (peer === undefined)
    problems.push(`peerAddress "${options.peerAddress}" is not an IP address`);
  const port = (name: string, value: number | undefined, min: number): void => {
    if (value !== undefined && !(Number.isInteger(value) && value >= min && value <= 65535)) {
      problems.push(`${name} ${value} must be ${min}-65535`);
    }
  };
  port('peerPort', options.peerPort, 1);
  port('localPort', options.localPort, 0);
  const local =
    options.localAddress === undefined ? undefined : parseAddressOrUndefined(options.localAddress);
  if (options.localAddress !== undefined) {
    if (local === undefined) {
      problems.push(`localAddress "${options.localAddress}" is not an IP address`);
    } else if (peer !== undefined && local.family !== peer.family) {
      problems.push(
        `localAddress ${local.text} and peerAddress ${peer.text} are of different families`,
      );
    }
  }
  const nextHop = (name: string, value: string | undefined, family: AddressFamily): void => {
    if (value === undefined) return;
    if (parseAddressOrUndefined(value)?.family !== family) {
      problems.push(
        `${name} "${value}" is not an ${family === 'ipv4-unicast' ? 'IPv4' : 'IPv6'} address`,
      );
    }
  };
  nextHop('nextHopIpv4', options.nextHopIpv4, 'ipv4-unicast');
  nextHop('nextHopIpv6', options.nextHopIpv6, 'ipv6-unicast');

  const passive = options.passive ?? false;
  if (passive && options.listener === undefined) {
    problems.push('a passive session needs a listener to accept the peer’s connections');
  }
  if (options.password !== undefined) {
    const octets = Buffer.byteLength(options.password, 'utf8');
    if (octets === 0 || octets > TCP_MD5_MAX_KEY_LENGTH) {
      problems.push(`password must be 1-${TCP_MD5_MAX_KEY_LENGTH} octets, got ${octets}`);
    }
  }
  const ttl = (name: string, value: number | undefined): void => {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1 && value <= 255)) {
      problems.push(`${name} ${value} must be 1-255`);
    }
  };
  ttl('multihopTtl', options.multihopTtl);
  const gtsm = options.ttlSecurity;
  const minTtl =
    gtsm === undefined || gtsm === false
      ? undefined
      : gtsm === true
        ? DEFAULT_GTSM_MIN_TTL
        : gtsm.minTtl;
  ttl('ttlSecurity.minTtl', minTtl);
  const closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
  if (!(Number.isFinite(closeTimeoutMs) && closeTimeoutMs >= 0)) {
    problems.push(`closeTimeoutMs ${closeTimeoutMs} must be ≥ 0`);
  }

  if (problems.length > 0 || config === undefined || peer === undefined) {
    throw new IronlbError(
      BgpSessionErrors.IRONLB_ERR_BGP_SESSION_CONFIG,
      `invalid BGP session configuration: ${problems.join('; ')}`,
    );
  }

  const security: TransportSecurity = {
    ...(options.password !== undefined && { password: options.password }),
    // GTSM sends 255 whatever the hop count; otherwise the multihop TTL, if any.
    ...(minTtl !== undefined
      ? { ttl: GTSM_TTL, minTtl }
      : options.multihopTtl !== undefined && { ttl: options.multihopTtl }),
  };
  return {
    config,
    transport: {
      peerAddress: peer.text,
      peerPort: options.peerPort ?? 179,
      ...(local !== undefined && { localAddress: local.text }),
      ...(options.localPort !== undefined && { localPort: options.localPort }),
      ...security,
    },
    listenerSecurity: security,
    passive,
    listener: options.listener,
    nextHopIpv4: options.nextHopIpv4,
    nextHopIpv6: options.nextHopIpv6,
    enhancedRouteRefresh: options.enhancedRouteRefresh ?? true,
    closeTimeoutMs,
    randomSeed: options.randomSeed ?? (Math.floor(Math.random() * 0xffffffff) || 1),
  };
}
