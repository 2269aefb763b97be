/**
 * NOTIFICATION codes and subcodes (RFC 4271 §4.5 and the IANA "BGP Error
 * (Notification) Codes" registry), and the human-readable text ironlb puts in
 * session-down reasons, logs and status.
 */

export interface Notification {
  readonly code: number;
  readonly subcode: number;
  readonly data: Uint8Array;
}

export const NotificationCode = {
  MessageHeaderError: 1,
  OpenMessageError: 2,
  UpdateMessageError: 3,
  HoldTimerExpired: 4,
  FiniteStateMachineError: 5,
  Cease: 6,
  RouteRefreshMessageError: 7,
  SendHoldTimerExpired: 8,
} as const;

export const OpenMessageErrorSubcode = {
  Unspecific: 0,
  UnsupportedVersionNumber: 1,
  BadPeerAs: 2,
  BadBgpIdentifier: 3,
  UnsupportedOptionalParameter: 4,
  UnacceptableHoldTime: 6,
  UnsupportedCapability: 7,
  RoleMismatch: 11,
} as const;

// RFC 6608 §3
export const FsmErrorSubcode = {
  Unspecified: 0,
  UnexpectedMessageInOpenSent: 1,
  UnexpectedMessageInOpenConfirm: 2,
  UnexpectedMessageInEstablished: 3,
} as const;

// RFC 4486 §4, RFC 8538 §5, RFC 9384 §3
export const CeaseSubcode = {
  Unspecific: 0,
  MaximumNumberOfPrefixesReached: 1,
  AdministrativeShutdown: 2,
  PeerDeconfigured: 3,
  AdministrativeReset: 4,
  ConnectionRejected: 5,
  OtherConfigurationChange: 6,
  ConnectionCollisionResolution: 7,
  OutOfResources: 8,
  HardReset: 9,
  BfdDown: 10,
} as const;

const CODE_NAMES: Readonly<Record<number, string>> = {
  1: 'Message Header Error',
  2: 'OPEN Message Error',
  3: 'UPDATE Message Error',
  4: 'Hold Timer Expired',
  5: 'Finite State Machine Error',
  6: 'Cease',
  7: 'ROUTE-REFRESH Message Error',
  8: 'Send Hold Timer Expired',
};

const SUBCODE_NAMES: Readonly<Record<number, Readonly<Record<number, string>>>> = {
  1: { 1: 'Connection Not Synchronized', 2: 'Bad Message Length', 3: 'Bad Message Type' },
  2: {
    1: 'Unsupported Version Number',
    2: 'Bad Peer AS',
    3: 'Bad BGP Identifier',
    4: 'Unsupported Optional Parameter',
    6: 'Unacceptable Hold Time',
    7: 'Unsupported Capability',
    11: 'Role Mismatch',
  },
  3: {
    1: 'Malformed Attribute List',
    2: 'Unrecognized Well-known Attribute',
    3: 'Missing Well-known Attribute',
    4: 'Attribute Flags Error',
    5: 'Attribute Length Error',
    6: 'Invalid ORIGIN Attribute',
    8: 'Invalid NEXT_HOP Attribute',
    9: 'Optional Attribute Error',
    10: 'Invalid Network Field',
    11: 'Malformed AS_PATH',
  },
  5: {
    1: 'Receive Unexpected Message in OpenSent State',
    2: 'Receive Unexpected Message in OpenConfirm State',
    3: 'Receive Unexpected Message in Established State',
  },
  6: {
    1: 'Maximum Number of Prefixes Reached',
    2: 'Administrative Shutdown',
    3: 'Peer De-configured',
    4: 'Administrative Reset',
    5: 'Connection Rejected',
    6: 'Other Configuration Change',
    7: 'Connection Collision Resolution',
    8: 'Out of Resources',
    9: 'Hard Reset',
    10: 'BFD Down',
  },
  7: { 1: 'Invalid Message Length' },
};

export function notification(
  code: number,
  subcode: number,
  data: Uint8Array = new Uint8Array(0),
): Notification {
  return { code, subcode, data };
}

/** "Cease/Administrative Shutdown", "Hold Timer Expired", "OPEN Message Error/subcode 42". */
export function notificationName(code: number, subcode: number): string {
  const codeName = CODE_NAMES[code] ?? `error code ${code}`;
  if (subcode === 0) return codeName;
  const subcodeName = SUBCODE_NAMES[code]?.[subcode] ?? `subcode ${subcode}`;
  return `${codeName}/${subcodeName}`;
}

/**
 * The name plus what the data says, when we can read it: the shutdown
 * communication of RFC 9003, the version of an Unsupported Version Number,
 * otherwise the first bytes in hex.
 */
export function describeNotification(n: Notification): string {
  const name = notificationName(n.code, n.subcode);
  if (n.data.length === 0) return name;
  if (
    n.code === NotificationCode.Cease &&
    (n.subcode === CeaseSubcode.AdministrativeShutdown ||
      n.subcode === CeaseSubcode.AdministrativeReset)
  ) {
    const message = decodeShutdownCommunication(n.data);
    if (message !== undefined) return message === '' ? name : `${name}: '${printable(message)}'`;
  }
  // RFC 4271 §6.2: the data of Unsupported Version Number is a 2-octet version.
  if (
    n.code === NotificationCode.OpenMessageError &&
    n.subcode === OpenMessageErrorSubcode.UnsupportedVersionNumber &&
    n.data.length === 2
  ) {
    return `${name} (version ${((n.data[0] ?? 0) << 8) | (n.data[1] ?? 0)} supported)`;
  }
  return `${name} (data 0x${hex(n.data.subarray(0, 32))}${n.data.length > 32 ? '…' : ''})`;
}

const MAX_SHUTDOWN_COMMUNICATION_OCTETS = 255;

/**
 * RFC 9003 §2: a length octet and up to 255 octets of UTF-8. A longer message
 * is cut at a character boundary rather than refused: the shutdown must happen.
 */
export function encodeShutdownCommunication(message: string): Uint8Array {
  let bytes = new TextEncoder().encode(message);
  if (bytes.length > MAX_SHUTDOWN_COMMUNICATION_OCTETS) {
    let end = MAX_SHUTDOWN_COMMUNICATION_OCTETS;
    // Step back over UTF-8 continuation bytes (10xxxxxx) to a character start.
    while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
    bytes = bytes.subarray(0, end);
  }
  const data = new Uint8Array(bytes.length + 1);
  data[0] = bytes.length;
  data.set(bytes, 1);
  return data;
}

/** RFC 9003 §2; undefined when the data is not a well-formed shutdown communication. */
export function decodeShutdownCommunication(data: Uint8Array): string | undefined {
  const length = data[0];
  if (length === undefined || length + 1 > data.length) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(1, 1 + length));
  } catch {
    return undefined;
  }
}

function printable(text: string): string {
  // The peer chose this text; keep control characters out of our logs and status.
  return text.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}
