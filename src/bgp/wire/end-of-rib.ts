import { Afi, Safi } from './constants.ts';
import { afiSafiOf, familyOf } from './context.ts';
import type { AddressFamily, AfiSafi } from './context.ts';
import type { UpdateMessage } from './messages/update.ts';

/**
 * The End-of-RIB marker of a family (RFC 4724 §2): an empty UPDATE for IPv4
 * unicast, an UPDATE with only an empty MP_UNREACH_NLRI for other families.
 */
export function createEndOfRib(family: AddressFamily | AfiSafi): UpdateMessage {
  const { afi, safi } = typeof family === 'string' ? afiSafiOf(family) : family;
  if (afi === Afi.IPV4 && safi === Safi.UNICAST)
    return { type: 'update', withdrawn: [], attributes: {}, nlri: [] };
  const named = familyOf(afi, safi);
  return {
    type: 'update',
    withdrawn: [],
    attributes: {
      mpUnreach:
        named === undefined
          ? { family: 'other', afi, safi, withdrawn: Buffer.alloc(0) }
          : { family: named, withdrawn: [] },
    },
    nlri: [],
  };
}

/** The family whose End-of-RIB this UPDATE is (RFC 4724 §2), or undefined. */
export function endOfRibFamily(update: UpdateMessage): AfiSafi | undefined {
  // An UPDATE that lost attributes to error handling only looks empty.
  if (update.errors !== undefined) return undefined;
  if (update.withdrawn.length > 0 || update.nlri.length > 0) return undefined;
  const keys = Object.keys(update.attributes);
  if (keys.length === 0) return { afi: Afi.IPV4, safi: Safi.UNICAST };
  const mpUnreach = update.attributes.mpUnreach;
  if (keys.length !== 1 || mpUnreach === undefined || mpUnreach.withdrawn.length > 0)
    return undefined;
  return mpUnreach.family === 'other'
    ? { afi: mpUnreach.afi, safi: mpUnreach.safi }
    : afiSafiOf(mpUnreach.family);
}

export function isEndOfRib(update: UpdateMessage): boolean {
  return endOfRibFamily(update) !== undefined;
}
