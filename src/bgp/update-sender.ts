import type { AddressFamily } from './address-family.ts';
import type { AdjRibOut, AnnouncementGroup, RibDelta, WithdrawalGroup } from './adj-rib-out.ts';
import type { CanonicalAttributes } from './route.ts';
import type { CanonicalPrefix } from './route-prefix.ts';
import type { WireContext } from './wire/context.ts';
import type { PathAttributes } from './wire/path-attributes.ts';
import { packAnnouncements, packWithdrawals } from './wire/update-packer.ts';
import type { PackedUpdates } from './wire/update-packer.ts';

/**
 * Sends what the Adj-RIB-Out has pending over one established connection:
 * UPDATEs packed in bulk into reused batch buffers, paced by the socket's
 * back-pressure (write() returning false → wait for 'drain'), and marked
 * sent batch by batch. Nothing per route but a slot in an array: no
 * promise, no timer, no allocation of its own.
 */

export interface UpdateSenderOptions {
  readonly rib: AdjRibOut;
  /** The negotiated families; routes of others stay pending. */
  readonly families: readonly AddressFamily[];
  readonly ctx: WireContext;
  readonly attributesFor: (
    attributes: CanonicalAttributes,
    family: AddressFamily,
  ) => PathAttributes;
  /** Writes bytes; false means wait for drained(). `done` fires once the bytes left our buffer. */
  readonly write: (bytes: Buffer, done: () => void) => boolean;
  /** UPDATE messages written and the prefixes in them, after each batch. */
  readonly onWritten: (messages: number, prefixes: number) => void;
  /** Nothing is pending any more (for End-of-RIB after the initial table). */
  readonly onSynced: () => void;
  /** A pack that could not be encoded (a value the codec refuses); the routes stay pending. */
  readonly onError: (error: unknown) => void;
}

/** Batches are written when this full; 256 KiB is ~50k IPv4 host routes. */
const BATCH_BYTES = 256 * 1024;
/** After this many bytes in one go the loop yields, so keepalives and input are not starved. */
const YIELD_BYTES = 2 * 1024 * 1024;
/** Room kept for one message's header and attributes when sizing a slice. */
const MESSAGE_RESERVE = 4096;
/** Spare batch buffers kept for reuse. */
const POOL_SIZE = 4;

/** group.prefixes[from, to) of a delta went into the batch. */
interface BatchPart {
  readonly group: WithdrawalGroup | AnnouncementGroup;
  readonly from: number;
  readonly to: number;
}

/** Where the sender is in a delta: withdrawals first (RFC 4271 has no order; peers free memory). */
interface Cursor {
  part: 'withdrawals' | 'announcements';
  group: number;
  index: number;
}

export class UpdateSender {
  readonly #options: UpdateSenderOptions;
  readonly #pool: Buffer[] = [];
  readonly #wireAttributes = new Map<CanonicalAttributes, PathAttributes>();
  #snapshot: RibDelta | undefined;
  #cursor: Cursor = { part: 'withdrawals', group: 0, index: 0 };
  #scheduled = false;
  #waitingForDrain = false;
  #stopped = false;
  #running = false;
  /** Octets handed to write(), to know when to yield. */
  #bytesOut = 0;

  // The batch being filled and what it carries, marked sent when written.
  #batch: Buffer | undefined;
  #length = 0;
  #messages = 0;
  #prefixes = 0;
  /** What the batch carries: parts of the delta's groups, marked sent when it is written. */
  #batchParts: BatchPart[] = [];
  /**
   * The texts of the prefixes being packed, refilled for every pack (no array per batch);
   * it holds at most one pack's worth of strings the Adj-RIB-Out holds anyway.
   */
  readonly #texts: string[] = [];

  constructor(options: UpdateSenderOptions) {
    this.#options = options;
  }

  /** Something may be pending: send it soon (once per turn of the event loop, however often called). */
  kick(): void {
    if (this.#scheduled || this.#stopped) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#run();
    });
  }

  /** The socket drained: continue. */
  drained(): void {
    if (!this.#waitingForDrain) return;
    this.#waitingForDrain = false;
    this.kick();
  }

  stop(): void {
    this.#stopped = true;
    this.#snapshot = undefined;
  }

  get busy(): boolean {
    return this.#snapshot !== undefined || this.#waitingForDrain;
  }

  /**
   * Writes the whole table of `family` now (ROUTE-REFRESH, RFC 2918 §4),
   * without waiting for back-pressure: a refresh is rare and must come in
   * one piece, between BoRR and EoRR when `bracket` writes those.
   */
  refresh(family: AddressFamily, bracket?: { begin: () => void; end: () => void }): void {
    if (this.#stopped) return;
    this.#flush();
    bracket?.begin();
    const delta = this.#options.rib.all([family]);
    const cursor: Cursor = { part: 'withdrawals', group: 0, index: 0 };
    try {
      while (this.#fill(delta, cursor)) this.#flush();
    } catch (err) {
      this.#discardBatch();
      this.#options.onError(err);
    }
    this.#flush();
    bracket?.end();
  }

  #run(): void {
    if (this.#stopped || this.#waitingForDrain || this.#running) return;
    this.#running = true;
    const startedAt = this.#bytesOut;
    try {
      for (;;) {
        if (this.#snapshot === undefined) {
          const delta = this.#options.rib.pending(this.#options.families);
          if (delta.withdrawals.length === 0 && delta.announcements.length === 0) {
            this.#options.onSynced();
            return;
          }
          this.#snapshot = delta;
          this.#cursor = { part: 'withdrawals', group: 0, index: 0 };
        }
        const more = this.#fill(this.#snapshot, this.#cursor);
        if (!more) this.#snapshot = undefined;
        const accepted = this.#flush();
        if (!accepted) {
          this.#waitingForDrain = true;
          return;
        }
        if (this.#bytesOut - startedAt >= YIELD_BYTES) {
          setImmediate(() => this.kick());
          return;
        }
      }
    } catch (err) {
      // The codec refused something (it validates what the core let through): keep the
      // session, leave the routes pending, say why.
      this.#discardBatch();
      this.#snapshot = undefined;
      this.#options.onError(err);
    } finally {
      this.#running = false;
    }
  }

  /**
   * Packs from `cursor` into the batch until it is full or the delta ends;
   * true when the delta has more.
   */
  #fill(delta: RibDelta, cursor: Cursor): boolean {
    const batch = this.#batchBuffer();
    for (;;) {
      const groups = cursor.part === 'withdrawals' ? delta.withdrawals : delta.announcements;
      const group = groups[cursor.group];
      if (group === undefined) {
        if (cursor.part === 'announcements') return false;
        cursor.part = 'announcements';
        cursor.group = 0;
        cursor.index = 0;
        continue;
      }
      const perPrefix = group.family === 'ipv4-unicast' ? 6 : 18;
      const room = batch.length - this.#length - MESSAGE_RESERVE;
      const fits = Math.floor(room / perPrefix);
      if (fits < 1) return true;
      const end = Math.min(group.prefixes.length, cursor.index + fits);
      const count = this.#fillTexts(group.prefixes, cursor.index, end);
      const into = { into: batch, offset: this.#length, count };
      const packed: PackedUpdates =
        cursor.part === 'withdrawals'
          ? packWithdrawals(group.family, this.#texts, this.#options.ctx, into)
          : packAnnouncements(
              this.#attributesOf(group as AnnouncementGroup),
              this.#texts,
              this.#options.ctx,
              into,
            );
      this.#batchParts.push({ group, from: cursor.index, to: end });
      const inPlace = this.#append(batch, packed);
      cursor.index = end;
      if (end >= group.prefixes.length) {
        cursor.group++;
        cursor.index = 0;
      }
      // The batch went out with the oversized pack: the caller starts a new one.
      if (!inPlace) return true;
    }
  }

  /** Adds a pack to the batch; false when it did not fit and was written out with the batch. */
  #append(batch: Buffer, packed: PackedUpdates): boolean {
    this.#messages += packed.messageCount;
    this.#prefixes += packed.prefixCount;
    if (packed.bytes.buffer === batch.buffer) {
      this.#length += packed.bytes.length;
      return true;
    }
    // Huge attributes: the packer needed more room and used a buffer of its own. The batch
    // so far goes first, then this pack; both are marked sent with the batch.
    this.#writeOut(batch, this.#length, packed.bytes);
    return false;
  }

  /** Puts the texts of prefixes[from, to) at the start of #texts; returns how many. */
  #fillTexts(prefixes: readonly CanonicalPrefix[], from: number, to: number): number {
    const texts = this.#texts;
    for (let i = from; i < to; i++) texts[i - from] = (prefixes[i] as CanonicalPrefix).text;
    return to - from;
  }

  #attributesOf(group: AnnouncementGroup): PathAttributes {
    let wire = this.#wireAttributes.get(group.attributes);
    if (wire === undefined) {
      if (this.#wireAttributes.size > 10_000) this.#wireAttributes.clear();
      wire = this.#options.attributesFor(group.attributes, group.family);
      this.#wireAttributes.set(group.attributes, wire);
    }
    return wire;
  }

  #batchBuffer(): Buffer {
    if (this.#batch === undefined) {
      this.#batch = this.#pool.pop() ?? Buffer.allocUnsafeSlow(BATCH_BYTES);
      this.#length = 0;
    }
    return this.#batch;
  }

  /** Writes the batch and marks its routes sent; false when the socket wants a pause. */
  #flush(): boolean {
    const batch = this.#batch;
    if (batch === undefined) return true;
    return this.#writeOut(batch, this.#length);
  }

  /** Writes `length` octets of the batch (then `extra`, when given) and marks their routes sent. */
  #writeOut(batch: Buffer, length: number, extra?: Buffer): boolean {
    const parts = this.#batchParts;
    const messages = this.#messages;
    const prefixes = this.#prefixes;
    this.#batch = undefined;
    this.#length = 0;
    this.#messages = 0;
    this.#prefixes = 0;
    this.#batchParts = [];
    let accepted = true;
    if (length > 0) {
      accepted = this.#options.write(batch.subarray(0, length), () => this.#release(batch));
    } else {
      this.#release(batch);
    }
    if (extra !== undefined) accepted = this.#options.write(extra, () => undefined) && accepted;
    this.#bytesOut += length + (extra?.length ?? 0);
    if (parts.length > 0) {
      for (const part of parts) this.#options.rib.markSentRange(part.group, part.from, part.to);
      this.#options.onWritten(messages, prefixes);
    }
    return accepted;
  }

  #discardBatch(): void {
    const batch = this.#batch;
    this.#batch = undefined;
    this.#length = 0;
    this.#messages = 0;
    this.#prefixes = 0;
    this.#batchParts = [];
    if (batch !== undefined) this.#release(batch);
  }

  #release(batch: Buffer): void {
    if (this.#pool.length < POOL_SIZE) this.#pool.push(batch);
  }
}
