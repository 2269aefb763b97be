import { defineCodec, u16, u8, writeU16 } from '../codec.ts';
import type { WireCodec } from '../codec.ts';
import { AttributeFlag, ErrorCode, UpdateMessageErrorSubcode } from '../constants.ts';
import type { WireContext } from '../context.ts';
import { BgpWireError, BgpWireErrors, encodeError } from '../errors.ts';
import type { WireErrorAction } from '../errors.ts';

/** Throws the attribute's wire error with an UPDATE Message Error subcode (RFC 4271 §6.3). */
export type AttributeFail = (subcode: number, reason: string) => never;

export interface AttributeSpec<T> {
  /** The RFC name, e.g. "ORIGIN". */
  readonly name: string;
  readonly typeCode: number;
  /** The Optional and Transitive bits this attribute must carry (RFC 4271 §5). */
  readonly flags: number;
  /** RFC 7606 §7: what a malformed instance of this attribute leads to. */
  readonly malformed: WireErrorAction;
  /** MP_REACH/MP_UNREACH vary in size with their NLRI, so they always use the 2-octet length. */
  readonly alwaysExtendedLength?: boolean;
  valueLength(value: T, ctx: WireContext): number;
  writeValue(value: T, buf: Buffer, offset: number, ctx: WireContext): number;
  decodeValue(value: Buffer, ctx: WireContext, fail: AttributeFail): T;
}

export interface AttributeCodec<T> extends WireCodec<T>, AttributeSpec<T> {}

/** The parts of an attribute's header (RFC 4271 §4.3). */
export interface AttributeHeader {
  readonly flags: number;
  readonly typeCode: number;
  readonly headerLength: number;
  readonly valueLength: number;
}

/**
 * Reads an attribute header at buf[offset]; undefined when the header or the
 * value would overrun `end` (the RFC 7606 §4 cases).
 */
export function readAttributeHeader(
  buf: Buffer,
  offset: number,
  end: number,
): AttributeHeader | undefined {
  if (offset + 3 > end) return undefined;
  const flags = u8(buf, offset);
  const typeCode = u8(buf, offset + 1);
  const extended = (flags & AttributeFlag.EXTENDED_LENGTH) !== 0;
  const headerLength = extended ? 4 : 3;
  if (offset + headerLength > end) return undefined;
  const valueLength = extended ? u16(buf, offset + 2) : u8(buf, offset + 2);
  if (offset + headerLength + valueLength > end) return undefined;
  return { flags, typeCode, headerLength, valueLength };
}

/** Writes an attribute header; returns the offset of the value. */
export function writeAttributeHeader(
  flags: number,
  typeCode: number,
  valueLength: number,
  buf: Buffer,
  offset: number,
  forceExtended = false,
): number {
  if (valueLength > 0xffff) {
    throw encodeError(
      `path attribute ${typeCode} would be ${valueLength} octets; the limit is 65535`,
    );
  }
  const extended = forceExtended || valueLength > 0xff;
  buf[offset] = (flags & 0xe0) | (extended ? AttributeFlag.EXTENDED_LENGTH : 0);
  buf[offset + 1] = typeCode;
  if (extended) {
    writeU16(buf, offset + 2, valueLength);
    return offset + 4;
  }
  buf[offset + 2] = valueLength;
  return offset + 3;
}

export function attributeHeaderLength(valueLength: number, forceExtended = false): number {
  return forceExtended || valueLength > 0xff ? 4 : 3;
}

/** The wire error for a malformed attribute; `data` is the whole attribute (RFC 4271 §6.3). */
export function attributeError(
  name: string,
  typeCode: number,
  action: WireErrorAction,
  subcode: number,
  reason: string,
  attribute: Buffer,
): BgpWireError {
  const spec =
    action === 'session-reset'
      ? BgpWireErrors.IRONLB_ERR_BGP_UPDATE
      : BgpWireErrors.IRONLB_ERR_BGP_UPDATE_ATTRIBUTE;
  return new BgpWireError(spec, `${name}: ${reason} (${action})`, {
    action,
    attributeType: typeCode,
    notification: { code: ErrorCode.UPDATE_MESSAGE, subcode, data: Buffer.from(attribute) },
  });
}

const FLAG_MASK = AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE;

/**
 * Decodes the value of an attribute whose header is already read, checking
 * its flags first. `attribute` is the whole attribute, for error data.
 */
export function decodeAttributeValue<T>(
  spec: AttributeSpec<T>,
  flags: number,
  attribute: Buffer,
  value: Buffer,
  ctx: WireContext,
): T {
  const fail: AttributeFail = (subcode, reason) => {
    throw attributeError(spec.name, spec.typeCode, spec.malformed, subcode, reason, attribute);
  };
  // RFC 7606 §3: Optional/Transitive bits in conflict with the attribute's
  // definition make it malformed, handled as the attribute specifies.
  if ((flags & FLAG_MASK) !== spec.flags) {
    return fail(
      UpdateMessageErrorSubcode.ATTRIBUTE_FLAGS_ERROR,
      `flags 0x${flags.toString(16)} conflict with the expected 0x${spec.flags.toString(16)}`,
    );
  }
  return spec.decodeValue(value, ctx, fail);
}

/** Builds the full codec (header + value) of an attribute from its value-level spec. */
export function defineAttribute<T>(spec: AttributeSpec<T>): AttributeCodec<T> {
  const forceExtended = spec.alwaysExtendedLength === true;
  const codec = defineCodec<T>({
    name: spec.name,
    encodingLength(value, ctx) {
      const length = spec.valueLength(value, ctx);
      return attributeHeaderLength(length, forceExtended) + length;
    },
    write(value, buf, offset, ctx) {
      const length = spec.valueLength(value, ctx);
      const valueStart = writeAttributeHeader(
        spec.flags,
        spec.typeCode,
        length,
        buf,
        offset,
        forceExtended,
      );
      return spec.writeValue(value, buf, valueStart, ctx);
    },
    decode(bytes, ctx) {
      const header = readAttributeHeader(bytes, 0, bytes.length);
      // RFC 7606 §4: an attribute whose length disagrees with the octets present.
      if (header !== undefined && header.headerLength + header.valueLength !== bytes.length) {
        throw attributeError(
          spec.name,
          spec.typeCode,
          'treat-as-withdraw',
          UpdateMessageErrorSubcode.ATTRIBUTE_LENGTH_ERROR,
          `attribute length ${header.valueLength} disagrees with the ${bytes.length - header.headerLength} octets present`,
          bytes,
        );
      }
      if (header === undefined) {
        throw attributeError(
          spec.name,
          spec.typeCode,
          'treat-as-withdraw',
          UpdateMessageErrorSubcode.MALFORMED_ATTRIBUTE_LIST,
          'the attribute header or value is truncated',
          bytes,
        );
      }
      if (header.typeCode !== spec.typeCode) {
        throw attributeError(
          spec.name,
          spec.typeCode,
          'session-reset',
          UpdateMessageErrorSubcode.MALFORMED_ATTRIBUTE_LIST,
          `expected attribute type ${spec.typeCode}, got ${header.typeCode}`,
          bytes,
        );
      }
      const value = bytes.subarray(header.headerLength);
      return decodeAttributeValue(spec, header.flags, bytes, value, ctx);
    },
  });
  return { ...spec, ...codec };
}
