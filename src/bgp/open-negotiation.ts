import {
  type AddressFamily,
  addressFamilyOf,
  type AfiSafi,
  afiSafiOf,
  AFI_IPV4,
  SAFI_UNICAST,
} from './address-family.ts';
import { formatBgpIdentifier, isMulticastIdentifier } from './bgp-identifier.ts';
import {
  type Notification,
  notification,
  NotificationCode,
  notificationName,
  OpenMessageErrorSubcode,
} from './notification.ts';
import { isInternalPeer, type SessionConfig } from './session-config.ts';

/**
 * The OPEN exchange without the wire format: what we send, what we need to
 * know of the peer's OPEN, the checks of RFC 4271 §6.2, and the parameters
 * both sides end up with. The session layer maps codec output onto
 * ReceivedOpen and LocalOpen onto codec input.
 */

export const BGP_VERSION = 4;
/** RFC 6793 §9: the 2-octet stand-in for an ASN that does not fit in 16 bits. */
export const AS_TRANS = 23456;

export interface GracefulRestartFamily extends AfiSafi {
  /** The F bit: forwarding state for this family was preserved over the restart. */
  readonly forwardingPreserved: boolean;
}

/** RFC 4724 §3. */
export interface GracefulRestartCapability {
  readonly restartTimeSeconds: number;
  /** The R bit. */
  readonly restarting: boolean;
  readonly families: readonly GracefulRestartFamily[];
}

/** The capabilities of one OPEN, as far as ironlb cares. Unknown capabilities are left out. */
export interface CapabilitySummary {
  /**
   * AFI/SAFI pairs of the Multiprotocol Extensions capabilities (RFC 4760 §8),
   * including ones ironlb does not know. Empty when none was sent, which means
   * IPv4 unicast only.
   */
  readonly families: readonly AfiSafi[];
  /** RFC 6793: the 4-octet AS number capability was present. */
  readonly fourOctetAs: boolean;
  /** RFC 2918: the Route Refresh capability was present. */
  readonly routeRefresh: boolean;
  readonly gracefulRestart: GracefulRestartCapability | undefined;
}

/** The peer's OPEN as the session layer hands it to the FSM. */
export interface ReceivedOpen {
  readonly version: number;
  /**
   * The peer's effective ASN: the value of its 4-octet AS capability when it
   * sent one (RFC 6793 §4.1), else the 2-octet My Autonomous System field.
   */
  readonly peerAs: number;
  readonly holdTimeSeconds: number;
  /** The BGP Identifier as an unsigned 32-bit number. */
  readonly bgpIdentifier: number;
  readonly capabilities: CapabilitySummary;
}

/** The OPEN we send; the codec turns it into bytes. */
export interface LocalOpen {
  readonly version: typeof BGP_VERSION;
  /** Our full ASN, carried in the 4-octet AS capability. */
  readonly myAs: number;
  /** The 2-octet My Autonomous System field: our ASN, or AS_TRANS when it does not fit. */
  readonly myAsField: number;
  readonly holdTimeSeconds: number;
  readonly bgpIdentifier: number;
  readonly capabilities: CapabilitySummary;
}

/** What both sides agreed on; fixed for the life of one session. */
export interface NegotiatedSession {
  readonly peerAs: number;
  readonly peerBgpIdentifier: number;
  /** iBGP (same AS on both sides). */
  readonly internal: boolean;
  /** RFC 4271 §4.2: the smaller of both proposals; 0 means no hold timer and no keepalives. */
  readonly holdTimeSeconds: number;
  /** 0 when holdTimeSeconds is 0. */
  readonly keepaliveIntervalMs: number;
  /** Families both sides support, in our configured order. */
  readonly families: readonly AddressFamily[];
  /** Both sides sent the 4-octet AS capability: AS_PATH carries 4-octet ASNs (RFC 6793 §4.1). */
  readonly fourOctetAs: boolean;
  /** The peer accepts ROUTE-REFRESH (RFC 2918 §2); we always advertise it. */
  readonly routeRefresh: boolean;
  /** Both sides sent the Graceful Restart capability. */
  readonly gracefulRestart: boolean;
  readonly peerGracefulRestart: GracefulRestartCapability | undefined;
}

export function localOpen(config: SessionConfig): LocalOpen {
  const gr = config.gracefulRestart;
  return {
    version: BGP_VERSION,
    myAs: config.localAs,
    // RFC 6793 §4.1
    myAsField: config.localAs > 0xffff ? AS_TRANS : config.localAs,
    holdTimeSeconds: config.holdTimeSeconds,
    bgpIdentifier: config.routerId,
    capabilities: {
      families: config.families.map(afiSafiOf),
      fourOctetAs: true,
      routeRefresh: true,
      gracefulRestart:
        gr === undefined
          ? undefined
          : {
              restartTimeSeconds: gr.restartTimeSeconds,
              restarting: gr.restarting,
              families: config.families.map((family) => ({
                ...afiSafiOf(family),
                forwardingPreserved: gr.forwardingPreserved,
              })),
            },
    },
  };
}

export type OpenCheck =
  | { readonly ok: true; readonly negotiated: NegotiatedSession }
  | { readonly ok: false; readonly notification: Notification; readonly reason: string };

/** Checks the peer's OPEN against our configuration and negotiates the session parameters. */
export function checkReceivedOpen(config: SessionConfig, open: ReceivedOpen): OpenCheck {
  const refuse = (subcode: number, reason: string, data?: Uint8Array): OpenCheck => ({
    ok: false,
    notification: notification(NotificationCode.OpenMessageError, subcode, data),
    reason: `${notificationName(NotificationCode.OpenMessageError, subcode)}: ${reason}`,
  });

  // RFC 4271 §6.2: the data is the largest supported version below the peer's
  // bid, else the smallest supported one; we support 4 only, so it is 4 either way.
  if (open.version !== BGP_VERSION) {
    return refuse(
      OpenMessageErrorSubcode.UnsupportedVersionNumber,
      `the peer speaks BGP version ${open.version}, we speak ${BGP_VERSION}`,
      Uint8Array.of(0, BGP_VERSION),
    );
  }

  // RFC 4271 §6.2 (Bad Peer AS), compared with the effective ASN of RFC 6793 §4.2.
  if (open.peerAs !== config.peerAs) {
    return refuse(
      OpenMessageErrorSubcode.BadPeerAs,
      `the peer's AS is ${open.peerAs}, configured is ${config.peerAs}`,
    );
  }

  const internal = isInternalPeer(config);
  // RFC 6286 §2.2: a zero identifier is a Bad BGP Identifier.
  if (open.bgpIdentifier === 0) {
    return refuse(OpenMessageErrorSubcode.BadBgpIdentifier, 'the peer sent BGP identifier 0');
  }
  // RFC 4271 §6.2: a syntactically incorrect identifier; an IPv4 multicast
  // address is not a valid router identifier.
  if (isMulticastIdentifier(open.bgpIdentifier)) {
    return refuse(
      OpenMessageErrorSubcode.BadBgpIdentifier,
      `the peer's BGP identifier ${formatBgpIdentifier(open.bgpIdentifier)} is a multicast address`,
    );
  }
  // RFC 6286 §2.2: within an AS identifiers must differ; between ASes it is allowed.
  if (internal && open.bgpIdentifier === config.routerId) {
    return refuse(
      OpenMessageErrorSubcode.BadBgpIdentifier,
      `the iBGP peer uses our own BGP identifier ${formatBgpIdentifier(config.routerId)}`,
    );
  }

  // RFC 4271 §6.2 / §4.2: the Hold Time must be zero or at least three seconds.
  if (open.holdTimeSeconds === 1 || open.holdTimeSeconds === 2) {
    return refuse(
      OpenMessageErrorSubcode.UnacceptableHoldTime,
      `the peer proposed a hold time of ${open.holdTimeSeconds} s (must be 0 or ≥ 3)`,
    );
  }

  // RFC 5492 §3: refusing a peer for a missing capability is Unsupported
  // Capability, with the capabilities we needed as data. We need at least one
  // family in common: a session over which we can announce nothing only hides
  // the problem behind an "Established" state. Families missing beyond that are
  // tolerated; their routes stay pending and are counted so.
  const families = commonFamilies(config.families, open.capabilities.families);
  if (families.length === 0) {
    return refuse(
      OpenMessageErrorSubcode.UnsupportedCapability,
      `the peer supports none of our address families (${config.families.join(', ')})`,
      multiprotocolCapabilities(config.families),
    );
  }

  const holdTimeSeconds = Math.min(config.holdTimeSeconds, open.holdTimeSeconds);
  const peerGracefulRestart = open.capabilities.gracefulRestart;
  return {
    ok: true,
    negotiated: {
      peerAs: open.peerAs,
      peerBgpIdentifier: open.bgpIdentifier,
      internal,
      holdTimeSeconds,
      keepaliveIntervalMs: keepaliveIntervalMs(holdTimeSeconds, config.keepaliveTimeSeconds),
      families,
      fourOctetAs: open.capabilities.fourOctetAs,
      routeRefresh: open.capabilities.routeRefresh,
      gracefulRestart: config.gracefulRestart !== undefined && peerGracefulRestart !== undefined,
      peerGracefulRestart,
    },
  };
}

/**
 * RFC 4271 §4.4 / §10: one third of the hold time, or the configured interval
 * when that is smaller. Never longer than a third: the peer would time out.
 */
export function keepaliveIntervalMs(
  holdTimeSeconds: number,
  configuredSeconds: number | undefined,
): number {
  if (holdTimeSeconds === 0) return 0;
  const third = Math.floor((holdTimeSeconds * 1000) / 3);
  return configuredSeconds === undefined ? third : Math.min(third, configuredSeconds * 1000);
}

/** Our families the peer supports; no Multiprotocol capability at all means IPv4 unicast (RFC 4760 §8). */
export function commonFamilies(
  ours: readonly AddressFamily[],
  peers: readonly AfiSafi[],
): AddressFamily[] {
  const offered = peers.length === 0 ? [{ afi: AFI_IPV4, safi: SAFI_UNICAST }] : peers;
  const supported = new Set(offered.map(addressFamilyOf));
  return ours.filter((family) => supported.has(family));
}

/** RFC 4760 §8: Multiprotocol Extensions capabilities (code 1, length 4) for the data of 2/7. */
function multiprotocolCapabilities(families: readonly AddressFamily[]): Uint8Array {
  const data = new Uint8Array(families.length * 6);
  families.forEach((family, i) => {
    const { afi, safi } = afiSafiOf(family);
    data.set([1, 4, afi >> 8, afi & 0xff, 0, safi], i * 6);
  });
  return data;
}
