import { u16, writeU16 } from '../codec.ts';
import { AttributeType, ErrorCode, MessageType, UpdateMessageErrorSubcode } from '../constants.ts';
import type { WireContext } from '../context.ts';
import { BgpWireErrors, sessionReset } from '../errors.ts';
import type { BgpWireError } from '../errors.ts';
import {
  decodePathAttributes,
  pathAttributesLength,
  writePathAttributes,
} from '../path-attributes.ts';
import type { PathAttributes } from '../path-attributes.ts';
import { prefixesWireLength, readPrefixes, writePrefixes } from '../prefix.ts';
import type { Prefix } from '../prefix.ts';
import { attributeError } from '../attributes/attribute-codec.ts';
import { defineMessage } from './message-codec.ts';

/**
 * UPDATE (RFC 4271 §4.3). `withdrawn` and `nlri` are the IPv4 fields; other
 * families travel in `attributes.mpReach` / `attributes.mpUnreach`.
 */
export interface UpdateMessage {
  readonly type: 'update';
  readonly withdrawn: readonly Prefix[];
  readonly attributes: PathAttributes;
  readonly nlri: readonly Prefix[];
  /**
   * Set by decoding only: errors that RFC 7606 handles without a session
   * reset. When any is `treat-as-withdraw`, every prefix in `nlri` and
   * `attributes.mpReach` must be handled as withdrawn (see `routeChangesOf`).
   */
  readonly errors?: readonly BgpWireError[];
}

function updateError(message: string, subcode: number) {
  return sessionReset(
    BgpWireErrors.IRONLB_ERR_BGP_UPDATE,
    `UPDATE: ${message}`,
    ErrorCode.UPDATE_MESSAGE,
    subcode,
  );
}

/** Checks for the well-known mandatory attributes (RFC 4271 §5, RFC 4760 §3). */
function missingAttributeErrors(update: UpdateMessage, seen: ReadonlySet<number>): BgpWireError[] {
  const hasMpReach = update.attributes.mpReach !== undefined;
  if (update.nlri.length === 0 && !hasMpReach) return [];
  const required: number[] = [AttributeType.ORIGIN, AttributeType.AS_PATH];
  // RFC 4760 §3: NEXT_HOP is only required for NLRI in the UPDATE's own NLRI field.
  if (update.nlri.length > 0) required.push(AttributeType.NEXT_HOP);
  const errors: BgpWireError[] = [];
  for (const typeCode of required) {
    if (seen.has(typeCode)) continue;
    // RFC 7606 §3: a missing well-known mandatory attribute means treat-as-withdraw;
    // RFC 4271 §6.3 names the subcode, with the missing type code as data.
    errors.push(
      attributeError(
        `attribute ${typeCode}`,
        typeCode,
        'treat-as-withdraw',
        UpdateMessageErrorSubcode.MISSING_WELL_KNOWN_ATTRIBUTE,
        'missing well-known mandatory attribute',
        Buffer.from([typeCode]),
      ),
    );
  }
  return errors;
}

/** Every prefix the UPDATE announces: IPv4 NLRI and MP_REACH_NLRI of parsed families. */
export function announcedPrefixes(update: UpdateMessage): Prefix[] {
  const mpReach = update.attributes.mpReach;
  if (mpReach === undefined || mpReach.family === 'other') return [...update.nlri];
  return update.nlri.length === 0 ? [...mpReach.nlri] : [...update.nlri, ...mpReach.nlri];
}

function bodyLength(update: UpdateMessage, ctx: WireContext): number {
  return (
    4 +
    prefixesWireLength(update.withdrawn) +
    pathAttributesLength(update.attributes, ctx) +
    prefixesWireLength(update.nlri)
  );
}

export const updateMessage = defineMessage<UpdateMessage>({
  name: 'UPDATE',
  type: MessageType.UPDATE,
  bodyLength,
  writeBody(update, buf, offset, ctx) {
    const withdrawnEnd = writePrefixes(update.withdrawn, 4, buf, offset + 2);
    writeU16(buf, offset, withdrawnEnd - offset - 2);
    const attributesEnd = writePathAttributes(update.attributes, buf, withdrawnEnd + 2, ctx);
    writeU16(buf, withdrawnEnd, attributesEnd - withdrawnEnd - 2);
    return writePrefixes(update.nlri, 4, buf, attributesEnd);
  },
  decodeBody(bytes, ctx) {
    const length = bytes.length;
    const withdrawnLength = u16(bytes, 19);
    // RFC 4271 §6.3: Withdrawn Routes Length + Total Attribute Length + 23 beyond the message.
    if (23 + withdrawnLength > length) {
      throw updateError(
        `withdrawn routes length ${withdrawnLength} overruns the message`,
        UpdateMessageErrorSubcode.MALFORMED_ATTRIBUTE_LIST,
      );
    }
    const attributesStart = 23 + withdrawnLength;
    const attributesLength = u16(bytes, 21 + withdrawnLength);
    if (attributesStart + attributesLength > length) {
      throw updateError(
        `total path attribute length ${attributesLength} overruns the message`,
        UpdateMessageErrorSubcode.MALFORMED_ATTRIBUTE_LIST,
      );
    }
    // RFC 7606 §5.3 (and §3: withdrawn routes are checked like NLRI): a field
    // that does not parse resets the session.
    const withdrawn = readPrefixes(bytes, 21, 21 + withdrawnLength, 4, (reason) => {
      throw updateError(
        `withdrawn routes: ${reason}`,
        UpdateMessageErrorSubcode.INVALID_NETWORK_FIELD,
      );
    });
    const decoded = decodePathAttributes(
      bytes,
      attributesStart,
      attributesStart + attributesLength,
      ctx,
    );
    // RFC 4271 §6.3 and RFC 7606 §5.3: NLRI that does not parse resets the session.
    const nlri = readPrefixes(bytes, attributesStart + attributesLength, length, 4, (reason) => {
      throw updateError(`NLRI: ${reason}`, UpdateMessageErrorSubcode.INVALID_NETWORK_FIELD);
    });
    const update: UpdateMessage = {
      type: 'update',
      withdrawn,
      attributes: decoded.attributes,
      nlri,
    };
    const errors = [...decoded.errors, ...missingAttributeErrors(update, decoded.seen)];
    if (errors.length === 0) return update;
    const prefixes = announcedPrefixes(update);
    return {
      ...update,
      errors: errors.map((error) =>
        error.action === 'treat-as-withdraw' ? error.withPrefixes(prefixes) : error,
      ),
    };
  },
});
