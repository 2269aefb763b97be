import { createRequire } from 'node:module';
import { endianness } from 'node:os';
import { IronlbError } from '../common/errors.ts';
import { BgpSessionErrors } from './session-errors.ts';
import { ipv4Bytes, ipv6Bytes } from './wire/ip-address.ts';

/**
 * Socket options Node has no API for: TCP-MD5 signatures (RFC 2385), the
 * TTL we send and the minimum TTL we accept (GTSM, RFC 5082; eBGP multihop).
 * They are set with libc's setsockopt(2) through koffi (FFI). Linux only.
 *
 * An outgoing connection needs its options before the SYN, so its socket is
 * made here: socket(2), the options, bind(2) to the source address; Node
 * then adopts the descriptor (`new net.Socket({ fd })`) and connects it.
 * A listening socket gets per-peer MD5 keys on its descriptor.
 */

// Linux <sys/socket.h>, <netinet/in.h>, <netinet/tcp.h>, <linux/in6.h>.
const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_STREAM = 1;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;
const IPPROTO_IP = 0;
const IPPROTO_TCP = 6;
const IPPROTO_IPV6 = 41;
const IP_TTL = 2;
const IP_MINTTL = 21;
const IPV6_UNICAST_HOPS = 16;
const IPV6_MINHOPCOUNT = 73;
const TCP_MD5SIG = 14;
/** struct tcp_md5sig: sockaddr_storage (128), flags, prefixlen, keylen (u16), pad (u32), key[80]. */
const TCP_MD5SIG_SIZE = 216;
const TCP_MD5SIG_KEYLEN_OFFSET = 130;
const TCP_MD5SIG_KEY_OFFSET = 136;
/** RFC 2385 keys on Linux: TCP_MD5SIG_MAXKEYLEN. */
export const TCP_MD5_MAX_KEY_LENGTH = 80;

export type IpFamily = 4 | 6;

interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  setsockopt(fd: number, level: number, name: number, value: Buffer, length: number): number;
  getsockopt(fd: number, level: number, name: number, value: Buffer, length: Buffer): number;
  bind(fd: number, address: Buffer, length: number): number;
  close(fd: number): number;
  strerror(errnum: number): string;
  errno(): number;
}

let libc: Libc | undefined;

/** Loads koffi and libc on first use: sessions without these options never touch FFI. */
function loadLibc(): Libc {
  if (libc !== undefined) return libc;
  if (process.platform !== 'linux') {
    throw new IronlbError(
      BgpSessionErrors.IRONLB_ERR_BGP_SOCKET_OPTION,
      `TCP-MD5, GTSM and TTL options are implemented for Linux only (this is ${process.platform})`,
    );
  }
  interface KoffiFunction {
    (...args: unknown[]): unknown;
  }
  interface Koffi {
    load(path: string): { func(signature: string): KoffiFunction };
    errno(): number;
  }
  const koffi = createRequire(import.meta.url)('koffi') as Koffi;
  const lib = koffi.load('libc.so.6');
  const socket = lib.func('int socket(int, int, int)');
  const setsockopt = lib.func('int setsockopt(int, int, int, const void *, uint32_t)');
  const getsockopt = lib.func('int getsockopt(int, int, int, void *, void *)');
  const bind = lib.func('int bind(int, const void *, uint32_t)');
  const close = lib.func('int close(int)');
  const strerror = lib.func('const char *strerror(int)');
  libc = {
    socket: (domain, type, protocol) => socket(domain, type, protocol) as number,
    setsockopt: (fd, level, name, value, length) =>
      setsockopt(fd, level, name, value, length) as number,
    getsockopt: (fd, level, name, value, length) =>
      getsockopt(fd, level, name, value, length) as number,
    bind: (fd, address, length) => bind(fd, address, length) as number,
    close: (fd) => close(fd) as number,
    strerror: (errnum) => strerror(errnum) as string,
    errno: () => koffi.errno(),
  };
  return libc;
}

function fail(what: string, lib: Libc): never {
  const errno = lib.errno();
  throw new IronlbError(
    BgpSessionErrors.IRONLB_ERR_BGP_SOCKET_OPTION,
    `${what} failed: ${lib.strerror(errno)} (errno ${errno})`,
  );
}

const littleEndian = endianness() === 'LE';

/** A struct sockaddr_in or sockaddr_in6 (family in host order, port and address in network order). */
export function socketAddress(address: string, port: number): Buffer {
  const v4 = ipv4Bytes(address);
  if (v4 !== undefined) {
    const sa = Buffer.alloc(16);
    if (littleEndian) sa.writeUInt16LE(AF_INET, 0);
    else sa.writeUInt16BE(AF_INET, 0);
    sa.writeUInt16BE(port, 2);
    v4.copy(sa, 4);
    return sa;
  }
  const v6 = ipv6Bytes(address);
  if (v6 === undefined) {
    throw new IronlbError(
      BgpSessionErrors.IRONLB_ERR_BGP_SOCKET_OPTION,
      `"${address}" is not an IP address`,
    );
  }
  const sa = Buffer.alloc(28);
  if (littleEndian) sa.writeUInt16LE(AF_INET6, 0);
  else sa.writeUInt16BE(AF_INET6, 0);
  sa.writeUInt16BE(port, 2);
  v6.copy(sa, 8);
  return sa;
}

/** 4 or 6; an IPv4-mapped IPv6 address counts as IPv6 (it lives on an IPv6 socket). */
export function ipFamilyOf(address: string): IpFamily {
  return ipv4Bytes(address) !== undefined ? 4 : 6;
}

/** "::ffff:192.0.2.1" for "192.0.2.1": how an IPv4 peer looks to a dual-stack IPv6 socket. */
export function ipv4Mapped(address: string): string {
  return ipv4Bytes(address) === undefined ? address : `::ffff:${address}`;
}

function setInt(fd: number, level: number, name: number, value: number, what: string): void {
  const lib = loadLibc();
  const buf = Buffer.alloc(4);
  if (littleEndian) buf.writeInt32LE(value, 0);
  else buf.writeInt32BE(value, 0);
  if (lib.setsockopt(fd, level, name, buf, 4) !== 0) fail(what, lib);
}

/**
 * Sets (or with `key` undefined, removes) the RFC 2385 key for segments
 * to and from `peer` on a socket of `socketFamily`. An IPv4 peer of an
 * IPv6 socket is keyed by its IPv4-mapped address.
 */
export function setTcpMd5Key(
  fd: number,
  socketFamily: IpFamily,
  peer: string,
  key: string | undefined,
): void {
  const lib = loadLibc();
  const keyBytes = Buffer.from(key ?? '', 'utf8');
  if (keyBytes.length > TCP_MD5_MAX_KEY_LENGTH) {
    throw new IronlbError(
      BgpSessionErrors.IRONLB_ERR_BGP_SOCKET_OPTION,
      `the TCP-MD5 password is ${keyBytes.length} octets; at most ${TCP_MD5_MAX_KEY_LENGTH} are allowed`,
    );
  }
  const struct = Buffer.alloc(TCP_MD5SIG_SIZE);
  socketAddress(socketFamily === 6 ? ipv4Mapped(peer) : peer, 0).copy(struct, 0);
  if (littleEndian) struct.writeUInt16LE(keyBytes.length, TCP_MD5SIG_KEYLEN_OFFSET);
  else struct.writeUInt16BE(keyBytes.length, TCP_MD5SIG_KEYLEN_OFFSET);
  keyBytes.copy(struct, TCP_MD5SIG_KEY_OFFSET);
  if (lib.setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, struct, TCP_MD5SIG_SIZE) !== 0) {
    fail(`setting the TCP-MD5 key for ${peer}`, lib);
  }
}

function getInt(fd: number, level: number, name: number, what: string): number {
  const lib = loadLibc();
  const value = Buffer.alloc(4);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(4, 0);
  if (!littleEndian) length.writeUInt32BE(4, 0);
  if (lib.getsockopt(fd, level, name, value, length) !== 0) fail(what, lib);
  return littleEndian ? value.readInt32LE(0) : value.readInt32BE(0);
}

/** The TTL / hop limit and minimum TTL set on a socket (diagnostics and tests). */
export function readTtlOptions(fd: number, family: IpFamily): { ttl: number; minTtl: number } {
  return family === 4
    ? {
        ttl: getInt(fd, IPPROTO_IP, IP_TTL, 'reading IP_TTL'),
        minTtl: getInt(fd, IPPROTO_IP, IP_MINTTL, 'reading IP_MINTTL'),
      }
    : {
        ttl: getInt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 'reading IPV6_UNICAST_HOPS'),
        minTtl: getInt(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, 'reading IPV6_MINHOPCOUNT'),
      };
}

/** The TTL (IPv4) or hop limit (IPv6) of the packets we send: 255 for GTSM, N for eBGP multihop. */
export function setTtl(fd: number, family: IpFamily, ttl: number): void {
  if (family === 4) setInt(fd, IPPROTO_IP, IP_TTL, ttl, `setting IP_TTL ${ttl}`);
  else setInt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, ttl, `setting IPV6_UNICAST_HOPS ${ttl}`);
}

/** GTSM (RFC 5082 §3): the kernel drops segments that arrive with a lower TTL / hop limit. */
export function setMinTtl(fd: number, family: IpFamily, minTtl: number): void {
  if (family === 4) setInt(fd, IPPROTO_IP, IP_MINTTL, minTtl, `setting IP_MINTTL ${minTtl}`);
  else setInt(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, minTtl, `setting IPV6_MINHOPCOUNT ${minTtl}`);
}

export interface OutgoingSocketOptions {
  readonly peerAddress: string;
  /** Source address to bind to; any address of the peer's family when absent. */
  readonly localAddress?: string;
  readonly localPort?: number;
  readonly md5Key?: string;
  readonly ttl?: number;
  readonly minTtl?: number;
}

/**
 * A TCP socket with its options set and its source bound, not yet connected:
 * hand the descriptor to `new net.Socket({ fd })` and connect that. Closes
 * the descriptor itself when a step fails.
 */
export function createOutgoingSocket(options: OutgoingSocketOptions): number {
  const lib = loadLibc();
  const family = ipFamilyOf(options.peerAddress);
  const fd = lib.socket(family === 4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) fail('socket()', lib);
  try {
    if (options.md5Key !== undefined) {
      setTcpMd5Key(fd, family, options.peerAddress, options.md5Key);
    }
    if (options.ttl !== undefined) setTtl(fd, family, options.ttl);
    if (options.minTtl !== undefined) setMinTtl(fd, family, options.minTtl);
    if (options.localAddress !== undefined || (options.localPort ?? 0) !== 0) {
      const local = options.localAddress ?? (family === 4 ? '0.0.0.0' : '::');
      if (ipFamilyOf(local) !== family) {
        throw new IronlbError(
          BgpSessionErrors.IRONLB_ERR_BGP_SOCKET_OPTION,
          `the source address ${local} is not of the peer's family (${options.peerAddress})`,
        );
      }
      setInt(fd, SOL_SOCKET, SO_REUSEADDR, 1, 'setting SO_REUSEADDR');
      const sa = socketAddress(local, options.localPort ?? 0);
      if (lib.bind(fd, sa, sa.length) !== 0) fail(`bind(${local})`, lib);
    }
    return fd;
  } catch (err) {
    lib.close(fd);
    throw err;
  }
}

/** Closes a descriptor that Node never adopted. */
export function closeDescriptor(fd: number): void {
  loadLibc().close(fd);
}
