import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ipv4Prefix, ipv6Prefix } from '../../../test/support/bgp-arbitraries.ts';
import { IBGP2, IBGP4 } from '../../../test/support/bgp-golden-vectors.ts';
import {
  createWireContext,
  decodeMessage,
  MessageReader,
  packAnnouncements,
  packWithdrawals,
  updateMessage,
} from './index.ts';
import type { PackedUpdates, PathAttributes, UpdateMessage, WireContext } from './index.ts';

const EBGP = createWireContext({ fourOctetAs: true, external: true });

const ATTRIBUTES: PathAttributes = {
  origin: 'igp',
  asPath: [{ type: 'sequence', asns: [4200000001] }],
  nextHop: '192.0.2.1',
  multiExitDisc: 0,
  communities: [0xfde80064],
  largeCommunities: [{ globalAdministrator: 4200000001, localData1: 1, localData2: 2 }],
};

const IPV6_ATTRIBUTES: PathAttributes = {
  origin: 'igp',
  asPath: [{ type: 'sequence', asns: [4200000001] }],
  mpReach: {
    family: 'ipv6-unicast',
    nextHop: '2001:db8::1',
    linkLocalNextHop: 'fe80::1',
    nlri: [],
  },
  communities: [0xfde80064],
};

function hostRoutes(count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) => `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}/32`,
  );
}

function ipv6HostRoutes(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `2001:db8::${(i + 1).toString(16)}/128`);
}

/** Splits packed bytes into messages; checks each is a valid UPDATE that our codec re-encodes identically. */
function unpack(
  packed: PackedUpdates,
  ctx: WireContext,
  max = 4096,
): { frames: Buffer[]; updates: UpdateMessage[] } {
  const reader = new MessageReader();
  reader.push(packed.bytes);
  const frames = reader.drain();
  assert.equal(reader.bufferedLength, 0, 'the buffer holds whole messages only');
  assert.equal(frames.length, packed.messageCount);
  const updates = frames.map((frame) => {
    assert.ok(frame.length <= max, `message of ${frame.length} octets`);
    const update = decodeMessage(frame, ctx);
    assert.equal(update.type, 'update');
    assert.equal(update.errors, undefined, 'no decoding errors');
    assert.equal(
      updateMessage.encode(update, ctx).toString('hex'),
      frame.toString('hex'),
      'identical to the message codec',
    );
    return update;
  });
  return { frames, updates };
}

describe('packAnnouncements', () => {
  it('packs 10,000 IPv4 /32s into full 4096-octet UPDATEs with the attributes encoded once', () => {
    const prefixes = hostRoutes(10_000);
    const packed = packAnnouncements(ATTRIBUTES, prefixes, EBGP);
    const { frames, updates } = unpack(packed, EBGP);
    assert.deepEqual(
      updates.flatMap((u) => u.nlri),
      prefixes,
    );
    for (const update of updates) assert.deepEqual(update.attributes, ATTRIBUTES);
    // Every message but the last is full: another /32 (5 octets) would pass 4096.
    for (const frame of frames.slice(0, -1))
      assert.ok(frame.length + 5 > 4096, `${frame.length} is not full`);
    assert.equal(packed.prefixCount, 10_000);
    assert.equal(
      packed.messageCount,
      Math.ceil(10_000 / Math.floor((4096 - frames[0]!.length + 5 * updates[0]!.nlri.length) / 5)),
    );
  });

  it('packs prefixes of every length, IPv4', () => {
    const prefixes = Array.from({ length: 33 * 40 }, (_, i) => {
      const length = i % 33;
      const value = length === 0 ? 0 : ((i * 2654435761) >>> 0) & (0xffffffff << (32 - length));
      return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}/${length}`;
    });
    const { updates } = unpack(
      packAnnouncements(ATTRIBUTES, prefixes, EBGP, { maxMessageLength: 300 }),
      EBGP,
      300,
    );
    assert.deepEqual(
      updates.flatMap((u) => u.nlri),
      prefixes,
    );
  });

  it('packs IPv6 prefixes into MP_REACH_NLRI, link-local next hop included', () => {
    const prefixes = ipv6HostRoutes(3000);
    const packed = packAnnouncements(IPV6_ATTRIBUTES, prefixes, EBGP);
    const { frames, updates } = unpack(packed, EBGP);
    assert.deepEqual(
      updates.flatMap((u) =>
        u.attributes.mpReach?.family === 'ipv6-unicast' ? u.attributes.mpReach.nlri : [],
      ),
      prefixes,
    );
    for (const frame of frames.slice(0, -1)) assert.ok(frame.length + 17 > 4096);
    for (const update of updates) {
      assert.deepEqual(update.nlri, []);
      assert.equal(
        update.attributes.mpReach?.family === 'ipv6-unicast' &&
          update.attributes.mpReach.linkLocalNextHop,
        'fe80::1',
      );
    }
  });

  it('packs IPv4 into MP_REACH_NLRI when asked to', () => {
    const attributes: PathAttributes = {
      origin: 'egp',
      asPath: [],
      mpReach: { family: 'ipv4-unicast', nextHop: '192.0.2.9', nlri: [] },
    };
    const { updates } = unpack(packAnnouncements(attributes, hostRoutes(1000), IBGP4), IBGP4);
    assert.equal(updates.length, 2);
  });

  it('towards a 2-octet peer adds AS4_PATH once per message (RFC 6793 §4.2.2)', () => {
    const { updates } = unpack(packAnnouncements(ATTRIBUTES, hostRoutes(2000), IBGP2), IBGP2);
    for (const update of updates) {
      assert.deepEqual(update.attributes.asPath, [{ type: 'sequence', asns: [23456] }]);
      assert.deepEqual(update.attributes.as4Path, ATTRIBUTES.asPath);
    }
  });

  it('writes into a buffer the caller passes when it is large enough', () => {
    const into = Buffer.alloc(1 << 20);
    const packed = packAnnouncements(ATTRIBUTES, hostRoutes(5000), EBGP, { into });
    assert.equal(packed.bytes.buffer, into.buffer);
    const small = Buffer.alloc(100);
    assert.notEqual(
      packAnnouncements(ATTRIBUTES, hostRoutes(5000), EBGP, { into: small }).bytes.buffer,
      small.buffer,
    );
  });

  it('packs back to back into one buffer from an offset, byte-identical to separate packs', () => {
    const into = Buffer.alloc(1 << 20);
    const v6: PathAttributes = {
      origin: 'igp',
      asPath: [],
      mpReach: { family: 'ipv6-unicast', nextHop: '2001:db8::1', nlri: [] },
    };
    const first = packAnnouncements(ATTRIBUTES, hostRoutes(1500), EBGP, { into, offset: 0 });
    const second = packWithdrawals('ipv4-unicast', hostRoutes(900), EBGP, {
      into,
      offset: first.bytes.length,
    });
    const third = packAnnouncements(v6, ['2001:db8::/64', '2001:db8:1::/48'], EBGP, {
      into,
      offset: first.bytes.length + second.bytes.length,
    });
    const fourth = packWithdrawals('ipv6-unicast', ['2001:db8::/64'], EBGP, {
      into,
      offset: first.bytes.length + second.bytes.length + third.bytes.length,
    });
    for (const packed of [first, second, third, fourth]) {
      assert.equal(packed.bytes.buffer, into.buffer);
    }
    const total =
      first.bytes.length + second.bytes.length + third.bytes.length + fourth.bytes.length;
    assert.deepEqual(
      into.subarray(0, total),
      Buffer.concat([
        packAnnouncements(ATTRIBUTES, hostRoutes(1500), EBGP).bytes,
        packWithdrawals('ipv4-unicast', hostRoutes(900), EBGP).bytes,
        packAnnouncements(v6, ['2001:db8::/64', '2001:db8:1::/48'], EBGP).bytes,
        packWithdrawals('ipv6-unicast', ['2001:db8::/64'], EBGP).bytes,
      ]),
    );
    // Too little room after the offset: a fresh buffer, the caller's untouched.
    const tight = Buffer.alloc(200);
    const fresh = packAnnouncements(ATTRIBUTES, hostRoutes(30), EBGP, { into: tight, offset: 150 });
    assert.notEqual(fresh.bytes.buffer, tight.buffer);
    assert.deepEqual(tight, Buffer.alloc(200));
    assert.throws(
      () => packWithdrawals('ipv4-unicast', hostRoutes(1), EBGP, { into, offset: -1 }),
      /offset/,
    );
  });

  it('packs only the first `count` prefixes when asked, as if the list ended there', () => {
    const v4 = ['192.0.2.1/32', '192.0.2.2/32', '192.0.2.3/32', '198.51.100.0/24'];
    const v6 = ['2001:db8::1/128', '2001:db8::2/128', '2001:db8:1::/48'];
    for (const count of [0, 1, 3]) {
      assert.deepEqual(
        packAnnouncements(ATTRIBUTES, v4, EBGP, { count }),
        packAnnouncements(ATTRIBUTES, v4.slice(0, count), EBGP),
      );
      assert.deepEqual(
        packAnnouncements(IPV6_ATTRIBUTES, v6, EBGP, { count }),
        packAnnouncements(IPV6_ATTRIBUTES, v6.slice(0, count), EBGP),
      );
      assert.deepEqual(
        packWithdrawals('ipv6-unicast', v6, EBGP, { count }),
        packWithdrawals('ipv6-unicast', v6.slice(0, count), EBGP),
      );
    }
    assert.throws(() => packAnnouncements(ATTRIBUTES, v4, EBGP, { count: 5 }), /count must be 0-4/);
    assert.throws(() => packWithdrawals('ipv4-unicast', v4, EBGP, { count: -1 }), /count/);
  });

  it('an empty list gives no messages', () => {
    assert.deepEqual(packAnnouncements(ATTRIBUTES, [], EBGP), {
      bytes: Buffer.alloc(0),
      messageCount: 0,
      prefixCount: 0,
    });
  });

  it('refuses what cannot be sent, with a reason', () => {
    const refuses = (run: () => unknown, pattern: RegExp) =>
      assert.throws(run, { code: 'IRONLB_ERR_BGP_ENCODE', message: pattern });
    refuses(() => packAnnouncements(ATTRIBUTES, ['10.0.0.1/33'], EBGP), /not an IPv4 prefix/);
    refuses(() => packAnnouncements(ATTRIBUTES, ['10.0.0.1'], EBGP), /not an IPv4 prefix/);
    refuses(() => packAnnouncements(ATTRIBUTES, ['2001:db8::/32'], EBGP), /not an IPv4 prefix/);
    refuses(() => packAnnouncements(ATTRIBUTES, ['10.0.0.1/24'], EBGP), /host bits/);
    refuses(() => packAnnouncements(IPV6_ATTRIBUTES, ['10.0.0.0/8'], EBGP), /not an IPv6 prefix/);
    refuses(() => packAnnouncements(IPV6_ATTRIBUTES, ['2001:db8::1/64'], EBGP), /host bits/);
    refuses(
      () => packAnnouncements({ origin: 'igp', asPath: [] }, ['10.0.0.0/8'], EBGP),
      /NEXT_HOP/,
    );
    refuses(
      () => packAnnouncements({ nextHop: '192.0.2.1' }, ['10.0.0.0/8'], EBGP),
      /ORIGIN, AS_PATH/,
    );
    refuses(
      () =>
        packAnnouncements(
          { ...ATTRIBUTES, mpUnreach: { family: 'ipv6-unicast', withdrawn: [] } },
          ['10.0.0.0/8'],
          EBGP,
        ),
      /MP_UNREACH/,
    );
    refuses(
      () =>
        packAnnouncements(
          {
            ...IPV6_ATTRIBUTES,
            mpReach: { family: 'ipv6-unicast', nextHop: '::1', nlri: ['::/0'] },
          },
          ['::/0'],
          EBGP,
        ),
      /not in attributes.mpReach.nlri/,
    );
    refuses(
      () =>
        packAnnouncements(
          { ...ATTRIBUTES, unknown: [{ flags: 0xc0, typeCode: 99, value: Buffer.alloc(4060) }] },
          ['10.0.0.0/8'],
          EBGP,
        ),
      /no room for NLRI/,
    );
    refuses(
      () => packAnnouncements(ATTRIBUTES, ['10.0.0.0/8'], EBGP, { maxMessageLength: 5000 }),
      /maxMessageLength/,
    );
  });

  it('property: any prefixes and message size give UPDATEs that decode back to the same prefixes', () => {
    fc.assert(
      fc.property(
        fc.array(ipv4Prefix, { maxLength: 300 }),
        fc.array(ipv6Prefix, { maxLength: 300 }),
        fc.integer({ min: 120, max: 4096 }),
        (v4, v6, max) => {
          const a = unpack(
            packAnnouncements(ATTRIBUTES, v4, EBGP, { maxMessageLength: max }),
            EBGP,
            max,
          );
          assert.deepEqual(
            a.updates.flatMap((u) => u.nlri),
            v4,
          );
          const b = unpack(
            packAnnouncements(IPV6_ATTRIBUTES, v6, EBGP, { maxMessageLength: max }),
            EBGP,
            max,
          );
          assert.deepEqual(
            b.updates.flatMap((u) =>
              u.attributes.mpReach?.family === 'ipv6-unicast' ? u.attributes.mpReach.nlri : [],
            ),
            v6,
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('packWithdrawals', () => {
  it('packs IPv4 withdrawals into the Withdrawn Routes field, filling messages', () => {
    const prefixes = hostRoutes(5000);
    const { frames, updates } = unpack(packWithdrawals('ipv4-unicast', prefixes, EBGP), EBGP);
    assert.deepEqual(
      updates.flatMap((u) => u.withdrawn),
      prefixes,
    );
    for (const update of updates) assert.deepEqual(update.attributes, {});
    for (const frame of frames.slice(0, -1)) assert.ok(frame.length + 5 > 4096);
  });

  it('packs IPv6 withdrawals into MP_UNREACH_NLRI', () => {
    const prefixes = ipv6HostRoutes(2000);
    const { updates } = unpack(packWithdrawals('ipv6-unicast', prefixes, EBGP), EBGP);
    assert.deepEqual(
      updates.flatMap((u) =>
        u.attributes.mpUnreach?.family === 'ipv6-unicast' ? u.attributes.mpUnreach.withdrawn : [],
      ),
      prefixes,
    );
  });

  it('property: any prefixes and message size round-trip', () => {
    fc.assert(
      fc.property(
        fc.array(ipv4Prefix, { maxLength: 300 }),
        fc.array(ipv6Prefix, { maxLength: 300 }),
        fc.integer({ min: 64, max: 4096 }),
        (v4, v6, max) => {
          const a = unpack(
            packWithdrawals('ipv4-unicast', v4, EBGP, { maxMessageLength: max }),
            EBGP,
            max,
          );
          assert.deepEqual(
            a.updates.flatMap((u) => u.withdrawn),
            v4,
          );
          const b = unpack(
            packWithdrawals('ipv6-unicast', v6, EBGP, { maxMessageLength: max }),
            EBGP,
            max,
          );
          assert.deepEqual(
            b.updates.flatMap((u) =>
              u.attributes.mpUnreach?.family === 'ipv6-unicast'
                ? u.attributes.mpUnreach.withdrawn
                : [],
            ),
            v6,
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('an empty list gives no messages; a wrong family is refused', () => {
    assert.equal(packWithdrawals('ipv6-unicast', [], EBGP).messageCount, 0);
    assert.throws(() => packWithdrawals('ipv6-unicast', ['10.0.0.0/8'], EBGP), {
      code: 'IRONLB_ERR_BGP_ENCODE',
    });
  });
});
