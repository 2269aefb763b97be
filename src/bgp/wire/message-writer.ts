import type { WireContext } from './context.ts';
import { bgpMessage } from './message.ts';
import type { BgpMessage } from './message.ts';

/**
 * Serializes messages back to back into one buffer, for one socket write
 * (pg-protocol's Writer). `flush()` hands the bytes over and starts afresh,
 * so a flushed buffer is never written into again.
 */
export class MessageWriter {
  #buffer: Buffer;
  #length = 0;
  readonly #initialSize: number;

  constructor(initialSize = 16 * 1024) {
    this.#initialSize = initialSize;
    this.#buffer = Buffer.allocUnsafe(initialSize);
  }

  #ensure(extra: number): void {
    const needed = this.#length + extra;
    if (needed <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.#buffer.length * 2));
    this.#buffer.copy(grown, 0, 0, this.#length);
    this.#buffer = grown;
  }

  /** Appends one encoded message. */
  add(message: BgpMessage, ctx: WireContext): this {
    const length = bgpMessage.encodingLength(message, ctx);
    this.#ensure(length);
    this.#length = bgpMessage.write(message, this.#buffer, this.#length, ctx);
    return this;
  }

  /** Appends octets that already are messages (e.g. from the UPDATE packer). */
  addEncoded(bytes: Uint8Array): this {
    this.#ensure(bytes.length);
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.length;
    return this;
  }

  get length(): number {
    return this.#length;
  }

  /** Everything added since the last flush; the writer continues with a new buffer. */
  flush(): Buffer {
    const out = this.#buffer.subarray(0, this.#length);
    this.#buffer = Buffer.allocUnsafe(this.#initialSize);
    this.#length = 0;
    return out;
  }
}
