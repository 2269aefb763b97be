import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { describe, it } from 'node:test';
import { isIronlbError } from '../common/errors.ts';
import { BgpListener } from './bgp-listener.ts';
import { connectToPeer, descriptorOf, GTSM_TTL, needsSocketOptions } from './peer-socket.ts';
import { BgpSessionErrors } from './session-errors.ts';
import {
  createOutgoingSocket,
  closeDescriptor,
  ipFamilyOf,
  ipv4Mapped,
  readTtlOptions,
  setMinTtl,
  setTcpMd5Key,
  setTtl,
  socketAddress,
} from './socket-options.ts';

// Loopback addresses of this file: 127.0.31.x.
const linux = process.platform === 'linux' ? undefined : 'Linux only';

/** Connects or gives up after `ms`: MD5 mismatches are silent drops, not refusals. */
async function connects(socket: net.Socket, ms: number): Promise<boolean> {
  const timer = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms));
  const connected = once(socket, 'connect').then(
    () => true,
    () => false,
  );
  const result = await Promise.race([connected, timer]);
  socket.destroy();
  return result;
}

describe('socket options (libc through koffi)', { skip: linux }, () => {
  it('builds sockaddr_in and sockaddr_in6 (family host order, port and address network order)', () => {
    const v4 = socketAddress('192.0.2.1', 179);
    assert.equal(v4.length, 16);
    assert.equal(v4.readUInt16BE(2), 179);
    assert.deepEqual([...v4.subarray(4, 8)], [192, 0, 2, 1]);
    const v6 = socketAddress('2001:db8::1', 1179);
    assert.equal(v6.length, 28);
    assert.equal(v6.readUInt16BE(2), 1179);
    assert.equal(v6.subarray(8, 24).toString('hex'), '20010db8000000000000000000000001');
    assert.equal(ipFamilyOf('192.0.2.1'), 4);
    assert.equal(ipFamilyOf('::ffff:192.0.2.1'), 6);
    assert.equal(ipv4Mapped('192.0.2.1'), '::ffff:192.0.2.1');
    assert.equal(ipv4Mapped('2001:db8::1'), '2001:db8::1');
    assert.throws(
      () => socketAddress('nowhere', 1),
      (err: unknown) => isIronlbError(err, BgpSessionErrors.IRONLB_ERR_BGP_SOCKET_OPTION),
    );
  });

  it('sets TTL and minimum TTL before connect, and binds the source address', async () => {
    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.31.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const socket = connectToPeer({
      peerAddress: '127.0.31.1',
      peerPort: port,
      localAddress: '127.0.31.2',
      ttl: GTSM_TTL,
    });
    // (No minimum TTL here: the server answers with TTL 64, which it would drop.)
    assert.deepEqual(readTtlOptions(descriptorOf(socket), 4), { ttl: 255, minTtl: 0 });
    await once(socket, 'connect');
    assert.equal(socket.localAddress, '127.0.31.2');
    socket.destroy();
    server.close();
    assert.equal(needsSocketOptions({}), false);
    assert.equal(needsSocketOptions({ ttl: 2 }), true);

    const v4 = createOutgoingSocket({ peerAddress: '127.0.31.1', minTtl: 254 });
    assert.deepEqual(readTtlOptions(v4, 4).minTtl, 254);
    closeDescriptor(v4);
    // IPv6 options on an IPv6 socket.
    const fd = createOutgoingSocket({ peerAddress: '::1', ttl: 7, minTtl: 200 });
    assert.deepEqual(readTtlOptions(fd, 6), { ttl: 7, minTtl: 200 });
    setTtl(fd, 6, 9);
    setMinTtl(fd, 6, 1);
    assert.deepEqual(readTtlOptions(fd, 6), { ttl: 9, minTtl: 1 });
    closeDescriptor(fd);
  });

  it('TCP-MD5: a listener keyed per peer accepts the right key and never sees a wrong one', async () => {
    const listener = new BgpListener({ address: '127.0.31.3', port: 0 });
    const accepted: string[] = [];
    listener.register('127.0.31.4', {
      password: 'right',
      accept: (socket) => {
        accepted.push(socket.remoteAddress ?? '');
        socket.destroy();
      },
    });
    await listener.listen();
    const attempt = (key: string): net.Socket =>
      connectToPeer({
        peerAddress: '127.0.31.3',
        peerPort: listener.port,
        localAddress: '127.0.31.4',
        password: key,
      });
    assert.equal(await connects(attempt('right'), 2000), true);
    assert.equal(await connects(attempt('wrong'), 500), false);
    // Unsigned SYNs are dropped too.
    const plain = net.connect({
      host: '127.0.31.3',
      port: listener.port,
      localAddress: '127.0.31.4',
    });
    plain.on('error', () => undefined);
    assert.equal(await connects(plain, 500), false);
    await listener.close();
    assert.deepEqual(accepted, ['127.0.31.4']);
  });

  it('refuses keys longer than 80 octets and options on a closed descriptor', () => {
    const fd = createOutgoingSocket({ peerAddress: '127.0.31.5' });
    assert.throws(() => setTcpMd5Key(fd, 4, '127.0.31.5', 'k'.repeat(81)), /at most 80/);
    closeDescriptor(fd);
    assert.throws(() => setTtl(fd, 4, 3), /setting IP_TTL 3 failed: Bad file descriptor/);
    assert.throws(
      () => createOutgoingSocket({ peerAddress: '127.0.31.5', localAddress: '::1' }),
      /not of the peer's family/,
    );
  });
});

describe('BgpListener', () => {
  it('refuses a second registration for a peer and a port in use', async () => {
    const listener = new BgpListener({ address: '127.0.31.6', port: 0 });
    const unregister = listener.register('127.0.31.7', { accept: (s) => s.destroy() });
    assert.throws(
      () => listener.register('127.0.31.7', { accept: (s) => s.destroy() }),
      (err: unknown) => isIronlbError(err, BgpSessionErrors.IRONLB_ERR_BGP_LISTENER),
    );
    unregister();
    listener.register('127.0.31.7', { accept: (s) => s.destroy() });
    await listener.listen();
    const second = new BgpListener({ address: '127.0.31.6', port: listener.port });
    await assert.rejects(
      second.listen(),
      (err: unknown) =>
        isIronlbError(err, BgpSessionErrors.IRONLB_ERR_BGP_LISTENER) &&
        /EADDRINUSE/.test(err.message),
    );
    await listener.close();
    assert.throws(() => new BgpListener({ address: 'x' }), /not an IP address/);
    assert.throws(
      () => listener.register('x', { accept: (s) => s.destroy() }),
      /not an IP address/,
    );
  });
});
