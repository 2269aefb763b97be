import { EventEmitter } from 'node:events';
import net from 'node:net';
import { IronlbError } from '../common/errors.ts';
import { GTSM_TTL, descriptorOf, plainAddress, secureAcceptedSocket } from './peer-socket.ts';
import type { TransportSecurity } from './peer-socket.ts';
import { parseAddressOrUndefined } from './route-prefix.ts';
import { BgpSessionErrors } from './session-errors.ts';
import { ipFamilyOf, type IpFamily, setTcpMd5Key, setTtl } from './socket-options.ts';

/**
 * One listening socket shared by every passive session on an address and
 * port (BGP peers are told apart by their address, RFC 4271 §8.2.1.2).
 * Accepted connections go to the session registered for the remote address;
 * others are closed at once. TCP-MD5 keys are set per peer on the listening
 * descriptor, so a SYN without the right signature is dropped by the kernel.
 */

export interface BgpListenerOptions {
  /** Address to listen on; "::" (all, dual-stack) by default. */
  readonly address?: string;
  /** 179 by default; 0 picks a free port (see `port` after listen()). */
  readonly port?: number;
  readonly backlog?: number;
}

export interface ListenerRegistration extends TransportSecurity {
  /** Called with each connection from the peer, options already applied. */
  readonly accept: (socket: net.Socket) => void;
}

export interface BgpListenerEvents {
  /** A connection that no session wanted: from an unknown address, or refused by the session. */
  refused: [{ readonly remoteAddress: string; readonly reason: string }];
}

export class BgpListener extends EventEmitter<BgpListenerEvents> {
  readonly #options: Required<Omit<BgpListenerOptions, 'backlog'>> & { backlog: number };
  readonly #peers = new Map<string, ListenerRegistration>();
  #server: net.Server | undefined;
  #family: IpFamily;
  #gtsmTtlSet = new Set<IpFamily>();

  constructor(options: BgpListenerOptions = {}) {
    super();
    const address = options.address ?? '::';
    if (parseAddressOrUndefined(address) === undefined) {
      throw new IronlbError(
        BgpSessionErrors.IRONLB_ERR_BGP_LISTENER,
        `listen address "${address}" is not an IP address`,
      );
    }
    this.#options = { address, port: options.port ?? 179, backlog: options.backlog ?? 64 };
    this.#family = ipFamilyOf(address);
  }

  /** Starts listening; rejects with IRONLB_ERR_BGP_LISTENER (e.g. the port is in use). */
  async listen(): Promise<void> {
    if (this.#server !== undefined) return;
    const server = net.createServer({ noDelay: true });
    server.on('connection', (socket) => this.#onConnection(socket));
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        reject(
          new IronlbError(
            BgpSessionErrors.IRONLB_ERR_BGP_LISTENER,
            `cannot listen on ${this.#hostPort()}: ${err.code ?? err.message}`,
            { cause: err },
          ),
        );
      };
      server.once('error', onError);
      server.listen(
        { host: this.#options.address, port: this.#options.port, backlog: this.#options.backlog },
        () => {
          server.off('error', onError);
          resolve();
        },
      );
    });
    // Later errors on an open server are per-connection problems Node already reports there.
    server.on('error', () => undefined);
    this.#server = server;
    try {
      for (const [peer, registration] of this.#peers) this.#secure(peer, registration);
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /** The port listened on (useful with port 0). */
  get port(): number {
    const address = this.#server?.address();
    return typeof address === 'object' && address !== null ? address.port : this.#options.port;
  }

  get address(): string {
    return this.#options.address;
  }

  get listening(): boolean {
    return this.#server !== undefined;
  }

  /**
   * Routes connections from `peerAddress` to `registration.accept`. Returns
   * the function that undoes it (and removes the peer's MD5 key).
   */
  register(peerAddress: string, registration: ListenerRegistration): () => void {
    const peer = canonicalAddress(peerAddress);
    if (this.#peers.has(peer)) {
      throw new IronlbError(
        BgpSessionErrors.IRONLB_ERR_BGP_LISTENER,
        `a session for peer ${peer} is already registered on ${this.#hostPort()}`,
      );
    }
    if (this.#server !== undefined) this.#secure(peer, registration);
    this.#peers.set(peer, registration);
    return () => {
      if (this.#peers.get(peer) !== registration) return;
      this.#peers.delete(peer);
      if (registration.password !== undefined && this.#server !== undefined) {
        try {
          setTcpMd5Key(descriptorOf(this.#server), this.#family, peer, undefined);
        } catch {
          // The listener may be closing; the key goes with its socket.
        }
      }
    };
  }

  /**
   * Stops listening. Connections already handed to sessions stay theirs
   * (Node's close callback would wait for them, so it is not awaited).
   */
  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined) return;
    server.close();
    // The descriptor is released on the next turn of the loop.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  #secure(peer: string, registration: ListenerRegistration): void {
    const server = this.#server;
    if (server === undefined) return;
    if (registration.password !== undefined) {
      setTcpMd5Key(descriptorOf(server), this.#family, peer, registration.password);
    }
    // The SYN-ACK leaves with the listener's TTL: a GTSM peer checks it too.
    const family = ipFamilyOf(peer);
    if (registration.minTtl !== undefined && !this.#gtsmTtlSet.has(family)) {
      setTtl(descriptorOf(server), family, GTSM_TTL);
      this.#gtsmTtlSet.add(family);
    }
  }

  #onConnection(socket: net.Socket): void {
    const remote = plainAddress(socket.remoteAddress);
    const peer = parseAddressOrUndefined(remote)?.text ?? remote;
    const registration = this.#peers.get(peer);
    if (registration === undefined) {
      socket.destroy();
      this.emit('refused', { remoteAddress: peer, reason: 'no session is configured for it' });
      return;
    }
    socket.on('error', () => undefined);
    try {
      secureAcceptedSocket(socket, peer, registration);
    } catch (err) {
      socket.destroy();
      this.emit('refused', {
        remoteAddress: peer,
        reason: err instanceof Error ? err.message : String(err),
      });
      return;
    }
    registration.accept(socket);
  }

  #hostPort(): string {
    const { address, port } = this.#options;
    return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
  }
}

function canonicalAddress(address: string): string {
  const parsed = parseAddressOrUndefined(plainAddress(address));
  if (parsed === undefined) {
    throw new IronlbError(
      BgpSessionErrors.IRONLB_ERR_BGP_LISTENER,
      `peer address "${address}" is not an IP address`,
    );
  }
  return parsed.text;
}
