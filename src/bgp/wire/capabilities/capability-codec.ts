import { defineCodec, u8 } from '../codec.ts';
import type { WireCodec } from '../codec.ts';
import { ErrorCode, OpenMessageErrorSubcode } from '../constants.ts';
import type { WireContext } from '../context.ts';
import { BgpWireErrors, encodeError, sessionReset } from '../errors.ts';
import type { BgpWireError } from '../errors.ts';

/** Throws the OPEN error for a malformed capability. */
export type CapabilityFail = (reason: string) => never;

export interface CapabilitySpec<T> {
  readonly name: string;
  readonly code: number;
  valueLength(value: T): number;
  writeValue(value: T, buf: Buffer, offset: number): number;
  decodeValue(value: Buffer, fail: CapabilityFail): T;
}

export interface CapabilityCodec<T> extends WireCodec<T>, CapabilitySpec<T> {}

/**
 * RFC 4271 §6.2: a recognized optional parameter that is malformed is an
 * OPEN Message Error with subcode 0 (Unspecific); a capability is part of one.
 */
export function malformedCapability(name: string, reason: string): BgpWireError {
  return sessionReset(
    BgpWireErrors.IRONLB_ERR_BGP_OPEN,
    `capability ${name}: ${reason}`,
    ErrorCode.OPEN_MESSAGE,
    OpenMessageErrorSubcode.UNSPECIFIC,
  );
}

/** RFC 5492 §4: code (1), length (1), value. */
export function writeCapabilityHeader(
  code: number,
  length: number,
  buf: Buffer,
  offset: number,
): number {
  if (length > 0xff)
    throw encodeError(`capability ${code} value is ${length} octets; the limit is 255`);
  buf[offset] = code;
  buf[offset + 1] = length;
  return offset + 2;
}

export function defineCapability<T>(spec: CapabilitySpec<T>): CapabilityCodec<T> {
  const codec = defineCodec<T>({
    name: spec.name,
    encodingLength: (value) => 2 + spec.valueLength(value),
    write(value, buf, offset) {
      const start = writeCapabilityHeader(spec.code, spec.valueLength(value), buf, offset);
      return spec.writeValue(value, buf, start);
    },
    decode(bytes: Buffer, _ctx: WireContext) {
      // RFC 5492 §4: the length must cover exactly the value that follows.
      if (bytes.length < 2 || u8(bytes, 0) !== spec.code || 2 + u8(bytes, 1) !== bytes.length) {
        throw malformedCapability(spec.name, 'code or length disagrees with the octets present');
      }
      return spec.decodeValue(bytes.subarray(2), (reason) => {
        throw malformedCapability(spec.name, reason);
      });
    },
  });
  return { ...spec, ...codec };
}

/** For capabilities without a value (route refresh and friends). */
export function emptyValue(name: string) {
  return {
    valueLength: () => 0,
    writeValue: (_value: unknown, _buf: Buffer, offset: number) => offset,
    check(value: Buffer, fail: CapabilityFail): void {
      // RFC 2918 §2, RFC 7313 §3: these capabilities have length 0.
      if (value.length !== 0) return fail(`${name} has length ${value.length}, expected 0`);
    },
  };
}
