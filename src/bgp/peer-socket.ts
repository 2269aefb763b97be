import net from 'node:net';
import { IronlbError } from '../common/errors.ts';
import { BgpSessionErrors } from './session-errors.ts';
import {
  closeDescriptor,
  createOutgoingSocket,
  ipFamilyOf,
  setMinTtl,
  setTtl,
} from './socket-options.ts';

/**
 * TCP for one BGP peer: outgoing connections with the options set before the
 * SYN, and the same options on connections a listener accepted. Nagle is off
 * everywhere: a withdrawal that waits 40 ms for a delayed ACK is traffic lost.
 */

/** RFC 5082 §3: send with TTL 255; accept 255 − (trusted hops − 1). */
export const GTSM_TTL = 255;

export interface TransportSecurity {
  /** RFC 2385 TCP-MD5 key. */
  readonly password?: string;
  /** The TTL / hop limit we send with (GTSM: 255; eBGP multihop: the hop count). */
  readonly ttl?: number;
  /** GTSM: segments arriving with a lower TTL / hop limit are dropped by the kernel. */
  readonly minTtl?: number;
}

export interface OutgoingTransport extends TransportSecurity {
  readonly peerAddress: string;
  readonly peerPort: number;
  readonly localAddress?: string;
  readonly localPort?: number;
}

/** Whether a connection needs socket options only libc can set (see socket-options.ts). */
export function needsSocketOptions(security: TransportSecurity): boolean {
  return (
    security.password !== undefined || security.ttl !== undefined || security.minTtl !== undefined
  );
}

/**
 * Starts connecting to the peer; listen for 'connect' and 'error' on the
 * returned socket. Throws (synchronously) only when a socket option cannot
 * be set.
 */
export function connectToPeer(transport: OutgoingTransport): net.Socket {
  const target = { host: transport.peerAddress, port: transport.peerPort };
  if (!needsSocketOptions(transport)) {
    return net.connect({
      ...target,
      ...(transport.localAddress !== undefined && { localAddress: transport.localAddress }),
      ...(transport.localPort !== undefined && { localPort: transport.localPort }),
      noDelay: true,
    });
  }
  const fd = createOutgoingSocket({
    peerAddress: transport.peerAddress,
    ...(transport.localAddress !== undefined && { localAddress: transport.localAddress }),
    ...(transport.localPort !== undefined && { localPort: transport.localPort }),
    ...(transport.password !== undefined && { md5Key: transport.password }),
    ...(transport.ttl !== undefined && { ttl: transport.ttl }),
    ...(transport.minTtl !== undefined && { minTtl: transport.minTtl }),
  });
  let socket: net.Socket;
  try {
    // manualStart: do not read before connect(); an unconnected socket reads as closed.
    socket = new net.Socket({ fd, manualStart: true } as net.SocketConstructorOpts);
  } catch (err) {
    closeDescriptor(fd);
    throw err;
  }
  // connect() reuses the adopted handle, so the options and the bound source stay.
  socket.connect(target);
  socket.setNoDelay(true);
  return socket;
}

/** The descriptor under a Node socket or server (Unix), for setsockopt. */
export function descriptorOf(handleOwner: net.Socket | net.Server): number {
  const handle = (handleOwner as unknown as { _handle?: { fd?: unknown } | null })._handle;
  const fd = handle?.fd;
  if (typeof fd !== 'number' || fd < 0) {
    throw new IronlbError(
      BgpSessionErrors.IRONLB_ERR_BGP_SOCKET_OPTION,
      'the socket has no file descriptor to set options on',
    );
  }
  return fd;
}

/** Applies TTL options to a connection a listener accepted (the MD5 key is on the listener). */
export function secureAcceptedSocket(
  socket: net.Socket,
  peerAddress: string,
  security: TransportSecurity,
): void {
  socket.setNoDelay(true);
  if (security.ttl === undefined && security.minTtl === undefined) return;
  const fd = descriptorOf(socket);
  const family = ipFamilyOf(peerAddress);
  if (security.ttl !== undefined) setTtl(fd, family, security.ttl);
  if (security.minTtl !== undefined) setMinTtl(fd, family, security.minTtl);
}

/** "192.0.2.1" for "::ffff:192.0.2.1": accepted IPv4 peers on a dual-stack socket. */
export function plainAddress(address: string | undefined): string {
  if (address === undefined) return '';
  const lower = address.toLowerCase();
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice(7) : lower;
}
