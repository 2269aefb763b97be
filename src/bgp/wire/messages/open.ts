import type { Capability } from '../capabilities/capability.ts';
import {
  capabilityListLength,
  decodeCapabilityList,
  writeCapabilityList,
} from '../capabilities/capability.ts';
import { checkUint, u16, u32, u8, writeU16 } from '../codec.ts';
import {
  AS_TRANS,
  BGP_VERSION,
  ErrorCode,
  MessageType,
  OpenMessageErrorSubcode,
  OptionalParameterType,
} from '../constants.ts';
import { BgpWireErrors, encodeError, sessionReset } from '../errors.ts';
import { formatIpv4 } from '../ip-address.ts';
import { writeIpv4 } from '../attributes/next-hop.ts';
import { defineMessage } from './message-codec.ts';

/**
 * OPEN (RFC 4271 §4.2). Capabilities are listed flat, in wire order;
 * `parameterLayout` records how they were grouped into Capabilities optional
 * parameters when that was not "all in one" (RFC 5492 §4 allows either), so
 * that a decoded OPEN re-encodes to the same bytes.
 */
export interface OpenMessage {
  readonly type: 'open';
  readonly version: number;
  /** The 2-octet My AS field: AS_TRANS when the real AS is above 65535 (RFC 6793 §4.1). */
  readonly myAs: number;
  readonly holdTime: number;
  readonly bgpIdentifier: string;
  readonly capabilities: readonly Capability[];
  /** Number of capabilities in each optional parameter; absent = one parameter with all (none if empty). */
  readonly parameterLayout?: readonly number[];
  /** RFC 9072: the optional parameters used the extended-length encoding. */
  readonly extendedParameters?: true;
}

function openError(message: string, subcode: number, data?: Buffer) {
  return sessionReset(
    BgpWireErrors.IRONLB_ERR_BGP_OPEN,
    message,
    ErrorCode.OPEN_MESSAGE,
    subcode,
    data,
  );
}

function groups(open: OpenMessage): readonly number[] {
  if (open.parameterLayout !== undefined) return open.parameterLayout;
  return open.capabilities.length > 0 ? [open.capabilities.length] : [];
}

interface Layout {
  readonly extended: boolean;
  /** Octets of the optional parameters, excluding the length field(s) before them. */
  readonly parametersLength: number;
}

function layoutOf(open: OpenMessage): Layout {
  const counts = groups(open);
  const total = counts.reduce((sum, n) => sum + n, 0);
  if (total !== open.capabilities.length) {
    throw encodeError(
      `parameterLayout covers ${total} capabilities but there are ${open.capabilities.length}`,
    );
  }
  let valueLengths = 0;
  let index = 0;
  let largest = 0;
  for (const count of counts) {
    const length = capabilityListLength(open.capabilities.slice(index, index + count));
    largest = Math.max(largest, length);
    valueLengths += length;
    index += count;
  }
  const shortLength = valueLengths + 2 * counts.length;
  // RFC 9072 §2: the extended encoding when asked for, or when a length does not fit one octet.
  const extended = open.extendedParameters === true || shortLength > 255 || largest > 255;
  return { extended, parametersLength: extended ? valueLengths + 3 * counts.length : shortLength };
}

export const openMessage = defineMessage<OpenMessage>({
  name: 'OPEN',
  type: MessageType.OPEN,
  bodyLength(open) {
    const layout = layoutOf(open);
    return 10 + (layout.extended ? 3 : 0) + layout.parametersLength;
  },
  writeBody(open, buf, offset) {
    const layout = layoutOf(open);
    buf[offset] = checkUint(open.version, 8, 'version');
    writeU16(buf, offset + 1, checkUint(open.myAs, 16, 'My AS'));
    writeU16(buf, offset + 3, checkUint(open.holdTime, 16, 'hold time'));
    writeIpv4(open.bgpIdentifier, 'BGP Identifier', buf, offset + 5);
    let pos = offset + 9;
    if (layout.extended) {
      // RFC 9072 §2: Non-Ext OP Len = 255, Non-Ext OP Type = 255, then a 2-octet length.
      buf[pos] = 255;
      buf[pos + 1] = OptionalParameterType.EXTENDED_LENGTH;
      writeU16(buf, pos + 2, layout.parametersLength);
      pos += 4;
    } else {
      buf[pos] = layout.parametersLength;
      pos += 1;
    }
    let index = 0;
    for (const count of groups(open)) {
      const capabilities = open.capabilities.slice(index, index + count);
      index += count;
      const length = capabilityListLength(capabilities);
      buf[pos] = OptionalParameterType.CAPABILITIES;
      if (layout.extended) {
        writeU16(buf, pos + 1, length);
        pos += 3;
      } else {
        buf[pos + 1] = length;
        pos += 2;
      }
      pos = writeCapabilityList(capabilities, buf, pos);
    }
    return pos;
  },
  decodeBody(bytes) {
    const version = u8(bytes, 19);
    // RFC 4271 §6.2: an unsupported version; the data is the largest version we support (2 octets).
    if (version !== BGP_VERSION) {
      throw openError(
        `BGP version ${version} is not supported`,
        OpenMessageErrorSubcode.UNSUPPORTED_VERSION_NUMBER,
        Buffer.from([0, BGP_VERSION]),
      );
    }
    const myAs = u16(bytes, 20);
    // RFC 7607 §2: AS 0 is a Bad Peer AS.
    if (myAs === 0) throw openError('My AS is 0', OpenMessageErrorSubcode.BAD_PEER_AS);
    const holdTime = u16(bytes, 22);
    // RFC 4271 §6.2: a Hold Time of one or two seconds is unacceptable.
    if (holdTime === 1 || holdTime === 2) {
      throw openError(
        `hold time ${holdTime} s is unacceptable`,
        OpenMessageErrorSubcode.UNACCEPTABLE_HOLD_TIME,
      );
    }
    // RFC 6286 §2.2: the BGP Identifier is any non-zero 4-octet value.
    if (u32(bytes, 24) === 0)
      throw openError('BGP Identifier is 0', OpenMessageErrorSubcode.BAD_BGP_IDENTIFIER);
    const bgpIdentifier = formatIpv4(bytes, 24);

    let pos = 29;
    let end: number;
    let extended = false;
    const shortLength = u8(bytes, 28);
    if (shortLength === 255 && u8(bytes, 29) === OptionalParameterType.EXTENDED_LENGTH) {
      // RFC 9072 §2: the extended encoding; a 2-octet length follows the 255 type.
      if (bytes.length < 32)
        throw openError(
          'extended optional parameters length is truncated',
          OpenMessageErrorSubcode.UNSPECIFIC,
        );
      extended = true;
      end = 32 + u16(bytes, 30);
      pos = 32;
    } else {
      end = 29 + shortLength;
    }
    // RFC 4271 §6.2: the optional parameters must fill the message exactly.
    if (end !== bytes.length) {
      throw openError(
        `optional parameters end at ${end} but the message has ${bytes.length} octets`,
        OpenMessageErrorSubcode.UNSPECIFIC,
      );
    }
    const capabilities: Capability[] = [];
    const layout: number[] = [];
    const headerLength = extended ? 3 : 2;
    while (pos < end) {
      // RFC 4271 §6.2: a parameter header or value that overruns is malformed.
      if (pos + headerLength > end)
        throw openError(
          'an optional parameter header is truncated',
          OpenMessageErrorSubcode.UNSPECIFIC,
        );
      const type = u8(bytes, pos);
      const length = extended ? u16(bytes, pos + 1) : u8(bytes, pos + 1);
      const valueEnd = pos + headerLength + length;
      if (valueEnd > end)
        throw openError(
          `optional parameter ${type} overruns the message`,
          OpenMessageErrorSubcode.UNSPECIFIC,
        );
      // RFC 4271 §6.2 / RFC 5492 §4: Capabilities (2) is the only parameter we support.
      if (type !== OptionalParameterType.CAPABILITIES) {
        throw openError(
          `optional parameter type ${type} is not supported`,
          OpenMessageErrorSubcode.UNSUPPORTED_OPTIONAL_PARAMETER,
        );
      }
      const list = decodeCapabilityList(bytes.subarray(pos + headerLength, valueEnd));
      for (const capability of list) capabilities.push(capability);
      layout.push(list.length);
      pos = valueEnd;
    }
    const open: OpenMessage = {
      type: 'open',
      version,
      myAs,
      holdTime,
      bgpIdentifier,
      capabilities,
    };
    const defaultGroups = capabilities.length > 0 ? 1 : 0;
    const needsLayout = layout.length !== defaultGroups;
    return {
      ...open,
      ...(needsLayout ? { parameterLayout: layout } : {}),
      ...(extended ? { extendedParameters: true as const } : {}),
    };
  },
});

export interface OpenOptions {
  /** Our AS number, 2 or 4 octets. */
  readonly asn: number;
  readonly holdTime: number;
  readonly bgpIdentifier: string;
  /** Capabilities to advertise; the 4-octet AS capability is added when missing (RFC 6793 §3). */
  readonly capabilities: readonly Capability[];
}

/** Builds our OPEN: My AS is AS_TRANS above 65535 (RFC 6793 §4.1), all capabilities in one parameter. */
export function createOpen(options: OpenOptions): OpenMessage {
  checkUint(options.asn, 32, 'AS number');
  const hasFourOctet = options.capabilities.some((c) => c.kind === 'four-octet-as');
  return {
    type: 'open',
    version: BGP_VERSION,
    myAs: options.asn > 0xffff ? AS_TRANS : options.asn,
    holdTime: options.holdTime,
    bgpIdentifier: options.bgpIdentifier,
    capabilities: hasFourOctet
      ? options.capabilities
      : [...options.capabilities, { kind: 'four-octet-as', asn: options.asn }],
  };
}

/** The sender's AS: from the 4-octet AS capability when present (RFC 6793 §4.1), else My AS. */
export function peerAsnOf(open: OpenMessage): number {
  for (const capability of open.capabilities) {
    if (capability.kind === 'four-octet-as') return capability.asn;
  }
  return open.myAs;
}
