import { HEADER_LENGTH } from './constants.ts';
import type { BgpWireError } from './errors.ts';
import { isBgpWireError } from './errors.ts';
import { readHeader } from './header.ts';

/**
 * Frames a TCP byte stream into BGP messages (pg-protocol style): push
 * chunks as they arrive, cut anywhere, then take complete messages with
 * `next()`. Each message is a Buffer holding the whole message (header
 * included), ready for `decodeMessage` with the session's current context.
 *
 * Messages are views of the pushed chunks (no copy when a chunk holds whole
 * messages); the reader never writes into a chunk, so callers may keep the
 * messages, but must not reuse a chunk's memory after pushing it.
 *
 * A bad header (RFC 4271 §6.1) throws a `BgpWireError` from `next()`; the
 * stream cannot be resynchronized, so every later call throws it again.
 */
export class MessageReader {
  #buffer: Buffer = Buffer.alloc(0);
  #offset = 0;
  #error: BgpWireError | undefined;

  /** Adds received octets. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const incoming = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    const pending = this.#buffer.length - this.#offset;
    if (pending === 0) {
      this.#buffer = incoming;
    } else {
      // Only the unfinished tail is copied, into a fresh buffer: earlier
      // messages handed out stay intact.
      const combined = Buffer.allocUnsafe(pending + incoming.length);
      this.#buffer.copy(combined, 0, this.#offset);
      incoming.copy(combined, pending);
      this.#buffer = combined;
    }
    this.#offset = 0;
  }

  /** Octets received but not yet returned as a message. */
  get bufferedLength(): number {
    return this.#buffer.length - this.#offset;
  }

  /** The next complete message, or undefined until more octets arrive. */
  next(): Buffer | undefined {
    if (this.#error !== undefined) throw this.#error;
    const available = this.#buffer.length - this.#offset;
    if (available < HEADER_LENGTH) return undefined;
    let length: number;
    try {
      length = readHeader(this.#buffer, this.#offset).length;
    } catch (err) {
      if (isBgpWireError(err)) this.#error = err;
      throw err;
    }
    if (available < length) return undefined;
    const message = this.#buffer.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return message;
  }

  /** Every complete message buffered now. */
  drain(): Buffer[] {
    const messages: Buffer[] = [];
    for (let message = this.next(); message !== undefined; message = this.next())
      messages.push(message);
    return messages;
  }
}
