import { checkUint, u16, u8, writeU16 } from '../codec.ts';
import {
  ErrorCode,
  MessageType,
  ROUTE_REFRESH_LENGTH,
  RouteRefreshErrorSubcode,
} from '../constants.ts';
import { BgpWireErrors, sessionReset } from '../errors.ts';
import { defineMessage } from './message-codec.ts';

/**
 * ROUTE-REFRESH (RFC 2918 §3). `subtype` is the former reserved octet:
 * 0 a normal request, 1 and 2 the beginning and end of a refresh (RFC 7313 §3).
 */
export interface RouteRefreshMessage {
  readonly type: 'route-refresh';
  readonly afi: number;
  readonly safi: number;
  readonly subtype: number;
}

export const routeRefreshMessage = defineMessage<RouteRefreshMessage>({
  name: 'ROUTE-REFRESH',
  type: MessageType.ROUTE_REFRESH,
  bodyLength: () => 4,
  writeBody(value, buf, offset) {
    writeU16(buf, offset, checkUint(value.afi, 16, 'AFI'));
    buf[offset + 2] = checkUint(value.subtype, 8, 'ROUTE-REFRESH subtype');
    buf[offset + 3] = checkUint(value.safi, 8, 'SAFI');
    return offset + 4;
  },
  decodeBody(bytes) {
    // RFC 7313 §5: a length other than 23 is a ROUTE-REFRESH Message Error; the data is the message.
    if (bytes.length !== ROUTE_REFRESH_LENGTH) {
      throw sessionReset(
        BgpWireErrors.IRONLB_ERR_BGP_ROUTE_REFRESH,
        `ROUTE-REFRESH of ${bytes.length} octets; it must be 23`,
        ErrorCode.ROUTE_REFRESH_MESSAGE,
        RouteRefreshErrorSubcode.INVALID_MESSAGE_LENGTH,
        Buffer.from(bytes),
      );
    }
    return {
      type: 'route-refresh',
      afi: u16(bytes, 19),
      subtype: u8(bytes, 21),
      safi: u8(bytes, 22),
    };
  },
});
