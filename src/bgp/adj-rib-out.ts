import { IronlbError } from '../common/errors.ts';
import type { AddressFamily } from './address-family.ts';
import {
  type CanonicalAttributes,
  canonicalAttributes,
  type CanonicalRoute,
  type Route,
  type RouteAttributes,
} from './route.ts';
import { type CanonicalPrefix, parsePrefix } from './route-prefix.ts';
import { BgpSessionErrors } from './session-errors.ts';

/**
 * The Adj-RIB-Out of one session (RFC 4271 §3.2), level-triggered: the caller
 * says which routes it wants announced (set), and the delta is always the
 * difference between that and what the peer was last sent (markSent). A
 * session that goes down calls peerReset(), and everything is pending again.
 *
 * Cost: set() is O(n) in the routes given, with prefix and attribute parsing
 * cached between calls; pending() is O(pending); markSent() O(delta).
 */

export interface AnnouncementGroup {
  readonly family: AddressFamily;
  /** One UPDATE's worth of path attributes; the packer fills it with prefixes. */
  readonly attributes: CanonicalAttributes;
  readonly prefixes: readonly CanonicalPrefix[];
}

export interface WithdrawalGroup {
  readonly family: AddressFamily;
  readonly prefixes: readonly CanonicalPrefix[];
}

export interface RibDelta {
  readonly withdrawals: readonly WithdrawalGroup[];
  /** Grouped by (family, attributes.key). */
  readonly announcements: readonly AnnouncementGroup[];
}

export interface AdjRibOutCounts {
  /** Routes the caller wants announced. */
  readonly desired: number;
  /** Routes the peer has from us (sent and marked so). */
  readonly announced: number;
  /** Prefixes to announce, change or withdraw. */
  readonly pending: number;
}

interface DesiredEntry {
  route: CanonicalRoute;
  /** The set() call that last listed this prefix. */
  seenIn: number;
}

type FamilyFilter = ReadonlySet<AddressFamily> | readonly AddressFamily[];

export class AdjRibOut {
  /** By canonical prefix text. */
  readonly #desired = new Map<string, DesiredEntry>();
  readonly #advertised = new Map<string, CanonicalRoute>();
  /** Prefixes whose desired and advertised attributes differ (either may be absent). */
  readonly #pending = new Set<string>();
  /** Raw attribute text (with family) → canonical, stamped with the set() call that last used it. */
  readonly #attributeCache = new Map<string, { attributes: CanonicalAttributes; usedIn: number }>();
  #generation = 0;

  /**
   * Replaces the desired routes and returns everything pending. Throws an
   * IronlbError (IRONLB_ERR_ROUTE_*) on the first invalid route and then
   * changes nothing. The same prefix twice is fine with equal attributes.
   */
  set(routes: Iterable<Route>): RibDelta {
    // Updated in place (no 100k-entry map rebuilt per call); an undo log restores
    // the previous state when a route turns out invalid.
    const desired = this.#desired;
    const generation = ++this.#generation;
    const undo: Array<{ key: string; entry: DesiredEntry; before: CanonicalRoute | undefined }> =
      [];
    const changed: string[] = [];
    const seen = new Map<
      RouteAttributes,
      { family: AddressFamily; attributes: CanonicalAttributes }
    >();
    let distinct = 0;
    try {
      for (const route of routes) {
        const raw = route.prefix;
        // Fast path: the text is canonical and already desired — no parsing.
        let entry = desired.get(raw);
        const prefix = entry?.route.prefix ?? parsePrefix(raw);
        const key = prefix.text;
        if (entry === undefined && raw !== key) entry = desired.get(key);

        // Routes usually share attribute objects: within this call, resolve each object once.
        const sameObject = seen.get(route.attributes);
        let attributes: CanonicalAttributes;
        if (sameObject !== undefined && sameObject.family === prefix.family) {
          attributes = sameObject.attributes;
        } else {
          attributes = this.#canonicalAttributes(route.attributes, prefix, generation);
          seen.set(route.attributes, { family: prefix.family, attributes });
        }

        if (entry === undefined) {
          entry = { route: { prefix, attributes }, seenIn: generation };
          desired.set(key, entry);
          undo.push({ key, entry, before: undefined });
          changed.push(key);
          distinct++;
        } else if (entry.seenIn === generation) {
          // The same prefix twice in this call.
          if (entry.route.attributes.key !== attributes.key) {
            throw new IronlbError(
              BgpSessionErrors.IRONLB_ERR_ROUTE_CONFLICT,
              `route ${key} is given twice with different attributes`,
            );
          }
        } else {
          if (entry.route.attributes.key !== attributes.key) {
            undo.push({ key, entry, before: entry.route });
            entry.route = { prefix, attributes };
            changed.push(key);
          }
          entry.seenIn = generation;
          distinct++;
        }
      }
    } catch (err) {
      for (const { key, entry, before } of undo.reverse()) {
        if (before === undefined) desired.delete(key);
        else entry.route = before;
      }
      throw err;
    }

    if (distinct < desired.size) {
      for (const [key, entry] of desired) {
        if (entry.seenIn !== generation) {
          desired.delete(key);
          changed.push(key);
        }
      }
    }
    for (const key of changed) this.#updatePending(key);
    this.#pruneAttributeCache(desired.size);
    return this.pending();
  }

  #canonicalAttributes(
    attributes: RouteAttributes,
    prefix: CanonicalPrefix,
    generation: number,
  ): CanonicalAttributes {
    const rawKey = rawAttributeKey(prefix.family, attributes);
    let cached = this.#attributeCache.get(rawKey);
    if (cached === undefined) {
      cached = {
        attributes: canonicalAttributes(attributes, prefix.family, prefix.text),
        usedIn: generation,
      };
      this.#attributeCache.set(rawKey, cached);
    }
    cached.usedIn = generation;
    return cached.attributes;
  }

  /** Keeps the attribute cache from growing without bound over many set() calls. */
  #pruneAttributeCache(routeCount: number): void {
    if (this.#attributeCache.size <= 2 * routeCount + 64) return;
    for (const [rawKey, entry] of this.#attributeCache) {
      if (entry.usedIn !== this.#generation) this.#attributeCache.delete(rawKey);
    }
  }

  /** What the peer is missing: withdrawals and (re-)announcements, optionally of some families only. */
  pending(families?: FamilyFilter): RibDelta {
    const builder = new DeltaBuilder(families);
    for (const key of this.#pending) {
      const route = this.#desired.get(key)?.route;
      if (route !== undefined) {
        builder.announce(route);
      } else {
        const gone = this.#advertised.get(key);
        if (gone !== undefined) builder.withdraw(gone.prefix);
      }
    }
    return builder.build();
  }

  /**
   * Everything desired as announcements, plus pending withdrawals: for a
   * ROUTE-REFRESH, or a peer that must be sent the full table again.
   */
  all(families?: FamilyFilter): RibDelta {
    const builder = new DeltaBuilder(families);
    for (const entry of this.#desired.values()) builder.announce(entry.route);
    for (const key of this.#pending) {
      const gone = this.#desired.has(key) ? undefined : this.#advertised.get(key);
      if (gone !== undefined) builder.withdraw(gone.prefix);
    }
    return builder.build();
  }

  /**
   * Records that (part of) a delta reached the peer. Pass sub-deltas as UPDATEs
   * are written; what is not marked stays pending. Marking a delta that set()
   * has since superseded is correct: it records what the peer has.
   */
  markSent(delta: RibDelta): void {
    for (const group of delta.withdrawals) {
      for (const prefix of group.prefixes) {
        this.#advertised.delete(prefix.text);
        this.#updatePending(prefix.text);
      }
    }
    for (const group of delta.announcements) {
      for (const prefix of group.prefixes) {
        this.#advertised.set(prefix.text, { prefix, attributes: group.attributes });
        this.#updatePending(prefix.text);
      }
    }
  }

  /** The session went down: the peer holds nothing from us any more; all desired routes are pending. */
  peerReset(): void {
    this.#advertised.clear();
    this.#pending.clear();
    for (const key of this.#desired.keys()) this.#pending.add(key);
  }

  counts(): AdjRibOutCounts {
    return {
      desired: this.#desired.size,
      announced: this.#advertised.size,
      pending: this.#pending.size,
    };
  }

  /** The desired routes in canonical form. */
  *desired(): IterableIterator<CanonicalRoute> {
    for (const entry of this.#desired.values()) yield entry.route;
  }

  /** What the peer has from us, by canonical prefix text. */
  advertised(): ReadonlyMap<string, CanonicalRoute> {
    return this.#advertised;
  }

  #updatePending(key: string): void {
    if (
      this.#desired.get(key)?.route.attributes.key === this.#advertised.get(key)?.attributes.key
    ) {
      this.#pending.delete(key);
    } else {
      this.#pending.add(key);
    }
  }
}

/** Groups prefixes into withdrawals per family and announcements per (family, attributes). */
class DeltaBuilder {
  readonly #families: ReadonlySet<AddressFamily> | undefined;
  readonly #withdrawals = new Map<AddressFamily, CanonicalPrefix[]>();
  readonly #announcements = new Map<
    string,
    { family: AddressFamily; attributes: CanonicalAttributes; prefixes: CanonicalPrefix[] }
  >();

  constructor(families: FamilyFilter | undefined) {
    this.#families = families === undefined ? undefined : new Set(families);
  }

  withdraw(prefix: CanonicalPrefix): void {
    if (this.#families !== undefined && !this.#families.has(prefix.family)) return;
    const list = this.#withdrawals.get(prefix.family);
    if (list === undefined) this.#withdrawals.set(prefix.family, [prefix]);
    else list.push(prefix);
  }

  announce(route: CanonicalRoute): void {
    const family = route.prefix.family;
    if (this.#families !== undefined && !this.#families.has(family)) return;
    const groupKey = `${family}\u0000${route.attributes.key}`;
    const group = this.#announcements.get(groupKey);
    if (group === undefined) {
      this.#announcements.set(groupKey, {
        family,
        attributes: route.attributes,
        prefixes: [route.prefix],
      });
    } else {
      group.prefixes.push(route.prefix);
    }
  }

  build(): RibDelta {
    return {
      withdrawals: [...this.#withdrawals].map(([family, prefixes]) => ({ family, prefixes })),
      announcements: [...this.#announcements.values()],
    };
  }
}

/** Number of prefixes in a delta: withdrawn and announced. */
export function deltaSize(delta: RibDelta): { withdrawn: number; announced: number } {
  let withdrawn = 0;
  let announced = 0;
  for (const group of delta.withdrawals) withdrawn += group.prefixes.length;
  for (const group of delta.announcements) announced += group.prefixes.length;
  return { withdrawn, announced };
}

/**
 * An exact key of the attributes as given (before canonicalisation), to skip
 * re-parsing identical attributes. JSON keeps element boundaries and types apart
 * ("1:1,2:2" as one string is not two communities), and values it cannot tell
 * apart (NaN, null, Infinity) are invalid anyway and never cached.
 */
function rawAttributeKey(family: AddressFamily, a: RouteAttributes): string {
  return JSON.stringify([
    family,
    a.nextHop,
    a.communities,
    a.largeCommunities,
    a.extendedCommunities,
    a.localPref,
    a.med,
  ]);
}
