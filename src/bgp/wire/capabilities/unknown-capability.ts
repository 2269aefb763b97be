import { u8 } from '../codec.ts';
import { defineCodec } from '../codec.ts';
import { checkUint } from '../codec.ts';
import { malformedCapability, writeCapabilityHeader } from './capability-codec.ts';

/** A capability this codec does not interpret (RFC 5492 §5: it is ignored, but kept for display). */
export interface UnknownCapability {
  readonly kind: 'unknown';
  readonly code: number;
  readonly value: Buffer;
}

export const unknownCapability = defineCodec<UnknownCapability>({
  name: 'unknown capability',
  encodingLength: (value) => 2 + value.value.length,
  write(value, buf, offset) {
    const start = writeCapabilityHeader(
      checkUint(value.code, 8, 'capability code'),
      value.value.length,
      buf,
      offset,
    );
    value.value.copy(buf, start);
    return start + value.value.length;
  },
  decode(bytes) {
    // RFC 5492 §4: the length must cover exactly the value that follows.
    if (bytes.length < 2 || 2 + u8(bytes, 1) !== bytes.length) {
      throw malformedCapability(`code ${u8(bytes, 0)}`, 'length disagrees with the octets present');
    }
    return { kind: 'unknown', code: u8(bytes, 0), value: Buffer.from(bytes.subarray(2)) };
  },
});
