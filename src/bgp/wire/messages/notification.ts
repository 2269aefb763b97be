import { isUtf8 } from 'node:buffer';
import { checkUint, u8 } from '../codec.ts';
import { CeaseSubcode, ErrorCode, MessageType } from '../constants.ts';
import type { BgpWireError } from '../errors.ts';
import { defineMessage } from './message-codec.ts';

/** NOTIFICATION (RFC 4271 §4.5). */
export interface NotificationMessage {
  readonly type: 'notification';
  readonly code: number;
  readonly subcode: number;
  readonly data: Buffer;
}

export const notificationMessage = defineMessage<NotificationMessage>({
  name: 'NOTIFICATION',
  type: MessageType.NOTIFICATION,
  bodyLength: (value) => 2 + value.data.length,
  writeBody(value, buf, offset) {
    buf[offset] = checkUint(value.code, 8, 'error code');
    buf[offset + 1] = checkUint(value.subcode, 8, 'error subcode');
    value.data.copy(buf, offset + 2);
    return offset + 2 + value.data.length;
  },
  // RFC 4271 §6.4: nothing in a NOTIFICATION is ever answered with another one,
  // so beyond the header's minimum length every NOTIFICATION decodes.
  decodeBody: (bytes) => ({
    type: 'notification',
    code: u8(bytes, 19),
    subcode: u8(bytes, 20),
    data: Buffer.from(bytes.subarray(21)),
  }),
});

export function createNotification(
  code: number,
  subcode: number,
  data: Buffer = Buffer.alloc(0),
): NotificationMessage {
  return { type: 'notification', code, subcode, data };
}

/** The NOTIFICATION a session-reset error calls for (RFC 4271 §6). */
export function notificationForError(error: BgpWireError): NotificationMessage {
  return createNotification(
    error.notification.code,
    error.notification.subcode,
    error.notification.data,
  );
}

/** RFC 9003 §2: at most 255 octets of UTF-8. */
export const SHUTDOWN_COMMUNICATION_MAX_OCTETS = 255;

function hasShutdownCommunication(code: number, subcode: number): boolean {
  return (
    code === ErrorCode.CEASE &&
    (subcode === CeaseSubcode.ADMINISTRATIVE_SHUTDOWN ||
      subcode === CeaseSubcode.ADMINISTRATIVE_RESET)
  );
}

/**
 * A Cease NOTIFICATION; for Administrative Shutdown and Reset with an
 * optional shutdown communication (RFC 9003 §2: a length octet, then UTF-8),
 * cut at a character boundary to fit 255 octets.
 */
export function createCeaseNotification(
  subcode: number,
  shutdownCommunication?: string,
): NotificationMessage {
  if (shutdownCommunication === undefined || !hasShutdownCommunication(ErrorCode.CEASE, subcode)) {
    return createNotification(ErrorCode.CEASE, subcode);
  }
  let text = Buffer.from(shutdownCommunication, 'utf8');
  if (text.length > SHUTDOWN_COMMUNICATION_MAX_OCTETS) {
    let cut = SHUTDOWN_COMMUNICATION_MAX_OCTETS;
    // Back up over UTF-8 continuation octets (10xxxxxx) so no character is split.
    while (cut > 0 && ((text[cut] ?? 0) & 0xc0) === 0x80) cut--;
    text = text.subarray(0, cut);
  }
  return createNotification(
    ErrorCode.CEASE,
    subcode,
    Buffer.concat([Buffer.from([text.length]), text]),
  );
}

/**
 * The shutdown communication of a Cease Administrative Shutdown/Reset
 * (RFC 9003 §2), or undefined when there is none or it is malformed (RFC 9003
 * §4: a malformed one is ignored, never answered).
 */
export function shutdownCommunicationOf(notification: NotificationMessage): string | undefined {
  if (
    !hasShutdownCommunication(notification.code, notification.subcode) ||
    notification.data.length === 0
  )
    return undefined;
  const length = u8(notification.data, 0);
  if (length === 0 || length + 1 > notification.data.length) return undefined;
  const text = notification.data.subarray(1, 1 + length);
  return isUtf8(text) ? text.toString('utf8') : undefined;
}
