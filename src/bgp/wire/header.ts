import { u16, u8, writeU16 } from './codec.ts';
import {
  ErrorCode,
  HEADER_LENGTH,
  KEEPALIVE_LENGTH,
  MARKER_LENGTH,
  MAX_MESSAGE_LENGTH,
  MessageHeaderErrorSubcode,
  MessageType,
  NOTIFICATION_MIN_LENGTH,
  OPEN_MIN_LENGTH,
  UPDATE_MIN_LENGTH,
} from './constants.ts';
import { BgpWireErrors, encodeError, sessionReset } from './errors.ts';

export interface MessageHeader {
  /** The whole message, header included (RFC 4271 §4.1). */
  readonly length: number;
  readonly type: number;
}

const MIN_LENGTH_BY_TYPE: Readonly<Record<number, number>> = {
  [MessageType.OPEN]: OPEN_MIN_LENGTH,
  [MessageType.UPDATE]: UPDATE_MIN_LENGTH,
  [MessageType.NOTIFICATION]: NOTIFICATION_MIN_LENGTH,
  [MessageType.KEEPALIVE]: KEEPALIVE_LENGTH,
  // RFC 7313 §5 moves ROUTE-REFRESH length errors to their own code, checked on decoding.
  [MessageType.ROUTE_REFRESH]: HEADER_LENGTH,
};

function headerError(message: string, subcode: number, data?: Buffer) {
  return sessionReset(
    BgpWireErrors.IRONLB_ERR_BGP_MESSAGE_HEADER,
    message,
    ErrorCode.MESSAGE_HEADER,
    subcode,
    data,
  );
}

/**
 * Reads and checks the 19-octet header at buf[offset] (the caller made sure
 * 19 octets are there). Throws the session-reset error of RFC 4271 §6.1.
 */
export function readHeader(buf: Uint8Array, offset: number): MessageHeader {
  // RFC 4271 §6.1: a marker that is not all ones means the connection is not synchronized.
  for (let i = 0; i < MARKER_LENGTH; i++) {
    if (buf[offset + i] !== 0xff) {
      throw headerError(
        'the marker is not all ones',
        MessageHeaderErrorSubcode.CONNECTION_NOT_SYNCHRONIZED,
      );
    }
  }
  const length = u16(buf, offset + 16);
  const type = u8(buf, offset + 18);
  const lengthField = Buffer.from([length >> 8, length & 0xff]);
  // RFC 4271 §6.1: the length must be 19-4096; the data is the erroneous length field.
  if (length < HEADER_LENGTH || length > MAX_MESSAGE_LENGTH) {
    throw headerError(
      `message length ${length} is outside 19-4096`,
      MessageHeaderErrorSubcode.BAD_MESSAGE_LENGTH,
      lengthField,
    );
  }
  const minimum = MIN_LENGTH_BY_TYPE[type];
  // RFC 4271 §6.1: an unknown type; the data is the erroneous type field.
  if (minimum === undefined) {
    throw headerError(
      `unknown message type ${type}`,
      MessageHeaderErrorSubcode.BAD_MESSAGE_TYPE,
      Buffer.from([type]),
    );
  }
  // RFC 4271 §6.1: OPEN, UPDATE and NOTIFICATION below their minimum, or a KEEPALIVE that is not exactly 19.
  if (length < minimum || (type === MessageType.KEEPALIVE && length !== KEEPALIVE_LENGTH)) {
    throw headerError(
      `message type ${type} cannot be ${length} octets long`,
      MessageHeaderErrorSubcode.BAD_MESSAGE_LENGTH,
      lengthField,
    );
  }
  return { length, type };
}

/** Writes the marker, length and type; returns the offset of the body. */
export function writeHeader(buf: Buffer, offset: number, length: number, type: number): number {
  // RFC 4271 §4.1: we never send a message over 4096 octets.
  if (length > MAX_MESSAGE_LENGTH)
    throw encodeError(`the message would be ${length} octets; BGP allows 4096`);
  buf.fill(0xff, offset, offset + MARKER_LENGTH);
  writeU16(buf, offset + 16, length);
  buf[offset + 18] = type;
  return offset + HEADER_LENGTH;
}

/** Checks a complete message: its header must agree with the octets given (and have `type`, if given). */
export function checkMessage(bytes: Buffer, type?: number): MessageHeader {
  if (bytes.length < HEADER_LENGTH) {
    throw headerError(
      `${bytes.length} octets cannot hold a header`,
      MessageHeaderErrorSubcode.BAD_MESSAGE_LENGTH,
      Buffer.from([0, bytes.length]),
    );
  }
  const header = readHeader(bytes, 0);
  // RFC 4271 §6.1: the Length field must describe the message.
  if (header.length !== bytes.length) {
    throw headerError(
      `the length field says ${header.length} octets but the message has ${bytes.length}`,
      MessageHeaderErrorSubcode.BAD_MESSAGE_LENGTH,
      Buffer.from([header.length >> 8, header.length & 0xff]),
    );
  }
  if (type !== undefined && header.type !== type) {
    throw headerError(
      `expected message type ${type}, got ${header.type}`,
      MessageHeaderErrorSubcode.BAD_MESSAGE_TYPE,
      Buffer.from([header.type]),
    );
  }
  return header;
}
