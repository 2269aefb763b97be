import { IronlbError } from '../common/errors.ts';
import { type AddressFamily, isAddressFamily } from './address-family.ts';
import { type BackoffPolicy, backoffPolicyProblems, DEFAULT_BACKOFF } from './backoff.ts';
import { isMulticastIdentifier, isUint32, parseBgpIdentifier } from './bgp-identifier.ts';
import { BgpSessionErrors } from './session-errors.ts';

/** What we announce in our Graceful Restart capability (RFC 4724 §3). */
export interface GracefulRestartConfig {
  /** Seconds the peer should keep our routes after the session drops, 0..4095. */
  readonly restartTimeSeconds: number;
  /**
   * The F bit for our families: the node keeps forwarding while the speaker is
   * down (the dataplane is not the speaker), which is what lets a rollout keep
   * traffic flowing.
   */
  readonly forwardingPreserved: boolean;
  /** The R bit: set on the first session after the speaker restarted. */
  readonly restarting: boolean;
}

/** One peer's session settings, validated and with defaults filled in. */
export interface SessionConfig {
  readonly localAs: number;
  readonly peerAs: number;
  /** Our BGP Identifier as an unsigned 32-bit number. */
  readonly routerId: number;
  /** The hold time we propose: 0 (no keepalives, no hold timer) or 3..65535 s. */
  readonly holdTimeSeconds: number;
  /** Upper bound for the keepalive interval; the negotiated hold time / 3 applies when smaller. */
  readonly keepaliveTimeSeconds: number | undefined;
  /** RFC 4271 §10 ConnectRetryTime: how long one connection attempt may take. */
  readonly connectRetryTimeSeconds: number;
  /** RFC 4271 §8.2.2: the "large value" of the hold timer while waiting for the peer's OPEN. */
  readonly openSentHoldTimeSeconds: number;
  /** Families we offer (Multiprotocol capability) and announce. */
  readonly families: readonly AddressFamily[];
  readonly gracefulRestart: GracefulRestartConfig | undefined;
  readonly backoff: BackoffPolicy;
}

export interface SessionConfigInput {
  readonly localAs: number;
  readonly peerAs: number;
  /** A number, or dotted-quad text like "192.0.2.1". */
  readonly routerId: number | string;
  readonly holdTimeSeconds?: number;
  readonly keepaliveTimeSeconds?: number;
  readonly connectRetryTimeSeconds?: number;
  readonly openSentHoldTimeSeconds?: number;
  readonly families?: readonly AddressFamily[];
  readonly gracefulRestart?: {
    readonly restartTimeSeconds: number;
    readonly forwardingPreserved?: boolean;
    readonly restarting?: boolean;
  };
  readonly backoff?: Partial<BackoffPolicy>;
}

export const SESSION_DEFAULTS = {
  // MetalLB's and FRR's default hold time.
  holdTimeSeconds: 90,
  // RFC 4271 §10 suggests 120 s.
  connectRetryTimeSeconds: 120,
  // RFC 4271 §8.2.2 suggests 4 minutes.
  openSentHoldTimeSeconds: 240,
  families: ['ipv4-unicast', 'ipv6-unicast'] as readonly AddressFamily[],
} as const;

/** Validates a session's settings; throws IRONLB_ERR_BGP_SESSION_CONFIG listing every problem. */
export function sessionConfig(input: SessionConfigInput): SessionConfig {
  const problems: string[] = [];
  const asn = (name: string, value: number): void => {
    // RFC 6793 §9 / RFC 7607: AS 0 is reserved and must not be used in OPEN.
    if (!isUint32(value) || value === 0)
      problems.push(`${name} ${value} is not an ASN (1-4294967295)`);
  };
  asn('localAs', input.localAs);
  asn('peerAs', input.peerAs);

  const routerId =
    typeof input.routerId === 'string' ? parseBgpIdentifier(input.routerId) : input.routerId;
  // RFC 6286 §2.1: non-zero 4-octet unsigned; ours must also pass our own check of the peer (§6.2).
  if (routerId === undefined || !isUint32(routerId) || routerId === 0) {
    problems.push(`routerId ${String(input.routerId)} is not a non-zero 32-bit BGP identifier`);
  } else if (isMulticastIdentifier(routerId)) {
    problems.push(`routerId ${String(input.routerId)} is a multicast address`);
  }

  const holdTimeSeconds = input.holdTimeSeconds ?? SESSION_DEFAULTS.holdTimeSeconds;
  // RFC 4271 §4.2: zero or at least three seconds, in a 2-octet field.
  if (
    !Number.isInteger(holdTimeSeconds) ||
    holdTimeSeconds < 0 ||
    holdTimeSeconds > 0xffff ||
    holdTimeSeconds === 1 ||
    holdTimeSeconds === 2
  ) {
    problems.push(`holdTimeSeconds ${holdTimeSeconds} must be 0 or 3-65535`);
  }

  const keepaliveTimeSeconds = input.keepaliveTimeSeconds;
  if (
    keepaliveTimeSeconds !== undefined &&
    (!Number.isInteger(keepaliveTimeSeconds) || keepaliveTimeSeconds < 1)
  ) {
    problems.push(`keepaliveTimeSeconds ${keepaliveTimeSeconds} must be a whole number ≥ 1`);
  }

  const connectRetryTimeSeconds =
    input.connectRetryTimeSeconds ?? SESSION_DEFAULTS.connectRetryTimeSeconds;
  if (!(Number.isFinite(connectRetryTimeSeconds) && connectRetryTimeSeconds > 0)) {
    problems.push(`connectRetryTimeSeconds ${connectRetryTimeSeconds} must be > 0`);
  }
  const openSentHoldTimeSeconds =
    input.openSentHoldTimeSeconds ?? SESSION_DEFAULTS.openSentHoldTimeSeconds;
  if (!(Number.isFinite(openSentHoldTimeSeconds) && openSentHoldTimeSeconds > 0)) {
    problems.push(`openSentHoldTimeSeconds ${openSentHoldTimeSeconds} must be > 0`);
  }

  const families = [...new Set(input.families ?? SESSION_DEFAULTS.families)];
  if (families.length === 0) problems.push('families must name at least one address family');
  for (const family of families) {
    if (!isAddressFamily(family)) problems.push(`family ${String(family)} is not supported`);
  }

  let gracefulRestart: GracefulRestartConfig | undefined;
  if (input.gracefulRestart !== undefined) {
    const { restartTimeSeconds } = input.gracefulRestart;
    // RFC 4724 §3: Restart Time is a 12-bit field.
    if (
      !Number.isInteger(restartTimeSeconds) ||
      restartTimeSeconds < 0 ||
      restartTimeSeconds > 4095
    ) {
      problems.push(`gracefulRestart.restartTimeSeconds ${restartTimeSeconds} must be 0-4095`);
    }
    gracefulRestart = {
      restartTimeSeconds,
      forwardingPreserved: input.gracefulRestart.forwardingPreserved ?? true,
      restarting: input.gracefulRestart.restarting ?? false,
    };
  }

  const backoff: BackoffPolicy = { ...DEFAULT_BACKOFF, ...input.backoff };
  for (const problem of backoffPolicyProblems(backoff)) problems.push(`backoff: ${problem}`);

  if (problems.length > 0) {
    throw new IronlbError(
      BgpSessionErrors.IRONLB_ERR_BGP_SESSION_CONFIG,
      `invalid BGP session configuration: ${problems.join('; ')}`,
    );
  }
  return {
    localAs: input.localAs,
    peerAs: input.peerAs,
    routerId: routerId ?? 0,
    holdTimeSeconds,
    keepaliveTimeSeconds,
    connectRetryTimeSeconds,
    openSentHoldTimeSeconds,
    families,
    gracefulRestart,
    backoff,
  };
}

/** iBGP when both sides are in the same AS (RFC 4271 §3). */
export function isInternalPeer(config: SessionConfig): boolean {
  return config.localAs === config.peerAs;
}
