import { IronlbError } from '../common/errors.ts';
import type { AddressFamily } from './address-family.ts';
import {
  type CanonicalAttributes,
  canonicalAttributes,
  type CanonicalRoute,
  type Route,
  type RouteAttributes,
} from './route.ts';
import {
  type CanonicalPrefix,
  parsePrefix,
  type ScannedPrefix,
  scanPrefix,
} from './route-prefix.ts';
import { BgpSessionErrors } from './session-errors.ts';

/**
 * The Adj-RIB-Out of one session (RFC 4271 §3.2), level-triggered: the caller
 * says which routes it wants announced (set), and the delta is always the
 * difference between that and what the peer was last sent (markSent). A
 * session that goes down calls peerReset(), and everything is pending again.
 *
 * Cost: set() is O(n) in the routes given — a prefix string already known is
 * not parsed again, attributes are resolved once per distinct object (or run
 * of equal objects) and interned, so equal attributes are one object;
 * pending() is O(pending); markSent() O(delta).
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

// RibEntry.#bits: flags in the low bits, the prefix length above them.
const LIVE = 1;
const PENDING = 2;
const LISTED = 4;
const IPV6 = 8;
const IDLE = 16;
const LENGTH_SHIFT = 5;

/**
 * One prefix: what the caller wants and what the peer has; gone from the
 * table when both are undefined. The entry is itself the CanonicalPrefix
 * handed out in deltas, so markSent() finds it without a lookup. Five fields
 * (family, length and flags share one small integer): at 100k routes every
 * field is ~0.8 MB.
 */
class RibEntry implements CanonicalPrefix {
  readonly text: string;
  desired: CanonicalAttributes | undefined = undefined;
  advertised: CanonicalAttributes | undefined = undefined;
  /** The set() call that last listed this prefix. */
  seenIn = 0;
  #bits: number;

  constructor(prefix: ScannedPrefix) {
    this.text = prefix.text;
    this.#bits =
      LIVE | (prefix.family === 'ipv6-unicast' ? IPV6 : 0) | (prefix.length << LENGTH_SHIFT);
  }

  get family(): AddressFamily {
    return (this.#bits & IPV6) === 0 ? 'ipv4-unicast' : 'ipv6-unicast';
  }

  get length(): number {
    return this.#bits >>> LENGTH_SHIFT;
  }

  /** In the table (false once removed: a delta still naming it must look the prefix up). */
  get live(): boolean {
    return (this.#bits & LIVE) !== 0;
  }

  set live(value: boolean) {
    this.#bits = value ? this.#bits | LIVE : this.#bits & ~LIVE;
  }

  /** desired and advertised differ. */
  get pending(): boolean {
    return (this.#bits & PENDING) !== 0;
  }

  set pending(value: boolean) {
    this.#bits = value ? this.#bits | PENDING : this.#bits & ~PENDING;
  }

  /** Neither desired nor advertised: kept for reuse (see AdjRibOut's idle entries). */
  get idle(): boolean {
    return (this.#bits & IDLE) !== 0;
  }

  set idle(value: boolean) {
    this.#bits = value ? this.#bits | IDLE : this.#bits & ~IDLE;
  }

  /** In the pending list (which may hold entries that are no longer pending). */
  get listed(): boolean {
    return (this.#bits & LISTED) !== 0;
  }

  set listed(value: boolean) {
    this.#bits = value ? this.#bits | LISTED : this.#bits & ~LISTED;
  }

  /** Derived when asked (rarely): the packer works from the text. */
  get address(): Uint8Array {
    return parsePrefix(this.text).address;
  }

  toJSON(): { text: string; family: AddressFamily; length: number } {
    return { text: this.text, family: this.family, length: this.length };
  }
}

type FamilyFilter = ReadonlySet<AddressFamily> | readonly AddressFamily[];

interface CachedAttributes {
  readonly attributes: CanonicalAttributes;
  usedIn: number;
}

export class AdjRibOut {
  /** By canonical prefix text. */
  readonly #entries = new Map<string, RibEntry>();
  /**
   * Entries that are or were pending, in order; an entry leaves when the list
   * is compacted. A flag plus a list costs less than a Set of 100k objects.
   */
  #pendingList: RibEntry[] = [];
  #pendingCount = 0;
  #desiredCount = 0;
  #advertisedCount = 0;
  /** Raw attribute text (with family) → canonical, stamped with the set() call that last used it. */
  readonly #attributeCache = new Map<string, CachedAttributes>();
  /** family + canonical key → the one object for those attributes (groups compare by identity). */
  readonly #interned = new Map<string, CachedAttributes>();
  #generation = 0;
  /**
   * Entries neither desired nor advertised stay in the table, idle, so a
   * prefix that comes back (a Service's endpoints flapping, a table withdrawn
   * and announced again) is neither parsed nor allocated again and the table
   * does not shrink and regrow: at 100k routes each full cycle was ~15 MB of
   * garbage. Bounded: once idle entries outnumber the most entries ever in
   * use, all idle ones are dropped.
   */
  #idleCount = 0;
  #inUseHighWater = 0;
  // setDesired's undo log, reused (see there).
  readonly #added: Array<RibEntry | undefined> = [];
  readonly #changed: Array<RibEntry | undefined> = [];
  readonly #desiredBefore: Array<CanonicalAttributes | undefined> = [];

  /**
   * Replaces the desired routes and returns everything pending. Throws an
   * IronlbError (IRONLB_ERR_ROUTE_*) on the first invalid route and then
   * changes nothing. The same prefix twice is fine with equal attributes.
   */
  set(routes: Iterable<Route>): RibDelta {
    this.setDesired(routes);
    return this.pending();
  }

  /**
   * set() without building the delta: for a caller that sends from
   * pending() later anyway (the session coalesces several calls).
   */
  setDesired(routes: Iterable<Route>): AdjRibOutCounts {
    const entries = this.#entries;
    const generation = ++this.#generation;
    // Undo log: entries added to the table, and entries whose desired attributes changed with
    // what they had before. The arrays are kept between calls (a full table re-announced would
    // otherwise grow three 100k arrays each time); seenIn needs no undo, a generation is never
    // used twice.
    const added = this.#added;
    const changed = this.#changed;
    const desiredBefore = this.#desiredBefore;
    let addedCount = 0;
    let changedCount = 0;
    const resolve = this.#resolver(generation);
    const desiredCountBefore = this.#desiredCount;
    let seenDesired = 0;
    const take = (route: Route): void => {
      const raw = route.prefix;
      // Fast path: the text is canonical and known — no parsing.
      let entry = entries.get(raw);
      let prefix: ScannedPrefix;
      if (entry !== undefined) {
        prefix = entry;
      } else {
        prefix = scanPrefix(raw);
        if (prefix.text !== raw) entry = entries.get(prefix.text);
      }
      const attributes = resolve(route.attributes, prefix);

      if (entry === undefined) {
        entry = new RibEntry(prefix);
        entry.desired = attributes;
        entry.seenIn = generation;
        entries.set(entry.text, entry);
        added[addedCount++] = entry;
      } else if (entry.seenIn === generation) {
        // The same prefix twice in this call.
        if (entry.desired?.key !== attributes.key) {
          throw new IronlbError(
            BgpSessionErrors.IRONLB_ERR_ROUTE_CONFLICT,
            `route ${entry.text} is given twice with different attributes`,
          );
        }
      } else {
        if (entry.desired !== undefined) seenDesired++;
        if (entry.desired !== attributes) {
          changed[changedCount] = entry;
          desiredBefore[changedCount++] = entry.desired;
          entry.desired = attributes;
        }
        entry.seenIn = generation;
      }
    };
    try {
      // Indexed over arrays: for-of allocates an iterator result per route until the
      // optimiser removes it, ~40 bytes × 100k of garbage per call.
      if (Array.isArray(routes)) {
        const list = routes as readonly Route[];
        for (let i = 0; i < list.length; i++) take(list[i] as Route);
      } else {
        for (const route of routes) take(route);
      }
    } catch (err) {
      for (let i = 0; i < addedCount; i++) {
        const entry = added[i] as RibEntry;
        entries.delete(entry.text);
        entry.live = false;
      }
      for (let i = changedCount - 1; i >= 0; i--) {
        (changed[i] as RibEntry).desired = desiredBefore[i];
      }
      this.#clearUndo(addedCount, changedCount);
      throw err;
    }

    // Committed: counts and pending follow the new desired state.
    for (let i = 0; i < addedCount; i++) {
      this.#desiredCount++;
      this.#setPending(added[i] as RibEntry, true);
    }
    for (let i = 0; i < changedCount; i++) {
      const entry = changed[i] as RibEntry;
      if (desiredBefore[i] === undefined) this.#desiredCount++;
      if (entry.idle) this.#wake(entry);
      this.#updatePending(entry);
    }
    this.#clearUndo(addedCount, changedCount);
    // Routes desired before and not listed now are withdrawn; look only when some are missing.
    if (seenDesired < desiredCountBefore) this.#dropUnseen(generation);
    this.#pruneAttributeCache();
    this.#boundIdle();
    return this.counts();
  }

  /**
   * Forgets the undo log's references (it must keep no entry alive) without
   * shrinking the arrays, unless they are far larger than the table now is.
   */
  #clearUndo(addedCount: number, changedCount: number): void {
    const keep = 2 * this.#entries.size + 1024;
    for (const list of [this.#added, this.#changed, this.#desiredBefore]) {
      list.fill(undefined, 0, list === this.#added ? addedCount : changedCount);
      if (list.length > keep) list.length = keep;
    }
  }

  #dropUnseen(generation: number): void {
    // forEach, not an iterator: no result object per entry.
    this.#entries.forEach((entry) => {
      if (entry.seenIn === generation || entry.desired === undefined) return;
      entry.desired = undefined;
      this.#desiredCount--;
      if (entry.advertised === undefined) this.#retire(entry);
      else this.#setPending(entry, true);
    });
  }

  /** Neither desired nor advertised any more: idle until used again or dropped. */
  #retire(entry: RibEntry): void {
    this.#setPending(entry, false);
    if (entry.idle) return;
    entry.idle = true;
    this.#idleCount++;
  }

  #wake(entry: RibEntry): void {
    entry.idle = false;
    this.#idleCount--;
  }

  /** Drops every idle entry once they outnumber the most entries ever in use. */
  #boundIdle(): void {
    const inUse = this.#entries.size - this.#idleCount;
    if (inUse > this.#inUseHighWater) this.#inUseHighWater = inUse;
    if (this.#idleCount <= this.#inUseHighWater) return;
    this.#entries.forEach((entry, key) => {
      if (!entry.idle) return;
      this.#entries.delete(key);
      entry.live = false;
      entry.idle = false;
    });
    this.#idleCount = 0;
  }

  /**
   * Resolves raw attributes to their interned canonical form, for one set()
   * call. Routes mostly share one attributes object, or come with equal
   * fresh objects in a row: both are recognised without building a key.
   */
  #resolver(
    generation: number,
  ): (attributes: RouteAttributes, prefix: ScannedPrefix) => CanonicalAttributes {
    const byObject = {
      'ipv4-unicast': new Map<RouteAttributes, CanonicalAttributes>(),
      'ipv6-unicast': new Map<RouteAttributes, CanonicalAttributes>(),
    };
    let lastRaw: RouteAttributes | undefined;
    let lastFamily: AddressFamily | undefined;
    let lastCanonical: CanonicalAttributes | undefined;
    return (attributes, prefix) => {
      const family = prefix.family;
      if (
        lastCanonical !== undefined &&
        family === lastFamily &&
        (attributes === lastRaw || sameRawAttributes(attributes, lastRaw as RouteAttributes))
      ) {
        return lastCanonical;
      }
      const seen = byObject[family];
      let canonical = seen.get(attributes);
      if (canonical === undefined) {
        canonical = this.#canonical(attributes, prefix, generation);
        seen.set(attributes, canonical);
      }
      lastRaw = attributes;
      lastFamily = family;
      lastCanonical = canonical;
      return canonical;
    };
  }

  /** Canonical attributes for raw attributes of a family, cached and interned. */
  #canonical(
    attributes: RouteAttributes,
    prefix: ScannedPrefix,
    generation: number,
  ): CanonicalAttributes {
    const rawKey = rawAttributeKey(prefix.family, attributes);
    let cached = this.#attributeCache.get(rawKey);
    if (cached === undefined) {
      const fresh = canonicalAttributes(attributes, prefix.family, prefix.text);
      const internKey = `${prefix.family}\u0000${fresh.key}`;
      let interned = this.#interned.get(internKey);
      if (interned === undefined) {
        interned = { attributes: fresh, usedIn: generation };
        this.#interned.set(internKey, interned);
      }
      cached = { attributes: interned.attributes, usedIn: generation };
      this.#attributeCache.set(rawKey, cached);
    }
    cached.usedIn = generation;
    return cached.attributes;
  }

  /** Keeps the attribute caches from growing without bound over many set() calls. */
  #pruneAttributeCache(): void {
    if (this.#attributeCache.size <= 2 * this.#desiredCount + 64) return;
    const live = new Set<CanonicalAttributes>();
    for (const [rawKey, entry] of this.#attributeCache) {
      if (entry.usedIn !== this.#generation) this.#attributeCache.delete(rawKey);
      else live.add(entry.attributes);
    }
    for (const [key, entry] of this.#interned) {
      if (!live.has(entry.attributes)) this.#interned.delete(key);
    }
  }

  /** What the peer is missing: withdrawals and (re-)announcements, optionally of some families only. */
  pending(families?: FamilyFilter): RibDelta {
    const builder = new DeltaBuilder(families, this.#pendingCount);
    const list = this.#pendingList;
    for (let i = 0; i < list.length; i++) {
      const entry = list[i] as RibEntry;
      if (!entry.pending) continue;
      if (entry.desired !== undefined) builder.announce(entry, entry.desired);
      else builder.withdraw(entry);
    }
    return builder.build();
  }

  /**
   * Everything desired as announcements, plus pending withdrawals: for a
   * ROUTE-REFRESH, or a peer that must be sent the full table again.
   */
  all(families?: FamilyFilter): RibDelta {
    const builder = new DeltaBuilder(families, this.#entries.size - this.#idleCount);
    this.#entries.forEach((entry) => {
      if (entry.desired !== undefined) builder.announce(entry, entry.desired);
      else if (entry.advertised !== undefined) builder.withdraw(entry);
    });
    return builder.build();
  }

  /**
   * Records that (part of) a delta reached the peer. Pass sub-deltas as UPDATEs
   * are written; what is not marked stays pending. Marking a delta that set()
   * has since superseded is correct: it records what the peer has.
   */
  markSent(delta: RibDelta): void {
    for (const group of delta.withdrawals) this.#markRange(group, 0, group.prefixes.length);
    for (const group of delta.announcements) this.#markRange(group, 0, group.prefixes.length);
    this.#boundIdle();
  }

  /**
   * markSent() for group.prefixes[from, to) of one group of a delta: the
   * sender marks what each write carried without slicing the group.
   */
  markSentRange(group: WithdrawalGroup | AnnouncementGroup, from: number, to: number): void {
    this.#markRange(group, from, to);
    this.#boundIdle();
  }

  #markRange(group: WithdrawalGroup | AnnouncementGroup, from: number, to: number): void {
    const attributes = 'attributes' in group ? group.attributes : undefined;
    const prefixes = group.prefixes;
    const end = Math.min(to, prefixes.length);
    for (let i = Math.max(0, from); i < end; i++) {
      this.#markAdvertised(prefixes[i] as CanonicalPrefix, attributes);
    }
  }

  #markAdvertised(prefix: CanonicalPrefix, attributes: CanonicalAttributes | undefined): void {
    let entry = prefix instanceof RibEntry && prefix.live ? prefix : this.#entries.get(prefix.text);
    if (entry === undefined) {
      if (attributes === undefined) return;
      // Superseded: set() dropped the route after this delta was taken; the peer has it now.
      entry = new RibEntry(prefix);
      this.#entries.set(entry.text, entry);
    }
    if (entry.advertised === undefined) {
      if (attributes !== undefined) this.#advertisedCount++;
    } else if (attributes === undefined) {
      this.#advertisedCount--;
    }
    entry.advertised = attributes;
    if (entry.desired === undefined && attributes === undefined) {
      this.#retire(entry);
    } else {
      if (entry.idle) this.#wake(entry);
      this.#updatePending(entry);
    }
  }

  /** The session went down: the peer holds nothing from us any more; all desired routes are pending. */
  peerReset(): void {
    for (const entry of this.#pendingList) {
      entry.pending = false;
      entry.listed = false;
    }
    this.#pendingList = [];
    this.#pendingCount = 0;
    this.#entries.forEach((entry) => {
      entry.advertised = undefined;
      if (entry.desired === undefined) this.#retire(entry);
      else this.#setPending(entry, true);
    });
    this.#advertisedCount = 0;
    this.#boundIdle();
  }

  counts(): AdjRibOutCounts {
    return {
      desired: this.#desiredCount,
      announced: this.#advertisedCount,
      pending: this.#pendingCount,
    };
  }

  /** The desired routes in canonical form. */
  *desired(): IterableIterator<CanonicalRoute> {
    for (const entry of this.#entries.values()) {
      if (entry.desired !== undefined) yield { prefix: entry, attributes: entry.desired };
    }
  }

  /** What the peer has from us, by canonical prefix text (a snapshot). */
  advertised(): ReadonlyMap<string, CanonicalRoute> {
    const out = new Map<string, CanonicalRoute>();
    for (const [key, entry] of this.#entries) {
      if (entry.advertised !== undefined)
        out.set(key, { prefix: entry, attributes: entry.advertised });
    }
    return out;
  }

  #updatePending(entry: RibEntry): void {
    // Interned attributes compare by identity; the key covers objects from an older intern table.
    this.#setPending(
      entry,
      entry.desired !== entry.advertised && entry.desired?.key !== entry.advertised?.key,
    );
  }

  #setPending(entry: RibEntry, pending: boolean): void {
    if (entry.pending === pending) return;
    entry.pending = pending;
    if (!pending) {
      this.#pendingCount--;
      return;
    }
    this.#pendingCount++;
    if (entry.listed) return;
    entry.listed = true;
    this.#pendingList.push(entry);
    // Compact when most of the list is stale, so iteration stays O(pending).
    if (this.#pendingList.length > 1024 && this.#pendingList.length > 2 * this.#pendingCount) {
      this.#pendingList = this.#pendingList.filter((e) => {
        e.listed = e.pending;
        return e.pending;
      });
    }
  }
}

/** Groups prefixes into withdrawals per family and announcements per (family, attributes). */
class DeltaBuilder {
  readonly #families: ReadonlySet<AddressFamily> | undefined;
  readonly #withdrawals = new Map<AddressFamily, PrefixList>();
  /** Interned attributes are one object per (family, key): grouping by identity is exact. */
  readonly #announcements = new Map<CanonicalAttributes, AnnouncementList[]>();
  readonly #groups: AnnouncementList[] = [];
  #last: AnnouncementList | undefined;
  /**
   * The first list made gets room for every pending prefix: a full table is
   * one list, filled without regrowing a 100k array (and its copies) at each
   * step; build() trims it.
   */
  #presize: number;

  constructor(families: FamilyFilter | undefined, expected: number) {
    this.#families = families === undefined ? undefined : new Set(families);
    this.#presize = expected;
  }

  #list(): PrefixList {
    const room = this.#presize;
    this.#presize = 0;
    return { items: room > 0 ? new Array<CanonicalPrefix>(room) : [], size: 0 };
  }

  withdraw(prefix: CanonicalPrefix): void {
    if (this.#families !== undefined && !this.#families.has(prefix.family)) return;
    let list = this.#withdrawals.get(prefix.family);
    if (list === undefined) {
      list = this.#list();
      this.#withdrawals.set(prefix.family, list);
    }
    list.items[list.size++] = prefix;
  }

  announce(prefix: CanonicalPrefix, attributes: CanonicalAttributes): void {
    const family = prefix.family;
    if (this.#families !== undefined && !this.#families.has(family)) return;
    let group = this.#last;
    if (group === undefined || group.attributes !== attributes || group.family !== family) {
      let byFamily = this.#announcements.get(attributes);
      if (byFamily === undefined) {
        byFamily = [];
        this.#announcements.set(attributes, byFamily);
      }
      group = byFamily.find((g) => g.family === family);
      if (group === undefined) {
        group = { family, attributes, ...this.#list() };
        byFamily.push(group);
        this.#groups.push(group);
      }
      this.#last = group;
    }
    group.items[group.size++] = prefix;
  }

  build(): RibDelta {
    const trimmed = (list: PrefixList): CanonicalPrefix[] => {
      list.items.length = list.size;
      return list.items;
    };
    return {
      withdrawals: [...this.#withdrawals].map(([family, list]) => ({
        family,
        prefixes: trimmed(list),
      })),
      announcements: this.#groups.map((group) => ({
        family: group.family,
        attributes: group.attributes,
        prefixes: trimmed(group),
      })),
    };
  }
}

interface PrefixList {
  readonly items: CanonicalPrefix[];
  size: number;
}

interface AnnouncementList extends PrefixList {
  readonly family: AddressFamily;
  readonly attributes: CanonicalAttributes;
}

/** Number of prefixes in a delta: withdrawn and announced. */
export function deltaSize(delta: RibDelta): { withdrawn: number; announced: number } {
  let withdrawn = 0;
  let announced = 0;
  for (const group of delta.withdrawals) withdrawn += group.prefixes.length;
  for (const group of delta.announcements) announced += group.prefixes.length;
  return { withdrawn, announced };
}

/** Field by field, lists element by element: two raw attribute objects that say the same. */
function sameRawAttributes(a: RouteAttributes, b: RouteAttributes): boolean {
  return (
    a.nextHop === b.nextHop &&
    a.localPref === b.localPref &&
    a.med === b.med &&
    sameList(a.communities, b.communities) &&
    sameList(a.largeCommunities, b.largeCommunities) &&
    sameList(a.extendedCommunities, b.extendedCommunities)
  );
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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
