import type { BgpState } from './fsm.ts';
import { CeaseSubcode, type Notification, notification, NotificationCode } from './notification.ts';

/**
 * Connection collision resolution (RFC 4271 §6.8): both speakers connected to
 * each other at once and one of the two connections must go. Called when an
 * OPEN arrives while the peer has another connection.
 */

export type ConnectionDirection = 'outbound' | 'inbound';

export interface CollisionInput {
  /** Our BGP Identifier and the one in the OPEN just received, as unsigned 32-bit numbers. */
  readonly localId: number;
  readonly remoteId: number;
  /** Tie-breakers when the identifiers are equal (RFC 6286 §2.3). */
  readonly localAs: number;
  readonly remoteAs: number;
  /** The connection the OPEN arrived on. */
  readonly receivedOn: ConnectionDirection;
  /** The FSM state of each connection (we initiated outbound, accepted inbound). */
  readonly outboundState: BgpState;
  readonly inboundState: BgpState;
}

export type CollisionDecision =
  | { readonly kind: 'none'; readonly reason: string }
  | {
      readonly kind: 'close';
      /** Feed OpenCollisionDump to this connection's FSM; it sends the Cease. */
      readonly close: ConnectionDirection;
      readonly notification: Notification;
      readonly reason: string;
    };

export function resolveCollision(input: CollisionInput): CollisionDecision {
  const other: ConnectionDirection = input.receivedOn === 'outbound' ? 'inbound' : 'outbound';
  const otherState = other === 'outbound' ? input.outboundState : input.inboundState;
  // RFC 4271 §6.8: no collision can be detected with a connection in Idle, Connect or Active.
  if (otherState === 'Idle' || otherState === 'Connect' || otherState === 'Active') {
    return { kind: 'none', reason: `the other connection is in ${otherState}` };
  }
  const close = (connection: ConnectionDirection, reason: string): CollisionDecision => ({
    kind: 'close',
    close: connection,
    notification: notification(NotificationCode.Cease, CeaseSubcode.ConnectionCollisionResolution),
    reason,
  });
  // RFC 4271 §6.8: a collision with an Established connection closes the new one.
  if (otherState === 'Established') {
    return close(input.receivedOn, 'the other connection is already Established');
  }
  // RFC 4271 §6.8 examines OpenConfirm, and OpenSent "if the BGP Identifier of the
  // peer is known by means outside the protocol": our peers are configured by
  // address, so both connections are to the same speaker and we do.
  //
  // The connection initiated by the speaker with the higher identifier stays:
  // if ours is higher, our outbound one; else the peer's, our inbound one.
  // Identifiers compare as unsigned 32-bit integers (>>> 0 guards against a
  // caller that passed a signed int32).
  const local = input.localId >>> 0;
  const remote = input.remoteId >>> 0;
  if (local !== remote) {
    return local > remote
      ? close('inbound', 'our BGP identifier is higher: the connection we initiated stays')
      : close('outbound', "the peer's BGP identifier is higher: the connection it initiated stays");
  }
  // RFC 6286 §2.3: equal identifiers (allowed between ASes), the larger AS number's connection stays.
  if (input.localAs !== input.remoteAs) {
    return input.localAs > input.remoteAs
      ? close(
          'inbound',
          'equal BGP identifiers, our AS is larger: the connection we initiated stays',
        )
      : close('outbound', "equal BGP identifiers, the peer's AS is larger: its connection stays");
  }
  // Same identifier and AS: the OPEN check refuses this (Bad BGP Identifier), so
  // it cannot happen; close the newer connection to be safe.
  return close(input.receivedOn, 'equal BGP identifiers and AS numbers: the newer connection goes');
}
