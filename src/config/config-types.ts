import type { AddressRange, IpFamily } from '../ipam/address.ts';
import type { BgpCommunity } from './community.ts';
import type { LabelSelector, Labels } from './label-selector.ts';
import type { SecretValue } from './secret-value.ts';

/**
 * The normalised configuration: what the controller and the speakers act on.
 * Everything is validated, defaults are filled in, references are resolved,
 * addresses are bigints and times are milliseconds. Lists are sorted by
 * namespace and name, so equal inputs give equal configs.
 */
export interface IronlbConfig {
  readonly pools: readonly Pool[];
  readonly peers: readonly Peer[];
  readonly advertisements: readonly Advertisement[];
}

/** A CIDR block, part of the cover of a pool range. */
export interface Cidr {
  readonly family: IpFamily;
  /** The network address. */
  readonly address: bigint;
  readonly prefixLength: number;
}

export interface PoolRange extends AddressRange {
  /** The entry as written in spec.addresses. */
  readonly text: string;
  /** Its index in spec.addresses (ranges keep that order). */
  readonly index: number;
  /** The fewest CIDR blocks that cover exactly this range. */
  readonly cidrs: readonly Cidr[];
}

export interface ServiceAllocation {
  /** Lower is tried first; undefined sorts after every number. */
  readonly priority: number | undefined;
  /** Empty: any namespace (subject to namespaceSelectors). */
  readonly namespaces: readonly string[];
  /** Empty: any namespace. */
  readonly namespaceSelectors: readonly LabelSelector[];
  /** Empty: any Service. */
  readonly serviceSelectors: readonly LabelSelector[];
}

export interface Pool {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly ranges: readonly PoolRange[];
  readonly autoAssign: boolean;
  readonly avoidBuggyIPs: boolean;
  readonly serviceAllocation: ServiceAllocation | undefined;
  /** Usable addresses per family (.0/.255 not counted under avoidBuggyIPs). */
  readonly addressCount: { readonly ipv4: bigint; readonly ipv6: bigint };
}

export interface Peer {
  readonly namespace: string;
  readonly name: string;
  readonly myASN: number;
  readonly peerASN: number;
  /** myASN === peerASN. */
  readonly ibgp: boolean;
  /** Canonical text form (RFC 5952 for IPv6). */
  readonly peerAddress: string;
  readonly peerAddressFamily: IpFamily;
  readonly peerPort: number;
  /** 0 or 3000-65535000, whole seconds. */
  readonly holdTimeMs: number;
  /** Undefined: one third of the negotiated hold time (see effectiveKeepaliveMs). */
  readonly keepaliveTimeMs: number | undefined;
  readonly connectTimeMs: number;
  /** Canonical IPv4 text; undefined: the speaker chooses. */
  readonly routerID: string | undefined;
  /** Canonical text, same family as peerAddress; undefined: the kernel chooses. */
  readonly sourceAddress: string | undefined;
  /** The TCP-MD5 key, from password or the referenced Secret. */
  readonly password: SecretValue | undefined;
  readonly ebgpMultiHop: boolean;
  readonly ttlSecurity: boolean;
  readonly enableGracefulRestart: boolean;
  /** Whole seconds, 1-4095 s (meaningful with enableGracefulRestart). */
  readonly gracefulRestartTimeMs: number;
  /** Empty: every node. */
  readonly nodeSelectors: readonly LabelSelector[];
}

export interface Advertisement {
  readonly namespace: string;
  readonly name: string;
  readonly aggregationLength: number;
  readonly aggregationLengthV6: number;
  readonly localPref: number | undefined;
  /** Aliases resolved, duplicates removed, sorted (standard before large). */
  readonly communities: readonly BgpCommunity[];
  /** Names of the pools (same namespace) it applies to, resolved and sorted; never "all". */
  readonly pools: readonly string[];
  /** Names of the peers (same namespace) it announces to, resolved and sorted; never "all". */
  readonly peers: readonly string[];
  /** Empty: every node. */
  readonly nodeSelectors: readonly LabelSelector[];
  /** Empty: every Service. */
  readonly serviceSelectors: readonly LabelSelector[];
}

/**
 * The keepalive interval to use once the hold time is negotiated (RFC 4271
 * §4.4, §10): a third of it in whole seconds, or the configured interval when
 * that is shorter (a longer one would let the peer's hold timer expire).
 * 0 when the negotiated hold time is 0 (no keepalives).
 */
export function effectiveKeepaliveMs(peer: Peer, negotiatedHoldTimeMs: number): number {
  if (negotiatedHoldTimeMs === 0) return 0;
  const third = Math.max(1000, Math.floor(negotiatedHoldTimeMs / 3000) * 1000);
  return peer.keepaliveTimeMs === undefined ? third : Math.min(peer.keepaliveTimeMs, third);
}
