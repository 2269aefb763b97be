import { IronlbError } from '../common/errors.ts';
import type { Address, IpFamily } from './address.ts';
import { formatAddress } from './address.ts';
import type { Refusal } from './errors.ts';
import { IpamErrors, refusal } from './errors.ts';
import type { Pool } from './pool.ts';
import {
  comparePinnedPools,
  poolAdmission,
  poolAdmits,
  poolAutoAssigns,
  poolSetProblems,
  usableAddressCount,
} from './pool.ts';
import { RangeFreeList } from './range-free-list.ts';
import type { FamilyWish, ServiceRequest } from './service-request.ts';
import { familyWish } from './service-request.ts';
import type { Holder } from './sharing.ts';
import { holderFor, mayShare, sharingRefusal } from './sharing.ts';

export interface AllocatorOptions {
  /** Milliseconds on any monotonic-enough scale. Injected: the allocator never reads a clock. */
  readonly now: () => number;
  /** How long a released address rests before it is reused while others are free. */
  readonly quarantineMs?: number;
}

export const defaultQuarantineMs = 60_000;

/** How many addresses under a Service's sharing key are tried before it takes a fresh one. */
export const maxSharingCandidates = 64;

/** The addresses a Service holds, all from one pool, in the Service's family order. */
export interface Assignment {
  readonly key: string;
  readonly pool: string;
  readonly addresses: readonly Address[];
}

export interface DroppedAddress {
  readonly address: Address;
  readonly refusal: Refusal;
}

/**
 * What `allocate` did to a Service's addresses:
 * - unchanged: it keeps what it had;
 * - allocated: it had nothing and now has addresses;
 * - extended: it kept its addresses and gained a family (PreferDualStack, later);
 * - reduced: it kept some addresses and lost others (a family it no longer wants);
 * - reallocated: its old addresses were released (see `because`) and new ones given.
 */
export type AllocationChange = 'unchanged' | 'allocated' | 'extended' | 'reduced' | 'reallocated';

export type AllocationOutcome =
  | {
      readonly ok: true;
      readonly assignment: Assignment;
      readonly change: AllocationChange;
      /** What it held before, when that changed. */
      readonly previous?: Assignment;
      /** Why addresses were taken away, when they were. */
      readonly because?: Refusal;
    }
  | {
      readonly ok: false;
      readonly refusal: Refusal;
      /** The assignment given up on the way (the Service now has no addresses). */
      readonly released?: Assignment;
      readonly because?: Refusal;
    };

export type RegistrationOutcome =
  | {
      readonly ok: true;
      readonly assignment: Assignment;
      /** Addresses the Service claimed but may not keep; the rest was recorded. */
      readonly dropped: readonly DroppedAddress[];
    }
  | { readonly ok: false; readonly refusal: Refusal };

/** How a pool edit affected one Service. */
export interface PoolChange {
  readonly key: string;
  readonly previous: Assignment;
  /** Undefined: every address was released; call `allocate` again. */
  readonly current: Assignment | undefined;
  /** Undefined when only the pool an address belongs to changed (a pool renamed or split). */
  readonly because: Refusal | undefined;
}

export interface FamilyCounts {
  readonly total: bigint;
  readonly assigned: bigint;
  readonly available: bigint;
}

export interface PoolStatus {
  readonly pool: string;
  readonly ipv4: FamilyCounts;
  readonly ipv6: FamilyCounts;
}

type PerFamily<T> = { 4: T; 6: T };

interface PoolEntry {
  readonly pool: Pool;
  readonly lists: PerFamily<RangeFreeList[]>;
  readonly total: PerFamily<bigint>;
  readonly assigned: PerFamily<number>;
}

interface RangeSlot {
  readonly entry: PoolEntry;
  readonly list: RangeFreeList;
}

interface Usage {
  readonly family: IpFamily;
  readonly value: bigint;
  pool: string;
  /** Usually one; more when Services share the address. */
  holders: Holder[];
}

interface Book {
  readonly used: Map<bigint, Usage>;
  readonly released: Map<bigint, number>;
  /** Every range of this family, sorted by first address, for O(log n) lookup. */
  slots: RangeSlot[];
}

/** A Service request with what every step derives from it, computed once per call. */
interface Asking {
  readonly service: ServiceRequest;
  readonly wish: FamilyWish;
  readonly holder: Holder;
}

interface ServiceRecord {
  asking: Asking;
  pool: string;
  addresses: Address[];
}

type Evaluation =
  | { readonly kind: 'release'; readonly because: Refusal }
  | {
      readonly kind: 'keep';
      readonly entry: PoolEntry;
      readonly keep: Address[];
      readonly dropped: DroppedAddress[];
    };

type Choice =
  | { readonly ok: true; readonly entry: PoolEntry; readonly addresses: Address[] }
  | { readonly ok: false; readonly refusal: Refusal };

function text(address: Address): string {
  return formatAddress(address.family, address.value);
}

function familyName(family: IpFamily): string {
  return family === 4 ? 'IPv4' : 'IPv6';
}

function listText(addresses: readonly Address[]): string {
  return addresses.length === 0 ? 'none' : addresses.map(text).join(', ');
}

function sameAddresses(a: readonly Address[], b: readonly Address[]): boolean {
  return (
    a.length === b.length &&
    a.every((x) => b.some((y) => x.family === y.family && x.value === y.value))
  );
}

function inFamilyOrder(addresses: Address[], wish: FamilyWish): Address[] {
  const rank = (family: IpFamily): number => {
    const index = wish.families.indexOf(family);
    return index < 0 ? 2 : index;
  };
  return addresses.sort((a, b) => rank(a.family) - rank(b.family));
}

function newBook(): Book {
  return { used: new Map(), released: new Map(), slots: [] };
}

function asking(service: ServiceRequest): Asking {
  return { service, wish: familyWish(service), holder: holderFor(service) };
}

/**
 * Assigns Services addresses from pools. Pure state, no I/O: the controller
 * feeds it pools and Services and writes the outcomes back to Kubernetes.
 *
 * Start-up: `setPools`, then `registerExisting` for every Service that
 * already holds addresses, then `allocate` for every Service (a no-op for
 * valid, complete assignments). After a pool edit: `setPools`, then
 * `allocate` for every Service again (it is cheap when nothing changes).
 *
 * Order for a new Service: requested addresses → requested pool → pools whose
 * serviceAllocation admits it, by priority → every other autoAssign pool, by
 * name. Within a pool: an address shared under the Service's sharing key if
 * one fits, else the lowest free address not in quarantine, else the address
 * that has rested longest in quarantine.
 */
export class IpAllocator {
  readonly #now: () => number;
  readonly #quarantineMs: number;
  #pools = new Map<string, PoolEntry>();
  #pinned: PoolEntry[] = [];
  #automatic: PoolEntry[] = [];
  readonly #books: PerFamily<Book> = { 4: newBook(), 6: newBook() };
  readonly #records = new Map<string, ServiceRecord>();
  /** sharing key → addresses with holders under that key, to co-locate Services that share. */
  readonly #sharing = new Map<string, Set<Usage>>();

  constructor(options: AllocatorOptions) {
    this.#now = options.now;
    this.#quarantineMs = options.quarantineMs ?? defaultQuarantineMs;
  }

  // ---- pools -------------------------------------------------------------

  /**
   * Replaces the pool set. Assignments that are still valid are kept
   * (addresses re-homed if they moved to another pool); those that are not
   * are reduced or released and reported. Throws IRONLB_ERR_IPAM_INVALID_POOLS
   * for duplicate names or overlapping ranges, leaving the state unchanged.
   */
  setPools(pools: readonly Pool[]): PoolChange[] {
    const problems = poolSetProblems(pools);
    if (problems.length > 0) {
      throw new IronlbError(
        IpamErrors.IRONLB_ERR_IPAM_INVALID_POOLS,
        `invalid pool set: ${problems.join('; ')}`,
      );
    }
    const now = this.#now();
    // Free-list state of a range that is still there, unchanged, is carried over as it is.
    const reusable = new Map<string, RangeFreeList>();
    for (const entry of this.#pools.values()) {
      for (const list of [...entry.lists[4], ...entry.lists[6]]) reusable.set(list.identity, list);
    }
    const fresh = new Set<RangeFreeList>();
    const entries = new Map<string, PoolEntry>();
    const slots: PerFamily<RangeSlot[]> = { 4: [], 6: [] };
    for (const pool of [...pools].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const entry: PoolEntry = {
        pool,
        lists: { 4: [], 6: [] },
        total: { 4: 0n, 6: 0n },
        assigned: { 4: 0, 6: 0 },
      };
      const avoid = pool.avoidBuggyIPs ?? false;
      for (const range of pool.ranges) {
        const identity = RangeFreeList.identity(range, avoid);
        let list = reusable.get(identity);
        reusable.delete(identity);
        if (list === undefined) {
          list = new RangeFreeList(range, avoid);
          fresh.add(list);
        }
        entry.lists[range.family].push(list);
        entry.total[range.family] += usableAddressCount(range, avoid);
        slots[range.family].push({ entry, list });
      }
      for (const family of [4, 6] as const) entry.lists[family].sort(byFirstAddress);
      entries.set(pool.name, entry);
    }
    this.#pools = entries;
    for (const family of [4, 6] as const) {
      const book = this.#books[family];
      book.slots = slots[family].sort((a, b) => byFirstAddress(a.list, b.list));
      this.#seedFreshLists(book, fresh, now);
    }
    this.#pinned = [...entries.values()]
      .filter((e) => e.pool.serviceAllocation !== undefined && poolAutoAssigns(e.pool))
      .sort((a, b) => comparePinnedPools(a.pool, b.pool));
    this.#automatic = [...entries.values()].filter(
      (e) => e.pool.serviceAllocation === undefined && poolAutoAssigns(e.pool),
    );

    const changes: PoolChange[] = [];
    for (const record of [...this.#records.values()]) {
      const previous = this.#snapshot(record);
      const evaluation = this.#evaluate(record.asking, record.addresses);
      if (evaluation.kind === 'release') {
        this.#releaseRecord(record, now);
        changes.push({
          key: previous.key,
          previous,
          current: undefined,
          because: evaluation.because,
        });
        continue;
      }
      const moved = evaluation.entry.pool.name !== record.pool;
      if (!moved && evaluation.dropped.length === 0) continue;
      this.#rehold(record, record.asking, evaluation, now);
      const { wish } = record.asking;
      if (wish.need === 'all' && record.addresses.length < wish.families.length) {
        // A family SingleStack or RequireDualStack cannot do without went away: replace it
        // from the same pool now (every holder is known here), or give the Service up.
        this.#complete(record, evaluation.entry, now);
        if (record.addresses.length < wish.families.length) {
          this.#releaseRecord(record, now);
          changes.push({
            key: previous.key,
            previous,
            current: undefined,
            because: evaluation.dropped[0]?.refusal,
          });
          continue;
        }
      }
      changes.push({
        key: previous.key,
        previous,
        current: this.#snapshot(record),
        because: evaluation.dropped[0]?.refusal,
      });
    }
    this.#recountAssigned();
    return changes;
  }

  /** Released addresses inside new ranges are queued there; those in no range are forgotten. */
  #seedFreshLists(book: Book, fresh: ReadonlySet<RangeFreeList>, now: number): void {
    const pending: Array<{ list: RangeFreeList; value: bigint; releasedAt: number }> = [];
    for (const [value, releasedAt] of book.released) {
      const slot = this.#slotFor(book, value);
      if (slot === undefined || slot.list.excludes(value)) {
        book.released.delete(value);
      } else if (fresh.has(slot.list)) {
        if (now - releasedAt >= this.#quarantineMs) slot.list.noteReady(value);
        else pending.push({ list: slot.list, value, releasedAt });
      }
    }
    pending.sort((a, b) => a.releasedAt - b.releasedAt);
    for (const { list, value, releasedAt } of pending) list.noteReleased(value, releasedAt);
  }

  #recountAssigned(): void {
    for (const entry of this.#pools.values()) {
      entry.assigned[4] = 0;
      entry.assigned[6] = 0;
    }
    for (const family of [4, 6] as const) {
      for (const usage of this.#books[family].used.values()) {
        const entry = this.#pools.get(usage.pool);
        if (entry !== undefined) entry.assigned[family]++;
      }
    }
  }

  // ---- Services ----------------------------------------------------------

  /**
   * Records addresses a Service already holds (from its status, at start-up),
   * checked by the same rules as any allocation: in a pool that admits the
   * Service, of a wanted family, consistent with its requests, and shareable
   * with what was registered before. Addresses that fail on their own are
   * dropped and reported; if none can be kept, nothing is recorded.
   */
  registerExisting(service: ServiceRequest, addresses: readonly Address[]): RegistrationOutcome {
    const now = this.#now();
    const existing = this.#records.get(service.key);
    if (existing !== undefined) this.#releaseRecord(existing, now);
    const ask = asking(service);
    const evaluation = this.#evaluate(ask, addresses);
    if (evaluation.kind === 'release') return { ok: false, refusal: evaluation.because };
    const record = this.#commit(ask, evaluation.entry, evaluation.keep);
    return { ok: true, assignment: this.#snapshot(record), dropped: evaluation.dropped };
  }

  /**
   * Gives the Service addresses, or re-checks the ones it has: kept when
   * still valid (stable), extended when a wanted family became available,
   * released and allocated anew when the addresses left the pools, the
   * requests changed, or sharing no longer fits.
   */
  allocate(service: ServiceRequest): AllocationOutcome {
    const now = this.#now();
    const ask = asking(service);
    const record = this.#records.get(service.key);
    if (record === undefined) {
      const choice = this.#choose(ask, now);
      if (!choice.ok) return { ok: false, refusal: choice.refusal };
      const created = this.#commit(ask, choice.entry, choice.addresses);
      return { ok: true, assignment: this.#snapshot(created), change: 'allocated' };
    }

    const previous = this.#snapshot(record);
    const evaluation = this.#evaluate(ask, record.addresses);
    let because: Refusal;
    if (evaluation.kind === 'keep') {
      this.#rehold(record, ask, evaluation, now);
      const gained =
        service.requestedIPs.length === 0 ? this.#complete(record, evaluation.entry, now) : [];
      const missing = ask.wish.families.filter(
        (f) => !record.addresses.some((a) => a.family === f),
      );
      if (ask.wish.need === 'any' || missing.length === 0) {
        const dropped = evaluation.dropped.length > 0;
        const change: AllocationChange =
          dropped && gained.length > 0
            ? 'reallocated'
            : dropped
              ? 'reduced'
              : gained.length > 0
                ? 'extended'
                : 'unchanged';
        const assignment = this.#snapshot(record);
        if (change === 'unchanged') return { ok: true, assignment, change };
        const firstDrop = evaluation.dropped[0];
        return firstDrop === undefined
          ? { ok: true, assignment, change, previous }
          : { ok: true, assignment, change, previous, because: firstDrop.refusal };
      }
      because = refusal(
        'dualStackUnavailable',
        `RequireDualStack: pool ${record.pool} has no free ${missing.map(familyName).join(' or ')} address to go with ${listText(record.addresses)}`,
      );
    } else {
      because = evaluation.because;
    }

    this.#releaseRecord(record, now);
    const choice = this.#choose(ask, now);
    if (!choice.ok) return { ok: false, refusal: choice.refusal, released: previous, because };
    const created = this.#commit(ask, choice.entry, choice.addresses);
    return {
      ok: true,
      assignment: this.#snapshot(created),
      change: 'reallocated',
      previous,
      because,
    };
  }

  /** Frees the Service's addresses (into quarantine). Returns what it held, if anything. */
  release(key: string): Assignment | undefined {
    const record = this.#records.get(key);
    if (record === undefined) return undefined;
    const snapshot = this.#snapshot(record);
    this.#releaseRecord(record, this.#now());
    return snapshot;
  }

  // ---- queries -----------------------------------------------------------

  assignment(key: string): Assignment | undefined {
    const record = this.#records.get(key);
    return record === undefined ? undefined : this.#snapshot(record);
  }

  /** Every assignment, sorted by Service key. */
  assignments(): Assignment[] {
    return [...this.#records.values()]
      .map((record) => this.#snapshot(record))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** The Services holding an address (more than one when shared), sorted. */
  holdersOf(address: Address): string[] {
    const usage = this.#books[address.family].used.get(address.value);
    return usage === undefined ? [] : usage.holders.map((h) => h.key).sort();
  }

  /** The pool an address belongs to, or undefined (also for addresses avoidBuggyIPs excludes). */
  poolOf(address: Address): string | undefined {
    const slot = this.#slotFor(this.#books[address.family], address.value);
    if (slot === undefined || slot.list.excludes(address.value)) return undefined;
    return slot.entry.pool.name;
  }

  /** Assigned and available counts of one pool, per family, as bigints (a /64 is 2^64). */
  poolStatus(name: string): PoolStatus | undefined {
    const entry = this.#pools.get(name);
    if (entry === undefined) return undefined;
    const counts = (family: IpFamily): FamilyCounts => {
      const assigned = BigInt(entry.assigned[family]);
      return { total: entry.total[family], assigned, available: entry.total[family] - assigned };
    };
    return { pool: name, ipv4: counts(4), ipv6: counts(6) };
  }

  /** `poolStatus` of every pool, sorted by name. */
  poolStatuses(): PoolStatus[] {
    return [...this.#pools.keys()].map((name) => this.poolStatus(name)!);
  }

  // ---- choosing ----------------------------------------------------------

  /** Picks addresses for a Service that holds none; takes nothing. */
  #choose(ask: Asking, now: number): Choice {
    const { service, wish } = ask;
    if (service.requestedIPs.length > 0) return this.#chooseRequested(ask);
    if (service.requestedPool === undefined) return this.#chooseAutomatically(ask, now);

    const entry = this.#pools.get(service.requestedPool);
    if (entry === undefined) {
      return fail(
        'requestedPoolNotFound',
        `the Service asks for pool ${service.requestedPool}, which does not exist`,
      );
    }
    const admission = poolAdmission(entry.pool, service);
    if (admission !== undefined) return { ok: false, refusal: admission };
    const lacking = wish.families.filter((f) => entry.lists[f].length === 0);
    if (lacking.length === wish.families.length || (wish.need === 'all' && lacking.length > 0)) {
      const names = lacking.map(familyName).join(' or ');
      return wish.families.length === 2 && wish.need === 'all'
        ? fail(
            'dualStackUnavailable',
            `RequireDualStack: pool ${entry.pool.name} has no ${names} range`,
          )
        : fail(
            'wrongFamily',
            `pool ${entry.pool.name} has no ${names} range, and the Service wants ${wish.families.map(familyName).join(' or ')}`,
          );
    }
    const picked = this.#pickFromPool(entry, ask, now);
    const missing = wish.families.filter(
      (f) => entry.lists[f].length > 0 && !picked.some((a) => a.family === f),
    );
    if (picked.length > 0 && (wish.need === 'any' || missing.length === 0)) {
      return { ok: true, entry, addresses: picked };
    }
    return fail(
      wish.families.length === 2 && wish.need === 'all' && picked.length > 0
        ? 'dualStackUnavailable'
        : 'poolExhausted',
      `pool ${entry.pool.name} has no free ${missing.map(familyName).join(' or ')} address the Service may use`,
    );
  }

  #chooseRequested(ask: Asking): Choice {
    const { service, wish } = ask;
    const evaluation = this.#evaluate(ask, service.requestedIPs);
    if (evaluation.kind === 'release') return { ok: false, refusal: evaluation.because };
    if (wish.need === 'all') {
      const missing = wish.families.filter((f) => !evaluation.keep.some((a) => a.family === f));
      if (missing.length > 0) {
        return fail(
          'dualStackUnavailable',
          `RequireDualStack needs one requested address per family; ${missing.map(familyName).join(' and ')} is missing from ${listText(service.requestedIPs)}`,
        );
      }
    }
    return { ok: true, entry: evaluation.entry, addresses: evaluation.keep };
  }

  #chooseAutomatically(ask: Asking, now: number): Choice {
    const { service, wish } = ask;
    const primary = wish.families[0]!;
    let offeringSome = 0;
    let eligible = 0;
    const notes: string[] = [];
    let partial: { entry: PoolEntry; picked: Address[] } | undefined;
    let partialSecondary: typeof partial;
    for (const group of [this.#pinned, this.#automatic]) {
      for (const entry of group) {
        if (group === this.#pinned && !poolAdmits(entry.pool, service)) continue;
        const offered = wish.families.filter((f) => entry.lists[f].length > 0).length;
        if (offered === 0) continue;
        offeringSome++;
        if (wish.need === 'all' && offered < wish.families.length) continue;
        eligible++;
        const picked = this.#pickFromPool(entry, ask, now);
        if (picked.length === wish.families.length) return { ok: true, entry, addresses: picked };
        const missing = wish.families.filter((f) => !picked.some((a) => a.family === f));
        notes.push(`${entry.pool.name}: no free ${missing.map(familyName).join('/')}`);
        if (picked.some((a) => a.family === primary)) partial ??= { entry, picked };
        else if (picked.length > 0) partialSecondary ??= { entry, picked };
      }
    }
    const fallback = partial ?? partialSecondary;
    if (wish.need === 'any' && fallback !== undefined) {
      return { ok: true, entry: fallback.entry, addresses: fallback.picked };
    }
    const wanted = wish.families.map(familyName).join(' and ');
    if (eligible === 0 && offeringSome > 0) {
      return fail(
        'dualStackUnavailable',
        `RequireDualStack: no pool the Service may use has both IPv4 and IPv6 ranges`,
      );
    }
    if (eligible === 0) {
      return fail(
        'noPoolForService',
        `no pool may serve ${service.key} automatically with ${wanted} addresses (it needs autoAssign, a ${wanted} range, and a serviceAllocation that admits the Service if it has one)`,
      );
    }
    return fail(
      wish.families.length === 2 && wish.need === 'all' && fallback !== undefined
        ? 'dualStackUnavailable'
        : 'poolExhausted',
      `no address the Service may use is free (${notes.join('; ')})`,
    );
  }

  /** One candidate per wanted family the pool can give, in family order. */
  #pickFromPool(entry: PoolEntry, ask: Asking, now: number): Address[] {
    const picked: Address[] = [];
    for (const family of ask.wish.families) {
      const candidate = this.#candidateInPool(entry, family, ask, now);
      if (candidate !== undefined) picked.push(candidate);
    }
    return picked;
  }

  /** One address of `family` in the pool for this Service: shared, else free, else quarantined. */
  #candidateInPool(
    entry: PoolEntry,
    family: IpFamily,
    ask: Asking,
    now: number,
  ): Address | undefined {
    const lists = entry.lists[family];
    if (lists.length === 0) return undefined;
    const holder = ask.holder;
    if (holder.sharingKey !== undefined) {
      let looked = 0;
      for (const usage of this.#sharing.get(holder.sharingKey) ?? []) {
        // Sharing is allowed, never owed: bound the search so that thousands of addresses
        // under one key (all clashing on a port) cannot make allocation linear.
        if (++looked > maxSharingCandidates) break;
        if (usage.family !== family || usage.pool !== entry.pool.name) continue;
        if (usage.holders.some((h) => h.key === holder.key)) continue;
        // Mid-`setPools`, an address may still be held although it left the pool.
        const slot = this.#slotFor(this.#books[family], usage.value);
        if (slot?.entry !== entry || slot.list.excludes(usage.value)) continue;
        if (mayShare(usage.holders, holder)) {
          return { family, value: usage.value };
        }
      }
    }
    const book = this.#books[family];
    for (const list of lists) {
      const value = list.lowestReady(book, now, this.#quarantineMs);
      if (value !== undefined) return { family, value };
    }
    let oldest: { value: bigint; releasedAt: number } | undefined;
    for (const list of lists) {
      const resting = list.oldestQuarantined(book);
      if (
        resting !== undefined &&
        (oldest === undefined || resting.releasedAt < oldest.releasedAt)
      ) {
        oldest = resting;
      }
    }
    return oldest === undefined ? undefined : { family, value: oldest.value };
  }

  // ---- validity ----------------------------------------------------------

  /**
   * The one set of rules for addresses a Service holds or asks for. Addresses
   * that are wrong on their own (family, outside every pool) are dropped;
   * problems of the whole (requests, pool admission, sharing) release all.
   */
  #evaluate(ask: Asking, addresses: readonly Address[]): Evaluation {
    const { service, wish } = ask;
    const requested = service.requestedIPs;
    if (requested.length > 0 && !sameAddresses(requested, addresses)) {
      return release(
        'requestedIpChanged',
        `the Service requests ${listText(requested)} but holds ${listText(addresses)}`,
      );
    }
    const keep: Address[] = [];
    const dropped: DroppedAddress[] = [];
    let first: PoolEntry | undefined;
    let other: PoolEntry | undefined;
    for (const address of addresses) {
      const problem = this.#addressProblem(address, ask, keep);
      if (typeof problem === 'object' && 'reason' in problem) {
        dropped.push({ address, refusal: problem });
        continue;
      }
      keep.push(address);
      first ??= problem;
      if (problem !== first) other ??= problem;
    }
    if (first === undefined) {
      return {
        kind: 'release',
        because: dropped[0]?.refusal ?? refusal('invalidRequest', 'no addresses given'),
      };
    }
    const firstDrop = dropped[0];
    if (requested.length > 0 && firstDrop !== undefined) {
      return { kind: 'release', because: firstDrop.refusal };
    }
    if (other !== undefined) {
      return release(
        'addressesInDifferentPools',
        `${listText(keep)} lie in pools ${first.pool.name} and ${other.pool.name}; a Service's addresses come from one pool`,
      );
    }
    if (service.requestedPool !== undefined && service.requestedPool !== first.pool.name) {
      return requested.length > 0
        ? release(
            'requestedIpNotInRequestedPool',
            `${listText(keep)} lie in pool ${first.pool.name}, but the Service also asks for pool ${service.requestedPool}`,
          )
        : release(
            'requestedPoolChanged',
            `the Service asks for pool ${service.requestedPool}, its addresses ${listText(keep)} are in pool ${first.pool.name}`,
          );
    }
    const admission = poolAdmission(first.pool, service);
    if (admission !== undefined) return { kind: 'release', because: admission };
    for (const address of keep) {
      const usage = this.#books[address.family].used.get(address.value);
      if (usage === undefined) continue;
      const conflict = sharingRefusal(address, usage.holders, ask.holder);
      if (conflict !== undefined) return { kind: 'release', because: conflict };
    }
    return { kind: 'keep', entry: first, keep: inFamilyOrder(keep, wish), dropped };
  }

  /** What is wrong with one address on its own, or the pool it belongs to. */
  #addressProblem(address: Address, ask: Asking, kept: readonly Address[]): Refusal | PoolEntry {
    const { service, wish } = ask;
    if (kept.some((a) => a.family === address.family)) {
      return refusal(
        'invalidRequest',
        `${text(address)} is a second ${familyName(address.family)} address; a Service has at most one per family`,
      );
    }
    if (!wish.families.includes(address.family)) {
      return refusal(
        'wrongFamily',
        `${text(address)} is ${familyName(address.family)}, but the Service (${service.ipFamilyPolicy}) wants ${wish.families.map(familyName).join(' and ')}`,
      );
    }
    const slot = this.#slotFor(this.#books[address.family], address.value);
    if (slot === undefined)
      return refusal('ipNotInAnyPool', `${text(address)} is in no IPAddressPool`);
    if (slot.list.excludes(address.value)) {
      return refusal(
        'ipAvoidedByPool',
        `${text(address)} ends in .0 or .255, which pool ${slot.entry.pool.name} avoids (avoidBuggyIPs)`,
      );
    }
    return slot.entry;
  }

  // ---- bookkeeping -------------------------------------------------------

  #slotFor(book: Book, value: bigint): RangeSlot | undefined {
    const slots = book.slots;
    let low = 0;
    let high = slots.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const slot = slots[middle]!;
      if (value < slot.list.range.first) high = middle - 1;
      else if (value > slot.list.range.last) low = middle + 1;
      else return slot;
    }
    return undefined;
  }

  /** Adds an address from the Service's pool for every wanted family it lacks, where one is free. */
  #complete(record: ServiceRecord, entry: PoolEntry, now: number): Address[] {
    const ask = record.asking;
    const gained: Address[] = [];
    for (const family of ask.wish.families) {
      if (record.addresses.some((a) => a.family === family)) continue;
      const candidate = this.#candidateInPool(entry, family, ask, now);
      if (candidate !== undefined) gained.push(candidate);
    }
    for (const address of gained) this.#addHolder(address, entry, ask.holder);
    if (gained.length > 0) {
      record.addresses = inFamilyOrder([...record.addresses, ...gained], ask.wish);
    }
    return gained;
  }

  #commit(ask: Asking, entry: PoolEntry, addresses: Address[]): ServiceRecord {
    const record: ServiceRecord = { asking: ask, pool: entry.pool.name, addresses };
    this.#records.set(ask.service.key, record);
    for (const address of addresses) this.#addHolder(address, entry, ask.holder);
    return record;
  }

  /** Applies a 'keep' evaluation: new request details, dropped addresses freed, pool re-homed. */
  #rehold(
    record: ServiceRecord,
    ask: Asking,
    evaluation: Extract<Evaluation, { kind: 'keep' }>,
    now: number,
  ): void {
    for (const { address } of evaluation.dropped) {
      if (record.addresses.some((a) => a.family === address.family && a.value === address.value)) {
        this.#dropHolder(address, ask.holder.key, now);
      }
    }
    for (const address of evaluation.keep) {
      const usage = this.#books[address.family].used.get(address.value);
      if (usage === undefined) continue;
      usage.pool = evaluation.entry.pool.name;
      this.#setHolder(usage, ask.holder.key, ask.holder);
    }
    record.asking = ask;
    record.pool = evaluation.entry.pool.name;
    record.addresses = evaluation.keep;
  }

  #addHolder(address: Address, entry: PoolEntry, holder: Holder): void {
    const book = this.#books[address.family];
    let usage = book.used.get(address.value);
    if (usage === undefined) {
      usage = { family: address.family, value: address.value, pool: entry.pool.name, holders: [] };
      book.used.set(address.value, usage);
      book.released.delete(address.value);
      entry.assigned[address.family]++;
    }
    this.#setHolder(usage, holder.key, holder);
  }

  /** Sets (or with undefined removes) one Service's holder entry, keeping the sharing index in step. */
  #setHolder(usage: Usage, key: string, holder: Holder | undefined): void {
    const index = usage.holders.findIndex((h) => h.key === key);
    const before = index < 0 ? undefined : usage.holders[index];
    const others = index < 0 ? usage.holders : usage.holders.filter((_, i) => i !== index);
    usage.holders = holder === undefined ? others : [...others, holder];
    const oldKey = before?.sharingKey;
    if (oldKey !== undefined && oldKey !== holder?.sharingKey) {
      if (!others.some((h) => h.sharingKey === oldKey)) {
        const set = this.#sharing.get(oldKey);
        set?.delete(usage);
        if (set?.size === 0) this.#sharing.delete(oldKey);
      }
    }
    const newKey = holder?.sharingKey;
    if (newKey !== undefined) {
      let set = this.#sharing.get(newKey);
      if (set === undefined) {
        set = new Set();
        this.#sharing.set(newKey, set);
      }
      set.add(usage);
    }
  }

  #dropHolder(address: Address, key: string, now: number): void {
    const book = this.#books[address.family];
    const usage = book.used.get(address.value);
    if (usage === undefined) return;
    this.#setHolder(usage, key, undefined);
    if (usage.holders.length > 0) return;
    book.used.delete(address.value);
    const entry = this.#pools.get(usage.pool);
    if (entry !== undefined) entry.assigned[address.family]--;
    const slot = this.#slotFor(book, address.value);
    if (slot !== undefined && !slot.list.excludes(address.value)) {
      book.released.set(address.value, now);
      slot.list.noteReleased(address.value, now);
    }
  }

  #releaseRecord(record: ServiceRecord, now: number): void {
    const key = record.asking.service.key;
    for (const address of record.addresses) this.#dropHolder(address, key, now);
    this.#records.delete(key);
  }

  #snapshot(record: ServiceRecord): Assignment {
    return { key: record.asking.service.key, pool: record.pool, addresses: [...record.addresses] };
  }
}

function byFirstAddress(a: RangeFreeList, b: RangeFreeList): number {
  return a.range.first < b.range.first ? -1 : a.range.first > b.range.first ? 1 : 0;
}

function fail(reason: Refusal['reason'], message: string): Choice {
  return { ok: false, refusal: refusal(reason, message) };
}

function release(reason: Refusal['reason'], message: string): Evaluation {
  return { kind: 'release', because: refusal(reason, message) };
}
