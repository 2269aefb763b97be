import { checkUint, u16, u8, writeU16 } from '../codec.ts';
import { CapabilityCode } from '../constants.ts';
import { defineCapability } from './capability-codec.ts';

/** RFC 4760 §8: the sender supports this AFI/SAFI. */
export interface MultiprotocolCapability {
  readonly kind: 'multiprotocol';
  readonly afi: number;
  readonly safi: number;
}

export const multiprotocolCapability = defineCapability<MultiprotocolCapability>({
  name: 'multiprotocol',
  code: CapabilityCode.MULTIPROTOCOL,
  valueLength: () => 4,
  writeValue(value, buf, offset) {
    writeU16(buf, offset, checkUint(value.afi, 16, 'AFI'));
    buf[offset + 2] = 0;
    buf[offset + 3] = checkUint(value.safi, 8, 'SAFI');
    return offset + 4;
  },
  decodeValue(value, fail) {
    // RFC 4760 §8: AFI (2), reserved (1, ignored), SAFI (1).
    if (value.length !== 4) return fail(`length ${value.length}, expected 4`);
    return { kind: 'multiprotocol', afi: u16(value, 0), safi: u8(value, 3) };
  },
});
