/**
 * A BGP peer the test scripts message by message, built on our own wire
 * codec over a plain TCP server on loopback: it accepts the session's
 * connections (or dials the session's listener), hands the test every
 * decoded message, and sends what the test says.
 */
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import type { Capability } from '../../src/bgp/wire/capabilities/capability.ts';
import { DEFAULT_WIRE_CONTEXT, type WireContext } from '../../src/bgp/wire/context.ts';
import { decodeMessage, encodeMessage, type BgpMessage } from '../../src/bgp/wire/message.ts';
import { MessageReader } from '../../src/bgp/wire/message-reader.ts';
import { createOpen } from '../../src/bgp/wire/messages/open.ts';

export interface PeerOpenOptions {
  readonly as: number;
  readonly id: string;
  readonly holdTime?: number;
  readonly capabilities?: readonly Capability[];
}

/** The capabilities of a modern peer: both unicast families, route refresh, 4-octet AS. */
export function modernCapabilities(as: number, extra: readonly Capability[] = []): Capability[] {
  return [
    { kind: 'multiprotocol', afi: 1, safi: 1 },
    { kind: 'multiprotocol', afi: 2, safi: 1 },
    { kind: 'route-refresh' },
    { kind: 'four-octet-as', asn: as },
    ...extra,
  ];
}

/** One TCP connection, seen from the peer's side. */
export class PeerLink {
  readonly socket: net.Socket;
  readonly #reader = new MessageReader();
  readonly #queue: BgpMessage[] = [];
  readonly #raw: Buffer[] = [];
  #waiter: (() => void) | undefined;
  #ended = false;
  ctx: WireContext = DEFAULT_WIRE_CONTEXT;

  constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#reader.push(chunk);
      for (let frame = this.#reader.next(); frame !== undefined; frame = this.#reader.next()) {
        this.#raw.push(Buffer.from(frame));
        this.#queue.push(decodeMessage(frame, this.ctx));
      }
      this.#wake();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.#ended = true;
      this.#wake();
    });
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** The raw bytes of every message received so far. */
  get raw(): readonly Buffer[] {
    return this.#raw;
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.();
  }

  /** The next message; rejects when none comes within `timeoutMs` or the connection ends. */
  async receive(timeoutMs = 5000): Promise<BgpMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const next = this.#queue.shift();
      if (next !== undefined) return next;
      if (this.#ended) throw new Error('the connection ended');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Messages until one matches; returns all of them, the match last. */
  async receiveUntil(
    match: (message: BgpMessage) => boolean,
    timeoutMs = 5000,
  ): Promise<BgpMessage[]> {
    const seen: BgpMessage[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = await this.receive(Math.max(1, deadline - Date.now()));
      seen.push(message);
      if (match(message)) return seen;
    }
  }

  /** Whatever arrived so far, without waiting. */
  drain(): BgpMessage[] {
    return this.#queue.splice(0);
  }

  send(message: BgpMessage | Buffer): void {
    this.socket.write(Buffer.isBuffer(message) ? message : encodeMessage(message, this.ctx));
  }

  sendOpen(options: PeerOpenOptions): void {
    this.send(
      createOpen({
        asn: options.as,
        holdTime: options.holdTime ?? 90,
        bgpIdentifier: options.id,
        capabilities: options.capabilities ?? modernCapabilities(options.as),
      }),
    );
  }

  /** Our side of the OPEN exchange: read the OPEN, answer OPEN + KEEPALIVE, read the KEEPALIVE. */
  async handshake(options: PeerOpenOptions): Promise<BgpMessage> {
    const open = await this.receive();
    if (open.type !== 'open') throw new Error(`expected an OPEN, got ${open.type}`);
    this.sendOpen(options);
    this.send({ type: 'keepalive' });
    const keepalive = await this.receive();
    if (keepalive.type !== 'keepalive')
      throw new Error(`expected a KEEPALIVE, got ${keepalive.type}`);
    return open;
  }

  async closed(timeoutMs = 5000): Promise<void> {
    if (this.#ended) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      once(this.socket, 'close'),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('the connection stayed open')), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A listening peer: the session under test connects to it. */
export class ScriptedPeer {
  readonly server: net.Server;
  readonly #links: PeerLink[] = [];
  readonly #pending: Array<(link: PeerLink) => void> = [];
  connections = 0;

  private constructor(server: net.Server) {
    this.server = server;
    server.on('connection', (socket) => {
      this.connections++;
      const link = new PeerLink(socket);
      const waiter = this.#pending.shift();
      if (waiter !== undefined) waiter(link);
      else this.#links.push(link);
    });
  }

  static async listen(address: string): Promise<ScriptedPeer> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, address, () => resolve());
    });
    return new ScriptedPeer(server);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The next connection the session makes; bounded. */
  accept(timeoutMs = 5000): Promise<PeerLink> {
    const ready = this.#links.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.#pending.indexOf(take);
        if (index >= 0) this.#pending.splice(index, 1);
        reject(new Error(`no connection within ${timeoutMs} ms`));
      }, timeoutMs);
      const take = (link: PeerLink): void => {
        clearTimeout(timer);
        resolve(link);
      };
      this.#pending.push(take);
    });
  }

  async close(): Promise<void> {
    for (const link of this.#links) link.destroy();
    this.server.close();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Dials a session's listener from `localAddress`, as a peer that connects itself. */
export async function dialSession(
  localAddress: string,
  host: string,
  port: number,
): Promise<PeerLink> {
  const socket = net.connect({ host, port, localAddress });
  await once(socket, 'connect');
  return new PeerLink(socket);
}
