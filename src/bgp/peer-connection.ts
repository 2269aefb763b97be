import type net from 'node:net';
import type { Clock } from './clock.ts';
import { plainAddress } from './peer-socket.ts';
import { MessageReader } from './wire/message-reader.ts';

/**
 * One TCP connection carrying BGP: framing of what arrives, the time it
 * arrived (for the hold-expiry guard), writes with back-pressure, and a
 * bounded close. It knows nothing of the FSM; the session reads messages
 * with `reader.next()` when told data arrived.
 */

export interface PeerConnectionHandlers {
  /** Bytes arrived and were pushed into `reader`. */
  readonly onData: () => void;
  /** The connection is gone (error, peer closed, or we closed it); called once. */
  readonly onClose: (reason: string) => void;
  /** The socket's write buffer drained after a write() that returned false. */
  readonly onDrain: () => void;
}

export type ConnectionDirection = 'outbound' | 'inbound';

export class PeerConnection {
  readonly socket: net.Socket;
  readonly direction: ConnectionDirection;
  readonly reader = new MessageReader();
  readonly localAddress: string;
  readonly remoteAddress: string;
  #lastReceivedAt: number;
  readonly #clock: Clock;
  #handlers: PeerConnectionHandlers | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(
    socket: net.Socket,
    direction: ConnectionDirection,
    clock: Clock,
    handlers: PeerConnectionHandlers,
  ) {
    this.socket = socket;
    this.direction = direction;
    this.#clock = clock;
    this.#handlers = handlers;
    this.#lastReceivedAt = clock.now();
    this.localAddress = plainAddress(socket.localAddress);
    this.remoteAddress = plainAddress(socket.remoteAddress);
    socket.on('data', (chunk: Buffer) => {
      this.#lastReceivedAt = this.#clock.now();
      if (this.#handlers === undefined) return;
      this.reader.push(chunk);
      this.#handlers.onData();
    });
    socket.on('drain', () => this.#handlers?.onDrain());
    socket.on('error', (err: NodeJS.ErrnoException) =>
      this.#gone(err.code !== undefined ? `${err.code} (${err.message})` : err.message),
    );
    socket.on('end', () => {
      this.#gone('the peer closed the connection');
      // Our half too, once what we queued is out.
      socket.end();
    });
    socket.on('close', () => this.#gone('the connection closed'));
  }

  /** Clock time of the last bytes received (hold-expiry guard). */
  get lastReceivedAt(): number {
    return this.#lastReceivedAt;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Octets queued in Node but not yet handed to the kernel. */
  get writableLength(): number {
    return this.socket.writableLength;
  }

  /** Queues bytes; false when the caller should wait for onDrain before writing more. */
  write(bytes: Uint8Array, done?: () => void): boolean {
    if (this.#closed || this.socket.destroyed) {
      done?.();
      return true;
    }
    return this.socket.write(bytes, done === undefined ? undefined : () => done());
  }

  /**
   * Yields to the event loop so data the kernel holds is read (setImmediate
   * runs after the poll phase), then says whether anything is left unread.
   */
  async drainPendingInput(): Promise<boolean> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    return this.socket.readableLength === 0;
  }

  /**
   * Stops reporting to the session, flushes what is queued (a NOTIFICATION)
   * and closes; destroys the socket after `timeoutMs` at the latest.
   */
  close(timeoutMs: number): Promise<void> {
    this.#handlers = undefined;
    this.#closed = true;
    if (this.#closing !== undefined) return this.#closing;
    const socket = this.socket;
    this.#closing = new Promise<void>((resolve) => {
      if (socket.destroyed) {
        resolve();
        return;
      }
      // A real timer: a stalled peer must not keep a socket open, whatever clock the session uses.
      const timer = setTimeout(() => socket.destroy(), timeoutMs);
      timer.unref();
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.end();
    });
    return this.#closing;
  }

  /** Closes at once, discarding anything unwritten. */
  destroy(): void {
    this.#handlers = undefined;
    this.#closed = true;
    this.socket.destroy();
  }

  #gone(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    const handlers = this.#handlers;
    this.#handlers = undefined;
    this.socket.destroy();
    handlers?.onClose(reason);
  }
}
