import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdjRibOut } from './adj-rib-out.ts';
import { pathAttributesFor } from './outbound-attributes.ts';
import type { Route } from './route.ts';
import { UpdateSender, type UpdateSenderOptions } from './update-sender.ts';
import { MessageReader } from './wire/message-reader.ts';
import { decodeMessage } from './wire/message.ts';
import type { UpdateMessage } from './wire/messages/update.ts';
import { routeChangesOf } from './wire/route-changes.ts';

const CTX = { fourOctetAs: true, external: true } as const;
const POLICY = {
  internal: false,
  localAs: 64698,
  nextHops: { ipv4: '192.0.2.254', ipv6: '2001:db8::fe' },
};

function hostRoutes(count: number, attributes: Route['attributes'] = {}, block = 0): Route[] {
  return Array.from({ length: count }, (_, i) => ({
    prefix: `10.${block + (i >> 16)}.${(i >> 8) & 0xff}.${i & 0xff}/32`,
    attributes,
  }));
}

/** A fake socket: records writes, says "wait" when told to, and the peer's view of the routes. */
class FakeWire {
  readonly writes: Buffer[] = [];
  readonly peer = new Map<string, string>();
  pushBack = false;
  synced = 0;
  messages = 0;
  readonly #reader = new MessageReader();

  write = (bytes: Buffer, done: () => void): boolean => {
    // Copy: the sender reuses its buffers once `done` ran.
    const copy = Buffer.from(bytes);
    this.writes.push(copy);
    this.#reader.push(copy);
    for (const frame of this.#reader.drain()) {
      const update = decodeMessage(frame, CTX) as UpdateMessage;
      for (const change of routeChangesOf(update).changes) {
        for (const prefix of change.withdrawn) this.peer.delete(prefix);
        for (const prefix of change.announced) {
          this.peer.set(prefix, JSON.stringify(update.attributes.communities ?? []));
        }
      }
    }
    queueMicrotask(done);
    return !this.pushBack;
  };
}

function sender(
  rib: AdjRibOut,
  wire: FakeWire,
  extra: Partial<UpdateSenderOptions> = {},
): UpdateSender {
  return new UpdateSender({
    rib,
    families: ['ipv4-unicast', 'ipv6-unicast'],
    ctx: CTX,
    attributesFor: (attributes, family) => pathAttributesFor(attributes, family, POLICY),
    write: wire.write,
    onWritten: (messages) => {
      wire.messages += messages;
    },
    onSynced: () => {
      wire.synced++;
    },
    onError: (err) => {
      throw err;
    },
    ...extra,
  });
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('UpdateSender', () => {
  it('packs 100,000 routes into full UPDATEs in few large writes, and marks them sent', async () => {
    const rib = new AdjRibOut();
    const wire = new FakeWire();
    const send = sender(rib, wire);
    rib.setDesired(hostRoutes(100_000, { communities: ['64698:1'] }));
    send.kick();
    await settle();
    assert.equal(wire.peer.size, 100_000);
    assert.deepEqual(rib.counts(), { desired: 100_000, announced: 100_000, pending: 0 });
    // About 800 /32s per 4096-octet UPDATE, batches of 256 KiB.
    assert.ok(wire.messages <= 130, `${wire.messages} UPDATEs`);
    assert.ok(wire.writes.length <= 4, `${wire.writes.length} writes`);
    assert.equal(wire.synced, 1);
  });

  it('waits for drained() when the socket pushes back, then finishes', async () => {
    const rib = new AdjRibOut();
    const wire = new FakeWire();
    wire.pushBack = true;
    const send = sender(rib, wire);
    rib.setDesired(hostRoutes(60_000));
    send.kick();
    await settle();
    // One batch went out; the rest waits.
    assert.equal(wire.writes.length, 1);
    assert.ok(send.busy);
    assert.ok(rib.counts().pending > 0);
    assert.equal(wire.synced, 0);
    // Meanwhile the desired set changes: what is still to send follows it.
    rib.setDesired([
      ...hostRoutes(60_000).slice(0, 30_000),
      ...hostRoutes(10, { communities: ['1:1'] }, 9),
    ]);
    wire.pushBack = false;
    send.drained();
    await settle();
    await settle();
    assert.equal(rib.counts().pending, 0);
    assert.equal(wire.peer.size, 30_010);
    assert.equal(wire.peer.get('10.9.0.3/32'), JSON.stringify([65537]));
    assert.equal(wire.synced, 1);
  });

  it('coalesces kicks, sends withdrawals, and refresh() re-sends a family within its bracket', async () => {
    const rib = new AdjRibOut();
    const wire = new FakeWire();
    const send = sender(rib, wire);
    rib.setDesired([...hostRoutes(3), { prefix: '2001:db8::1/128', attributes: {} }]);
    send.kick();
    send.kick();
    await settle();
    assert.equal(wire.writes.length, 1);
    rib.setDesired(hostRoutes(1));
    send.kick();
    await settle();
    assert.deepEqual([...wire.peer.keys()], ['10.0.0.0/32']);
    const order: string[] = [];
    const before = wire.writes.length;
    send.refresh('ipv4-unicast', {
      begin: () => order.push('begin'),
      end: () => order.push('end'),
    });
    order.push(`${wire.writes.length - before} write`);
    assert.deepEqual(order, ['begin', 'end', '1 write']);
    send.stop();
    rib.setDesired([]);
    send.kick();
    await settle();
    assert.equal(wire.writes.length, before + 1, 'a stopped sender writes nothing');
  });

  it('an attribute set too large for the batch still goes out, right after the batch', async () => {
    const rib = new AdjRibOut();
    const wire = new FakeWire();
    const send = sender(rib, wire);
    // 900 communities: 3.6 kB of attributes, under 100 prefixes per UPDATE: 6000 need more than a batch.
    const many = Array.from({ length: 900 }, (_, i) => `64698:${i}`);
    rib.setDesired([...hostRoutes(6000, { communities: many }), ...hostRoutes(5, {}, 9)]);
    send.kick();
    await settle();
    assert.equal(wire.peer.size, 6005);
    assert.equal(rib.counts().pending, 0);
  });

  it('reports a pack the codec refuses and keeps the routes pending', async () => {
    const rib = new AdjRibOut();
    const wire = new FakeWire();
    const errors: string[] = [];
    const send = sender(rib, wire, {
      attributesFor: () => ({ origin: 'igp', asPath: [] }),
      onError: (err) => errors.push(String(err)),
    });
    rib.setDesired(hostRoutes(2));
    send.kick();
    await settle();
    assert.match(errors[0] ?? '', /NEXT_HOP/);
    assert.equal(rib.counts().pending, 2);
    assert.equal(wire.writes.length, 0);
  });
});
