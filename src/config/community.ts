import type { ParseResult } from '../ipam/address.ts';

/**
 * BGP communities as the speaker encodes them: standard (RFC 1997, two
 * 16-bit halves) and large (RFC 8092, three 32-bit parts).
 */
export type BgpCommunity =
  | { readonly kind: 'standard'; readonly asn: number; readonly value: number }
  | {
      readonly kind: 'large';
      readonly globalAdministrator: number;
      readonly localData1: number;
      readonly localData2: number;
    };

/** The literal forms; anything else in an advertisement is an alias name. */
export const COMMUNITY_PATTERN = '^([0-9]+:[0-9]+|large:[0-9]+:[0-9]+:[0-9]+)$';

const communityRegex = new RegExp(COMMUNITY_PATTERN);

/** True when `text` has the shape of a literal community (its numbers may still be out of range). */
export function looksLikeCommunity(text: string): boolean {
  return communityRegex.test(text) || /^(large:)?[0-9:]+$/.test(text);
}

function parsePart(text: string, max: number): number | undefined {
  if (!/^[0-9]{1,10}$/.test(text)) return undefined;
  const value = Number(text);
  return value <= max ? value : undefined;
}

const UINT16_MAX = 0xffff;
const UINT32_MAX = 0xffff_ffff;

export function parseCommunity(text: string): ParseResult<BgpCommunity> {
  if (!communityRegex.test(text)) {
    return {
      ok: false,
      reason: `"${text}" is not a community: write "65000:100" or "large:65000:1:2"`,
    };
  }
  if (text.startsWith('large:')) {
    const [, g = '', l1 = '', l2 = ''] = text.split(':');
    const globalAdministrator = parsePart(g, UINT32_MAX);
    const localData1 = parsePart(l1, UINT32_MAX);
    const localData2 = parsePart(l2, UINT32_MAX);
    if (globalAdministrator === undefined || localData1 === undefined || localData2 === undefined) {
      return {
        ok: false,
        reason: `"${text}": each part of a large community must be 0-${UINT32_MAX}`,
      };
    }
    return { ok: true, value: { kind: 'large', globalAdministrator, localData1, localData2 } };
  }
  const [a = '', b = ''] = text.split(':');
  const asn = parsePart(a, UINT16_MAX);
  const value = parsePart(b, UINT16_MAX);
  if (asn === undefined || value === undefined) {
    return {
      ok: false,
      reason: `"${text}": each half of a community must be 0-${UINT16_MAX} (use "large:a:b:c" for 32-bit ASNs)`,
    };
  }
  return { ok: true, value: { kind: 'standard', asn, value } };
}

export function formatCommunity(community: BgpCommunity): string {
  return community.kind === 'standard'
    ? `${community.asn}:${community.value}`
    : `large:${community.globalAdministrator}:${community.localData1}:${community.localData2}`;
}

/** Orders standard before large, then numerically, so normalised lists are stable. */
export function compareCommunities(a: BgpCommunity, b: BgpCommunity): number {
  if (a.kind !== b.kind) return a.kind === 'standard' ? -1 : 1;
  if (a.kind === 'standard' && b.kind === 'standard') return a.asn - b.asn || a.value - b.value;
  if (a.kind === 'large' && b.kind === 'large') {
    return (
      a.globalAdministrator - b.globalAdministrator ||
      a.localData1 - b.localData1 ||
      a.localData2 - b.localData2
    );
  }
  return 0;
}
