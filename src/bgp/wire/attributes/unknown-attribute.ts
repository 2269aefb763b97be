import {
  readAttributeHeader,
  writeAttributeHeader,
  attributeHeaderLength,
} from './attribute-codec.ts';
import { defineCodec } from '../codec.ts';
import { AttributeFlag, UpdateMessageErrorSubcode } from '../constants.ts';
import { BgpWireError, BgpWireErrors } from '../errors.ts';
import { ErrorCode } from '../constants.ts';

/**
 * An attribute this codec does not interpret, kept intact (RFC 4271 §5:
 * optional transitive ones are passed on, with the Partial bit set).
 * `flags` holds the Optional, Transitive and Partial bits only: the length
 * form is chosen when encoding.
 */
export interface UnknownAttribute {
  readonly flags: number;
  readonly typeCode: number;
  readonly value: Buffer;
}

/** A raw attribute of any type. */
export const unknownAttribute = defineCodec<UnknownAttribute>({
  name: 'unknown attribute',
  encodingLength: (attr) => attributeHeaderLength(attr.value.length) + attr.value.length,
  write(attr, buf, offset) {
    const pos = writeAttributeHeader(attr.flags, attr.typeCode, attr.value.length, buf, offset);
    attr.value.copy(buf, pos);
    return pos + attr.value.length;
  },
  decode(bytes) {
    const header = readAttributeHeader(bytes, 0, bytes.length);
    // RFC 7606 §4: the attribute overruns the octets present.
    if (header === undefined || header.headerLength + header.valueLength !== bytes.length) {
      throw new BgpWireError(
        BgpWireErrors.IRONLB_ERR_BGP_UPDATE_ATTRIBUTE,
        'attribute length disagrees with the octets present (treat-as-withdraw)',
        {
          action: 'treat-as-withdraw',
          notification: {
            code: ErrorCode.UPDATE_MESSAGE,
            subcode: UpdateMessageErrorSubcode.ATTRIBUTE_LENGTH_ERROR,
            data: Buffer.from(bytes),
          },
        },
      );
    }
    return {
      flags:
        header.flags & (AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE | AttributeFlag.PARTIAL),
      typeCode: header.typeCode,
      value: Buffer.from(bytes.subarray(header.headerLength)),
    };
  },
});
