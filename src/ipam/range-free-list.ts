import type { AddressRange } from './address.ts';
import { BigIntMinHeap } from './min-heap.ts';
import { isBuggyAddress } from './pool.ts';

/**
 * What every range of one family shares: which addresses are held, and when
 * each free-but-once-used address was released. The allocator owns these maps;
 * a free list only reads them.
 */
export interface FamilyBook {
  /** Held addresses (value → anything). O(1) membership. */
  readonly used: ReadonlyMap<bigint, unknown>;
  /** Addresses released and not taken since, with their release time. */
  readonly released: ReadonlyMap<bigint, number>;
}

interface QuarantineEntry {
  readonly value: bigint;
  readonly releasedAt: number;
}

/**
 * Free addresses of one range, without ever scanning it.
 *
 * - `cursor`: everything below it has been handed out at least once; from it
 *   up to `last` lies never-used space. It only moves forward, skipping
 *   addresses that are held or tracked as released (taken by explicit request
 *   ahead of the cursor), and the .0/.255 addresses avoidBuggyIPs excludes in
 *   O(1) each, so its total work is bounded by the addresses handed out.
 * - `quarantine`: released addresses in release order; they rest there for
 *   the quarantine period and are handed out only when nothing else is free.
 * - `ready`: released addresses whose quarantine is over, as a min-heap.
 *
 * Entries go stale when their address is taken again by other means; they
 * are dropped lazily (checked against the book) instead of searched for.
 * So peeking is amortised O(log n): the lowest free, non-quarantined address
 * is min(ready top, cursor).
 */
export class RangeFreeList {
  readonly range: AddressRange;
  readonly avoidBuggyIPs: boolean;
  #cursor: bigint;
  readonly #ready = new BigIntMinHeap();
  #quarantine: QuarantineEntry[] = [];
  #quarantineHead = 0;
  /**
   * Each quarantined address's latest entry. An address released, taken and
   * released again within one millisecond has two entries with equal times:
   * only the latest may speak for it.
   */
  readonly #latestEntry = new Map<bigint, QuarantineEntry>();

  constructor(range: AddressRange, avoidBuggyIPs: boolean) {
    this.range = range;
    this.avoidBuggyIPs = avoidBuggyIPs && range.family === 4;
    this.#cursor = range.first;
  }

  /** A key that identifies ranges whose free-list state may be carried over a pool edit. */
  static identity(range: AddressRange, avoidBuggyIPs: boolean): string {
    return `${range.family}:${range.first}:${range.last}:${avoidBuggyIPs && range.family === 4}`;
  }

  get identity(): string {
    return RangeFreeList.identity(this.range, this.avoidBuggyIPs);
  }

  excludes(value: bigint): boolean {
    return this.avoidBuggyIPs && isBuggyAddress(4, value);
  }

  /** Records a release (the caller has put it into the book's `released`). */
  noteReleased(value: bigint, releasedAt: number): void {
    const entry = { value, releasedAt };
    this.#quarantine.push(entry);
    this.#latestEntry.set(value, entry);
  }

  /** Records a released address whose quarantine is known to be over (used when rebuilding). */
  noteReady(value: bigint): void {
    this.#ready.push(value);
  }

  /**
   * The lowest free address whose quarantine is over (or that was never
   * used), or undefined when only quarantined addresses (or none) are free.
   */
  lowestReady(book: FamilyBook, now: number, quarantineMs: number): bigint | undefined {
    this.#promoteRested(book, now, quarantineMs);
    const fromHeap = this.#readyTop(book, now, quarantineMs);
    const fromCursor = this.#advanceCursor(book);
    if (fromHeap === undefined) return fromCursor;
    if (fromCursor === undefined) return fromHeap;
    return fromHeap < fromCursor ? fromHeap : fromCursor;
  }

  /** The free address released longest ago (still in quarantine), if any. */
  oldestQuarantined(book: FamilyBook): QuarantineEntry | undefined {
    while (this.#quarantineHead < this.#quarantine.length) {
      const entry = this.#quarantine[this.#quarantineHead]!;
      if (this.#isCurrentRelease(book, entry)) return entry;
      this.#consumeHead(entry);
    }
    this.#compactQuarantine();
    return undefined;
  }

  #isCurrentRelease(book: FamilyBook, entry: QuarantineEntry): boolean {
    return (
      this.#latestEntry.get(entry.value) === entry &&
      !book.used.has(entry.value) &&
      book.released.get(entry.value) === entry.releasedAt
    );
  }

  /** Moves past the head entry, forgetting it as its address's latest. */
  #consumeHead(entry: QuarantineEntry): void {
    if (this.#latestEntry.get(entry.value) === entry) this.#latestEntry.delete(entry.value);
    this.#quarantineHead++;
  }

  #promoteRested(book: FamilyBook, now: number, quarantineMs: number): void {
    while (this.#quarantineHead < this.#quarantine.length) {
      const entry = this.#quarantine[this.#quarantineHead]!;
      if (this.#isCurrentRelease(book, entry)) {
        if (now - entry.releasedAt < quarantineMs) break;
        this.#ready.push(entry.value);
      }
      this.#consumeHead(entry);
    }
    this.#compactQuarantine();
  }

  #compactQuarantine(): void {
    // Drop the consumed prefix once it dominates, keeping shift cost amortised O(1).
    if (this.#quarantineHead > 64 && this.#quarantineHead * 2 > this.#quarantine.length) {
      this.#quarantine = this.#quarantine.slice(this.#quarantineHead);
      this.#quarantineHead = 0;
    }
  }

  #readyTop(book: FamilyBook, now: number, quarantineMs: number): bigint | undefined {
    for (;;) {
      const top = this.#ready.peek();
      if (top === undefined) return undefined;
      const releasedAt = book.released.get(top);
      // Still free, and not released again since (a new release waits in quarantine anew).
      if (
        !book.used.has(top) &&
        releasedAt !== undefined &&
        now - releasedAt >= quarantineMs &&
        !this.excludes(top)
      ) {
        return top;
      }
      this.#ready.pop();
    }
  }

  #advanceCursor(book: FamilyBook): bigint | undefined {
    const last = this.range.last;
    let cursor = this.#cursor;
    while (cursor <= last) {
      if (this.excludes(cursor) || book.used.has(cursor) || book.released.has(cursor)) {
        cursor++;
        continue;
      }
      break;
    }
    this.#cursor = cursor;
    return cursor <= last ? cursor : undefined;
  }
}
