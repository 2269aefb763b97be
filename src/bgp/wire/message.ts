import { defineCodec } from './codec.ts';
import type { WireCodec } from './codec.ts';
import { ErrorCode, MessageHeaderErrorSubcode, MessageType } from './constants.ts';
import { BgpWireErrors, sessionReset } from './errors.ts';
import { checkMessage } from './header.ts';
import { keepaliveMessage } from './messages/keepalive.ts';
import type { KeepaliveMessage } from './messages/keepalive.ts';
import type { MessageCodec } from './messages/message-codec.ts';
import { notificationMessage } from './messages/notification.ts';
import type { NotificationMessage } from './messages/notification.ts';
import { openMessage } from './messages/open.ts';
import type { OpenMessage } from './messages/open.ts';
import { routeRefreshMessage } from './messages/route-refresh.ts';
import type { RouteRefreshMessage } from './messages/route-refresh.ts';
import { updateMessage } from './messages/update.ts';
import type { UpdateMessage } from './messages/update.ts';

export type BgpMessage =
  OpenMessage | UpdateMessage | NotificationMessage | KeepaliveMessage | RouteRefreshMessage;

const CODECS: {
  readonly [K in BgpMessage['type']]: MessageCodec<Extract<BgpMessage, { type: K }>>;
} = {
  open: openMessage,
  update: updateMessage,
  notification: notificationMessage,
  keepalive: keepaliveMessage,
  'route-refresh': routeRefreshMessage,
};

const BY_TYPE = new Map<number, WireCodec<BgpMessage>>(
  Object.values(CODECS).map((codec) => [codec.type, codec as unknown as WireCodec<BgpMessage>]),
);

function codecOf(message: BgpMessage): WireCodec<BgpMessage> {
  return CODECS[message.type] as unknown as WireCodec<BgpMessage>;
}

/** Any BGP message, dispatched on the header's type octet. */
export const bgpMessage = defineCodec<BgpMessage>({
  name: 'BGP message',
  encodingLength: (message, ctx) => codecOf(message).encodingLength(message, ctx),
  write: (message, buf, offset, ctx) => codecOf(message).write(message, buf, offset, ctx),
  decode(bytes, ctx) {
    const header = checkMessage(bytes);
    const codec = BY_TYPE.get(header.type);
    // RFC 4271 §6.1 (checkMessage already refuses unknown types).
    if (codec === undefined) {
      throw sessionReset(
        BgpWireErrors.IRONLB_ERR_BGP_MESSAGE_HEADER,
        `unknown message type ${header.type}`,
        ErrorCode.MESSAGE_HEADER,
        MessageHeaderErrorSubcode.BAD_MESSAGE_TYPE,
        Buffer.from([header.type]),
      );
    }
    return codec.decode(bytes, ctx);
  },
});

export const decodeMessage = bgpMessage.decode;
export const encodeMessage = bgpMessage.encode;

/** Message type names as used in the `type` field, by wire type. */
export const MESSAGE_TYPE_NAMES: Readonly<Record<number, BgpMessage['type']>> = {
  [MessageType.OPEN]: 'open',
  [MessageType.UPDATE]: 'update',
  [MessageType.NOTIFICATION]: 'notification',
  [MessageType.KEEPALIVE]: 'keepalive',
  [MessageType.ROUTE_REFRESH]: 'route-refresh',
};
