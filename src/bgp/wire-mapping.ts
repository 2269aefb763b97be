import type { AfiSafi } from './address-family.ts';
import { formatBgpIdentifier } from './bgp-identifier.ts';
import type { Notification } from './notification.ts';
import type {
  CapabilitySummary,
  LocalOpen,
  NegotiatedSession,
  ReceivedOpen,
} from './open-negotiation.ts';
import type { Capability } from './wire/capabilities/capability.ts';
import type { WireContext } from './wire/context.ts';
import { u32 } from './wire/codec.ts';
import { createNotification } from './wire/messages/notification.ts';
import type { NotificationMessage } from './wire/messages/notification.ts';
import { createOpen, peerAsnOf } from './wire/messages/open.ts';
import type { OpenMessage } from './wire/messages/open.ts';
import { ipv4Bytes } from './wire/ip-address.ts';

/**
 * The seam between the session core (plain values, no bytes) and the wire
 * codec: our OPEN in, the peer's OPEN out, NOTIFICATIONs both ways, and the
 * wire context a negotiated session implies.
 */

export interface OpenExtras {
  /** RFC 7313: we answer a ROUTE-REFRESH with BoRR, the routes, EoRR. */
  readonly enhancedRouteRefresh: boolean;
}

/** Our OPEN for the codec: capabilities in the order BIRD and FRR send theirs. */
export function wireOpenOf(local: LocalOpen, extras: OpenExtras): OpenMessage {
  const { capabilities } = local;
  const list: Capability[] = capabilities.families.map(({ afi, safi }): Capability => ({
    kind: 'multiprotocol',
    afi,
    safi,
  }));
  if (capabilities.routeRefresh) list.push({ kind: 'route-refresh' });
  if (extras.enhancedRouteRefresh) list.push({ kind: 'enhanced-route-refresh' });
  const gr = capabilities.gracefulRestart;
  if (gr !== undefined) {
    list.push({
      kind: 'graceful-restart',
      restarting: gr.restarting,
      notification: false,
      restartTime: gr.restartTimeSeconds,
      families: gr.families.map(({ afi, safi, forwardingPreserved }) => ({
        afi,
        safi,
        forwardingState: forwardingPreserved,
      })),
    });
  }
  if (capabilities.fourOctetAs) list.push({ kind: 'four-octet-as', asn: local.myAs });
  const open = createOpen({
    asn: local.myAs,
    holdTime: local.holdTimeSeconds,
    bgpIdentifier: formatBgpIdentifier(local.bgpIdentifier),
    capabilities: list,
  });
  return { ...open, myAs: local.myAsField };
}

/** The peer's OPEN as the FSM checks it (RFC 4271 §6.2 happens there, not here). */
export function receivedOpenOf(open: OpenMessage): ReceivedOpen {
  const families: AfiSafi[] = [];
  let fourOctetAs = false;
  let routeRefresh = false;
  let gracefulRestart: CapabilitySummary['gracefulRestart'];
  for (const capability of open.capabilities) {
    switch (capability.kind) {
      case 'multiprotocol':
        if (!families.some((f) => f.afi === capability.afi && f.safi === capability.safi)) {
          families.push({ afi: capability.afi, safi: capability.safi });
        }
        break;
      case 'four-octet-as':
        fourOctetAs = true;
        break;
      // RFC 2918 §2 and the pre-standard code 128 (some peers send only that).
      case 'route-refresh':
      case 'route-refresh-cisco':
        routeRefresh = true;
        break;
      case 'graceful-restart':
        gracefulRestart = {
          restartTimeSeconds: capability.restartTime,
          restarting: capability.restarting,
          families: capability.families.map(({ afi, safi, forwardingState }) => ({
            afi,
            safi,
            forwardingPreserved: forwardingState,
          })),
        };
        break;
      default:
        break;
    }
  }
  return {
    version: open.version,
    peerAs: peerAsnOf(open),
    holdTimeSeconds: open.holdTime,
    bgpIdentifier: u32(ipv4Bytes(open.bgpIdentifier) ?? new Uint8Array(4), 0),
    capabilities: { families, fourOctetAs, routeRefresh, gracefulRestart },
  };
}

/** RFC 7313 §3: both sides must have advertised it. */
export function offersEnhancedRouteRefresh(open: OpenMessage): boolean {
  return open.capabilities.some((c) => c.kind === 'enhanced-route-refresh');
}

export function wireNotificationOf(notification: Notification): NotificationMessage {
  return createNotification(
    notification.code,
    notification.subcode,
    Buffer.from(
      notification.data.buffer,
      notification.data.byteOffset,
      notification.data.byteLength,
    ),
  );
}

export function notificationOf(message: NotificationMessage): Notification {
  return { code: message.code, subcode: message.subcode, data: message.data };
}

/** How bytes are read and written on an established session. */
export function wireContextOf(negotiated: NegotiatedSession): WireContext {
  return {
    fourOctetAs: negotiated.fourOctetAs,
    external: !negotiated.internal,
    families: negotiated.families,
  };
}
