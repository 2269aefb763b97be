import { connect, type Socket } from 'node:net';
import { AdjRibOut, type AnnouncementGroup } from '../../../src/bgp/adj-rib-out.ts';
import type { Route } from '../../../src/bgp/route.ts';
import { IronlbError } from '../../../src/common/errors.ts';
import {
  contextFromOpens,
  createOpen,
  decodeMessage,
  encodeMessage,
  KEEPALIVE,
  MessageReader,
  negotiatedHoldTime,
  packAnnouncements,
  packWithdrawals,
} from '../../../src/bgp/wire/index.ts';
import type { OpenMessage, PathAttributes, WireContext } from '../../../src/bgp/wire/index.ts';
import { BenchErrors } from '../../lib/errors.ts';
import type { AdapterModule, BenchPeer, IronlbAdapter, PhaseTimings } from '../ironlb-adapter.ts';

/**
 * The ironlb contender that exists today: a minimal raw-socket BGP speaker
 * built from the wire codec. OPEN and KEEPALIVE are exchanged by hand (no FSM,
 * no collision handling, no reconnect); routes go through AdjRibOut (validation,
 * grouping, delta) and packAnnouncements/packWithdrawals, then one socket write
 * per group. It measures our route model + codec + socket path, not the Session.
 */

const KEEPALIVE_BYTES = encodeMessage(KEEPALIVE);

class RawCodecSpeaker implements IronlbAdapter {
  readonly #rib = new AdjRibOut();
  #socket: Socket | undefined;
  #peer: BenchPeer | undefined;
  #ctx: WireContext | undefined;
  #keepalive: NodeJS.Timeout | undefined;
  #established: Promise<void> | undefined;
  #failure: Error | undefined;

  start(peer: BenchPeer): void {
    this.#peer = peer;
    const socket = connect({
      host: peer.address,
      port: peer.port,
      localAddress: peer.localAddress,
    });
    socket.setNoDelay(true);
    this.#socket = socket;
    const local = createOpen({
      asn: peer.localAsn,
      holdTime: 240,
      bgpIdentifier: peer.routerId,
      capabilities: [
        { kind: 'multiprotocol', afi: 1, safi: 1 },
        { kind: 'multiprotocol', afi: 2, safi: 1 },
        { kind: 'four-octet-as', asn: peer.localAsn },
      ],
    });
    this.#established = new Promise((resolve, reject) => {
      const fail = (err: Error): void => {
        this.#failure ??= err;
        reject(err);
        this.#stopKeepalives();
      };
      let remote: OpenMessage | undefined;
      const reader = new MessageReader();
      socket.on('connect', () => socket.write(encodeMessage(local)));
      socket.on('error', (err) => fail(err));
      socket.on('close', () =>
        fail(new IronlbError(BenchErrors.IRONLB_ERR_BENCH_PEER, 'the peer closed the connection')),
      );
      socket.on('data', (chunk: Buffer) => {
        reader.push(chunk);
        try {
          for (let frame = reader.next(); frame !== undefined; frame = reader.next()) {
            const message = decodeMessage(frame, this.#ctx);
            if (message.type === 'open') {
              remote = message;
              this.#ctx = contextFromOpens(local, remote, { external: peer.asn !== peer.localAsn });
              socket.write(KEEPALIVE_BYTES);
              const hold = negotiatedHoldTime(local, remote);
              if (hold > 0)
                this.#keepalive = setInterval(
                  () => socket.write(KEEPALIVE_BYTES),
                  (hold * 1000) / 3,
                );
            } else if (message.type === 'keepalive' && remote !== undefined) {
              resolve();
            } else if (message.type === 'notification') {
              fail(
                new IronlbError(
                  BenchErrors.IRONLB_ERR_BENCH_PEER,
                  `NOTIFICATION ${message.code}/${message.subcode} from the peer`,
                ),
              );
            }
            // UPDATEs from the peer (End-of-RIB with export none) are ignored.
          }
        } catch (err) {
          fail(err instanceof Error ? err : new Error(String(err)));
        }
      });
    });
    this.#established.catch(() => {
      // Reported through waitEstablished/setRoutes.
    });
  }

  async waitEstablished(timeoutMs: number): Promise<void> {
    if (this.#established === undefined) throw new Error('start() first');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new IronlbError(
              BenchErrors.IRONLB_ERR_BENCH_TIMEOUT,
              `no session within ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.#established, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  #attributes(group: AnnouncementGroup): PathAttributes {
    const peer = this.#peer!;
    const a = group.attributes;
    if (a.extendedCommunities.length > 0) {
      throw new Error('the raw-codec baseline does not send extended communities');
    }
    const external = peer.asn !== peer.localAsn;
    const common: PathAttributes = {
      origin: 'igp',
      asPath: external ? [{ type: 'sequence', asns: [peer.localAsn] }] : [],
      ...(a.med === undefined ? {} : { multiExitDisc: a.med }),
      ...(a.localPref === undefined || external ? {} : { localPref: a.localPref }),
      ...(a.communities.length === 0 ? {} : { communities: a.communities }),
      ...(a.largeCommunities.length === 0 ? {} : { largeCommunities: a.largeCommunities }),
    };
    if (group.family === 'ipv4-unicast') {
      return { ...common, nextHop: a.nextHop ?? peer.localAddress };
    }
    if (a.nextHop === undefined)
      throw new Error('IPv6 routes need a next hop (the session is IPv4)');
    return { ...common, mpReach: { family: 'ipv6-unicast', nextHop: a.nextHop, nlri: [] } };
  }

  async setRoutes(routes: readonly Route[]): Promise<PhaseTimings> {
    const socket = this.#socket;
    const ctx = this.#ctx;
    if (this.#failure !== undefined) throw this.#failure;
    if (socket === undefined || ctx === undefined) throw new Error('not established');
    const t0 = performance.now();
    const delta = this.#rib.set(routes);
    const t1 = performance.now();
    const writes: Buffer[] = [];
    for (const group of delta.withdrawals) {
      writes.push(
        packWithdrawals(
          group.family,
          group.prefixes.map((p) => p.text),
          ctx,
        ).bytes,
      );
    }
    for (const group of delta.announcements) {
      writes.push(
        packAnnouncements(
          this.#attributes(group),
          group.prefixes.map((p) => p.text),
          ctx,
        ).bytes,
      );
    }
    const t2 = performance.now();
    for (const bytes of writes) {
      await new Promise<void>((resolve, reject) =>
        socket.write(bytes, (err) => (err === undefined || err === null ? resolve() : reject(err))),
      );
    }
    const t3 = performance.now();
    this.#rib.markSent(delta);
    return {
      ribSetMs: t1 - t0,
      packMs: t2 - t1,
      writeMs: t3 - t2,
      markSentMs: performance.now() - t3,
    };
  }

  #stopKeepalives(): void {
    clearInterval(this.#keepalive);
    this.#keepalive = undefined;
  }

  async close(): Promise<void> {
    this.#stopKeepalives();
    const socket = this.#socket;
    if (socket === undefined || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        socket.destroy();
        resolve();
      }, 1000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.end();
    });
  }
}

export const rawCodecAdapter: AdapterModule = {
  id: 'ironlb-codec',
  label: 'ironlb-codec (raw socket)',
  unavailable: () => undefined,
  create: () => Promise.resolve(new RawCodecSpeaker()),
};
