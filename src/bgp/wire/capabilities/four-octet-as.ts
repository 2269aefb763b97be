import { checkUint, u32, writeU32 } from '../codec.ts';
import { CapabilityCode, ErrorCode, OpenMessageErrorSubcode } from '../constants.ts';
import { BgpWireErrors, sessionReset } from '../errors.ts';
import { defineCapability } from './capability-codec.ts';

/** RFC 6793 §3: the sender handles 4-octet AS numbers; its own AS number. */
export interface FourOctetAsCapability {
  readonly kind: 'four-octet-as';
  readonly asn: number;
}

export const fourOctetAsCapability = defineCapability<FourOctetAsCapability>({
  name: 'four-octet-as',
  code: CapabilityCode.FOUR_OCTET_AS,
  valueLength: () => 4,
  writeValue(value, buf, offset) {
    writeU32(buf, offset, checkUint(value.asn, 32, 'AS number'));
    return offset + 4;
  },
  decodeValue(value, fail) {
    // RFC 6793 §3: the value is the 4-octet AS number.
    if (value.length !== 4) return fail(`length ${value.length}, expected 4`);
    const asn = u32(value, 0);
    // RFC 7607 §2: AS 0 in the capability is a Bad Peer AS.
    if (asn === 0) {
      throw sessionReset(
        BgpWireErrors.IRONLB_ERR_BGP_OPEN,
        'the 4-octet AS capability carries AS 0',
        ErrorCode.OPEN_MESSAGE,
        OpenMessageErrorSubcode.BAD_PEER_AS,
      );
    }
    return { kind: 'four-octet-as', asn };
  },
});
