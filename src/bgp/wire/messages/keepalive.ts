import { MessageType } from '../constants.ts';
import { defineMessage } from './message-codec.ts';

/** KEEPALIVE (RFC 4271 §4.4): the header alone. */
export interface KeepaliveMessage {
  readonly type: 'keepalive';
}

export const KEEPALIVE: KeepaliveMessage = { type: 'keepalive' };

export const keepaliveMessage = defineMessage<KeepaliveMessage>({
  name: 'KEEPALIVE',
  type: MessageType.KEEPALIVE,
  bodyLength: () => 0,
  writeBody: (_value, _buf, offset) => offset,
  // RFC 4271 §6.1: the length (exactly 19) is checked with the header.
  decodeBody: () => KEEPALIVE,
});
