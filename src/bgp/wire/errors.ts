import { defineCatalogue, IronlbError } from '../../common/errors.ts';
import type { ErrorSpec } from '../../common/errors.ts';

export const BgpWireErrors = defineCatalogue('bgp-wire', {
  IRONLB_ERR_BGP_MESSAGE_HEADER: {
    code: 'IRONLB_ERR_BGP_MESSAGE_HEADER',
    description:
      'A BGP message header was invalid (marker, length or type); the session must be reset.',
  },
  IRONLB_ERR_BGP_OPEN: {
    code: 'IRONLB_ERR_BGP_OPEN',
    description: 'A BGP OPEN message was malformed or unacceptable; the session must be reset.',
  },
  IRONLB_ERR_BGP_UPDATE: {
    code: 'IRONLB_ERR_BGP_UPDATE',
    description:
      'A BGP UPDATE message could not be parsed far enough to keep the session (RFC 7606 session reset).',
  },
  IRONLB_ERR_BGP_UPDATE_ATTRIBUTE: {
    code: 'IRONLB_ERR_BGP_UPDATE_ATTRIBUTE',
    description:
      'A path attribute was malformed; the UPDATE is handled by treat-as-withdraw or attribute discard (RFC 7606).',
  },
  IRONLB_ERR_BGP_ROUTE_REFRESH: {
    code: 'IRONLB_ERR_BGP_ROUTE_REFRESH',
    description: 'A ROUTE-REFRESH message had an invalid length (RFC 7313 §5).',
  },
  IRONLB_ERR_BGP_ENCODE: {
    code: 'IRONLB_ERR_BGP_ENCODE',
    description:
      'A value handed to the BGP encoder cannot be put on the wire (bad prefix text, number out of range, message too long).',
  },
});

/**
 * What the receiver must do about a decoding error (RFC 7606 §2). Decoders
 * throw only for `session-reset`; the other two are reported alongside the
 * decoded UPDATE.
 */
export type WireErrorAction = 'session-reset' | 'treat-as-withdraw' | 'attribute-discard';

/** The fields of the NOTIFICATION that RFC 4271 §6 prescribes for an error. */
export interface NotificationFields {
  readonly code: number;
  readonly subcode: number;
  readonly data: Buffer;
}

export interface BgpWireErrorDetails {
  readonly action: WireErrorAction;
  readonly notification: NotificationFields;
  /** The path attribute type code at fault, when there is one. */
  readonly attributeType?: number;
  /** For treat-as-withdraw: every prefix of the UPDATE, to be handled as withdrawn. */
  readonly prefixes?: readonly string[];
}

/**
 * The one error type of the wire codec. For `session-reset` the notification
 * is what must be sent before closing; for the softer actions it records what
 * RFC 4271 alone would have sent (useful in logs) and no NOTIFICATION is sent.
 */
export class BgpWireError extends IronlbError {
  readonly action: WireErrorAction;
  readonly notification: NotificationFields;
  readonly attributeType: number | undefined;
  readonly prefixes: readonly string[];

  constructor(spec: ErrorSpec, message: string, details: BgpWireErrorDetails) {
    super(spec, message);
    this.name = 'BgpWireError';
    this.action = details.action;
    this.notification = details.notification;
    this.attributeType = details.attributeType;
    this.prefixes = details.prefixes ?? [];
  }

  /** A copy carrying the prefixes a treat-as-withdraw applies to. */
  withPrefixes(prefixes: readonly string[]): BgpWireError {
    const details: BgpWireErrorDetails = {
      action: this.action,
      notification: this.notification,
      prefixes,
      ...(this.attributeType === undefined ? {} : { attributeType: this.attributeType }),
    };
    return new BgpWireError({ code: this.code, description: '' }, this.message, details);
  }
}

export function isBgpWireError(err: unknown): err is BgpWireError {
  return err instanceof BgpWireError;
}

const EMPTY = Buffer.alloc(0);

/** A session-reset error with the given NOTIFICATION. */
export function sessionReset(
  spec: ErrorSpec,
  message: string,
  code: number,
  subcode: number,
  data: Buffer = EMPTY,
): BgpWireError {
  return new BgpWireError(spec, message, {
    action: 'session-reset',
    notification: { code, subcode, data },
  });
}

/** An encoder refusing a value: a programming or configuration error, never a wire error. */
export function encodeError(message: string): IronlbError {
  return new IronlbError(BgpWireErrors.IRONLB_ERR_BGP_ENCODE, message);
}
