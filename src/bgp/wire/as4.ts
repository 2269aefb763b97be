import type { Aggregator } from './attributes/aggregator.ts';
import { pathAsCount } from './attributes/as-path-segments.ts';
import type { AsPath, AsPathSegment } from './attributes/as-path-segments.ts';
import { AS_TRANS } from './constants.ts';
import type { PathAttributes } from './path-attributes.ts';

/**
 * The AS path and aggregator a 2-octet peer really meant, merging AS4_PATH
 * and AS4_AGGREGATOR as RFC 6793 §4.2.3 prescribes. Attributes from a
 * 4-octet peer come back unchanged.
 */
export function reconstructAs4(attributes: PathAttributes): {
  asPath?: AsPath;
  aggregator?: Aggregator;
} {
  const { asPath, aggregator, as4Path, as4Aggregator } = attributes;
  const result: { asPath?: AsPath; aggregator?: Aggregator } = {};
  if (aggregator !== undefined) result.aggregator = aggregator;
  if (asPath !== undefined) result.asPath = asPath;
  // RFC 6793 §4.2.3: an AGGREGATOR with a real AS number means the AS4_* attributes are stale.
  if (aggregator !== undefined && aggregator.asn !== AS_TRANS) return result;
  if (aggregator !== undefined && as4Aggregator !== undefined) result.aggregator = as4Aggregator;
  if (asPath === undefined || as4Path === undefined) return result;
  const keep = pathAsCount(asPath) - pathAsCount(as4Path);
  // RFC 6793 §4.2.3: an AS4_PATH longer than the AS_PATH is ignored.
  if (keep < 0) return result;
  // RFC 6793 §4.2.3: the leading AS_PATH entries the AS4_PATH does not cover, then the AS4_PATH.
  const merged: AsPathSegment[] = [];
  let remaining = keep;
  for (const segment of asPath) {
    if (segment.type === 'confed-sequence' || segment.type === 'confed-set') {
      if (remaining > 0) merged.push(segment);
      continue;
    }
    if (remaining === 0) break;
    if (segment.type === 'set') {
      merged.push(segment);
      remaining -= 1;
    } else {
      const take = Math.min(remaining, segment.asns.length);
      merged.push({ type: 'sequence', asns: segment.asns.slice(0, take) });
      remaining -= take;
    }
  }
  result.asPath = [...merged, ...as4Path];
  return result;
}
