import type { Command } from 'commander';
import {
  attributeTypeName,
  BgpWireError,
  capabilityName,
  createWireContext,
  decodeMessage,
  formatCommunity,
  formatLargeCommunity,
  HEADER_LENGTH,
  MARKER_LENGTH,
  notificationNames,
  shutdownCommunicationOf,
} from '../../bgp/wire/index.ts';
import type { BgpMessage, Capability, PathAttributes, WireContext } from '../../bgp/wire/index.ts';
import type { CliIo } from '../program.ts';
import { readStdin } from '../stdin.ts';

const MARKER = Buffer.alloc(MARKER_LENGTH, 0xff);

/** Hex text to bytes: whitespace, colons and 0x prefixes are ignored. */
export function parseHex(text: string): Buffer {
  const digits = text.replace(/0x/gi, '').replace(/[\s:]/g, '');
  if (!/^[0-9a-fA-F]*$/.test(digits)) throw new Error('the input is not hexadecimal');
  if (digits.length % 2 !== 0)
    throw new Error(`the input has an odd number of hex digits (${digits.length})`);
  return Buffer.from(digits, 'hex');
}

function hasMarker(buf: Buffer, at: number): boolean {
  return buf.length - at >= MARKER_LENGTH && buf.subarray(at, at + MARKER_LENGTH).equals(MARKER);
}

/**
 * Splits input into messages. Each may come with its 16-octet marker or
 * without (then it starts at the length field, and the marker is added).
 * A length that cannot be trusted ends the split: the rest is one last
 * "message" for the decoder to refuse.
 */
export function splitMessages(input: Buffer): Buffer[] {
  const messages: Buffer[] = [];
  let pos = 0;
  while (pos < input.length) {
    const marked = hasMarker(input, pos);
    const lengthAt = marked ? pos + MARKER_LENGTH : pos;
    const length = lengthAt + 2 <= input.length ? input.readUInt16BE(lengthAt) : 0;
    const usable = length >= HEADER_LENGTH && length <= 4096;
    const end = usable ? Math.min(input.length, lengthAt + length - MARKER_LENGTH) : input.length;
    const body = input.subarray(lengthAt, end);
    messages.push(Buffer.concat([MARKER, body]));
    pos = end;
  }
  return messages;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function hex(buf: Buffer): string {
  return buf.toString('hex');
}

/** JSON-safe copy: Buffers become hex strings, undefined fields disappear. */
function plain(value: unknown): Json {
  if (Buffer.isBuffer(value)) return hex(value);
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = plain(v);
    return out;
  }
  return value as Json;
}

function describeNotification(code: number, subcode: number, data: Buffer): Json {
  const names = notificationNames(code, subcode);
  return { code, subcode, codeName: names.code, subcodeName: names.subcode, data: hex(data) };
}

function describeError(error: BgpWireError): Json {
  const n = error.notification;
  return {
    errorCode: error.code,
    action: error.action,
    message: error.message,
    notification: describeNotification(n.code, n.subcode, n.data),
    ...(error.attributeType === undefined
      ? {}
      : { attribute: attributeTypeName(error.attributeType) }),
    ...(error.prefixes.length > 0 ? { prefixes: [...error.prefixes] } : {}),
  };
}

function describeCapability(capability: Capability): Json {
  if (capability.kind !== 'unknown') return plain(capability);
  return {
    kind: 'unknown',
    code: capability.code,
    name: capabilityName(capability.code),
    value: hex(capability.value),
  };
}

function describeAttributes(attributes: PathAttributes): Json {
  const { communities, largeCommunities, unknown, ...rest } = attributes;
  return plain({
    ...rest,
    ...(communities === undefined ? {} : { communities: communities.map(formatCommunity) }),
    ...(largeCommunities === undefined
      ? {}
      : { largeCommunities: largeCommunities.map(formatLargeCommunity) }),
    ...(unknown === undefined
      ? {}
      : {
          unknown: unknown.map((a) => ({
            typeCode: a.typeCode,
            name: attributeTypeName(a.typeCode),
            flags: a.flags,
            value: hex(a.value),
          })),
        }),
  });
}

/** The JSON view of a decoded message: names for numbers, hex for bytes. */
export function describeMessage(message: BgpMessage): Json {
  switch (message.type) {
    case 'open':
      return {
        ...(plain(message) as Record<string, Json>),
        capabilities: message.capabilities.map(describeCapability),
      };
    case 'update':
      return {
        type: 'update',
        withdrawn: [...message.withdrawn],
        attributes: describeAttributes(message.attributes),
        nlri: [...message.nlri],
        ...(message.errors === undefined ? {} : { errors: message.errors.map(describeError) }),
      };
    case 'notification': {
      const shutdown = shutdownCommunicationOf(message);
      return {
        type: 'notification',
        ...(describeNotification(message.code, message.subcode, message.data) as Record<
          string,
          Json
        >),
        ...(shutdown === undefined ? {} : { shutdownCommunication: shutdown }),
      };
    }
    case 'keepalive':
    case 'route-refresh':
      return plain(message);
  }
}

export interface DecodeOutcome {
  readonly entries: Json[];
  readonly error?: BgpWireError;
}

/** Decodes every message of the input; stops at the first that is refused. */
export function decodeHexInput(text: string, ctx: WireContext): DecodeOutcome {
  const entries: Json[] = [];
  for (const message of splitMessages(parseHex(text))) {
    try {
      entries.push(describeMessage(decodeMessage(message, ctx)));
    } catch (err) {
      if (!(err instanceof BgpWireError)) throw err;
      entries.push({ type: 'error', ...(describeError(err) as Record<string, Json>) });
      return { entries, error: err };
    }
  }
  return { entries };
}

interface DecodeOptions {
  readonly twoOctetAs?: boolean;
  readonly external?: boolean;
}

/** `ironlb bgp decode [HEX...]`: BGP messages from hex to JSON. */
export function registerBgpDecode(bgp: Command, io: CliIo): void {
  bgp
    .command('decode')
    .description(
      'Decode BGP messages from hex (marker optional; spaces and colons ignored; "-" or nothing reads stdin) and print them as JSON. Invalid input prints the NOTIFICATION it would cause and exits 1.',
    )
    .argument('[hex...]', 'the message octets in hex')
    .option(
      '--two-octet-as',
      'decode AS numbers as 2 octets (the peer lacks the 4-octet AS capability)',
    )
    .option(
      '--external',
      'apply the error handling for an external peer (e.g. LOCAL_PREF is discarded)',
    )
    .showHelpAfterError(false) // undecodable input is not a usage error
    .action(async function (this: Command, words: string[], options: DecodeOptions) {
      const fromStdin = words.length === 0 || (words.length === 1 && words[0] === '-');
      const text = fromStdin ? await readStdin() : words.join(' ');
      const ctx = createWireContext({
        fourOctetAs: options.twoOctetAs !== true,
        external: options.external === true,
      });
      let outcome: DecodeOutcome;
      try {
        outcome = decodeHexInput(text, ctx);
      } catch (err) {
        this.error(`error: ${err instanceof Error ? err.message : String(err)}`, {
          exitCode: 2,
          code: 'ironlb.bgp.input',
        });
      }
      io.stdout(`${JSON.stringify(outcome.entries, null, 2)}\n`);
      const error = outcome.error;
      if (error !== undefined) {
        const n = error.notification;
        const names = notificationNames(n.code, n.subcode);
        this.error(
          `error: ${error.message}; this would be answered with NOTIFICATION ${names.code} / ${names.subcode} (${n.code}/${n.subcode})` +
            (n.data.length > 0 ? ` data ${hex(n.data)}` : ''),
          { exitCode: 1, code: 'ironlb.bgp.invalid' },
        );
      }
    });
}
