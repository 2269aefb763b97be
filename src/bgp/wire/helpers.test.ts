import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytes, IBGP4, readVector } from '../../../test/support/bgp-golden-vectors.ts';
import {
  AS_TRANS,
  attributeTypeName,
  capabilityName,
  community,
  contextFromOpens,
  createCeaseNotification,
  createEndOfRib,
  createNotification,
  createOpen,
  createWireContext,
  decodeMessage,
  endOfRibFamily,
  familiesOf,
  formatCommunity,
  formatLargeCommunity,
  formatPrefix,
  forwardableAttributes,
  ipv4Bytes,
  ipv6Bytes,
  isBgpWireError,
  isEndOfRib,
  negotiatedHoldTime,
  normalizePrefix,
  notificationForError,
  notificationMessage,
  notificationNames,
  openMessage,
  parseCommunity,
  parseLargeCommunity,
  parsePrefix,
  pathAsCount,
  peerAsnOf,
  prefixVersion,
  reconstructAs4,
  routeChangesOf,
  SHUTDOWN_COMMUNICATION_MAX_OCTETS,
  shutdownCommunicationOf,
  updateMessage,
  WellKnownCommunity,
} from './index.ts';
import type { OpenMessage, UpdateMessage } from './index.ts';

describe('addresses and prefixes', () => {
  it('parses the IPv4 and IPv6 text forms and refuses the rest', () => {
    assert.deepEqual(ipv4Bytes('192.0.2.255'), bytes('c00002ff'));
    for (const bad of [
      '192.0.2',
      '192.0.2.1.1',
      '256.0.0.1',
      '01.2.3.4',
      '1..2.3',
      '1.2.3.',
      'a.b.c.d',
      '',
    ]) {
      assert.equal(ipv4Bytes(bad), undefined, bad);
    }
    assert.deepEqual(ipv6Bytes('::'), Buffer.alloc(16));
    assert.deepEqual(ipv6Bytes('::1'), bytes('00000000000000000000000000000001'));
    assert.deepEqual(ipv6Bytes('2001:DB8::'), bytes('20010db8000000000000000000000000'));
    assert.deepEqual(ipv6Bytes('::ffff:192.0.2.1'), bytes('00000000000000000000ffffc0000201'));
    assert.deepEqual(ipv6Bytes('1:2:3:4:5:6:7:8'), bytes('00010002000300040005000600070008'));
    for (const bad of [
      ':',
      ':1',
      '1:',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      '12345::',
      'g::',
      '1:2:3:4:5:6:7::8',
      '::1.2.3',
      'fe80::1%eth0',
      '1:2:3:4:5:6:7:1.2.3.4',
    ]) {
      assert.equal(ipv6Bytes(bad), undefined, bad);
    }
  });

  it('parses, formats and normalizes prefixes', () => {
    assert.deepEqual(parsePrefix('10.0.0.0/8'), {
      version: 4,
      length: 8,
      address: bytes('0a000000'),
    });
    assert.equal(normalizePrefix('2001:DB8:0:0::/32'), '2001:db8::/32');
    assert.equal(formatPrefix(4, bytes('c00002ff'), 24), '192.0.2.0/24', 'host bits are masked');
    assert.equal(prefixVersion('::/0'), 6);
    for (const bad of [
      '10.0.0.0',
      '10.0.0.0/',
      '10.0.0.0/8x',
      '10.0.0.0/033',
      '10.0.0.0/1234',
      '::/129',
    ]) {
      assert.throws(() => parsePrefix(bad), { code: 'IRONLB_ERR_BGP_ENCODE' }, bad);
    }
  });
});

describe('communities', () => {
  it('converts between "AS:value" text and 32-bit values', () => {
    assert.equal(community(65000, 100), 0xfde80064);
    assert.equal(formatCommunity(WellKnownCommunity.NO_EXPORT), '65535:65281');
    assert.equal(parseCommunity(' 65535:65281 '), WellKnownCommunity.NO_EXPORT);
    assert.throws(() => parseCommunity('65536:1'), { code: 'IRONLB_ERR_BGP_ENCODE' });
    assert.throws(() => parseCommunity('large:1:2:3'), { code: 'IRONLB_ERR_BGP_ENCODE' });
    const large = parseLargeCommunity('4200000000:1:2');
    assert.equal(formatLargeCommunity(large), '4200000000:1:2');
    assert.throws(() => parseLargeCommunity('4294967296:1:2'), { code: 'IRONLB_ERR_BGP_ENCODE' });
    assert.throws(() => parseLargeCommunity('1:2'), { code: 'IRONLB_ERR_BGP_ENCODE' });
  });
});

describe('NOTIFICATION helpers', () => {
  it('shutdown communication: length octet + UTF-8 for Cease 2 and 4 (RFC 9003 §2)', () => {
    const message = createCeaseNotification(4, 'Wartung – zurück um 14:00 ✓');
    const decoded = notificationMessage.decode(notificationMessage.encode(message));
    assert.equal(shutdownCommunicationOf(decoded), 'Wartung – zurück um 14:00 ✓');
    assert.equal(decoded.data[0], decoded.data.length - 1);
    assert.deepEqual(
      createCeaseNotification(3, 'ignored for other subcodes').data,
      Buffer.alloc(0),
    );
    assert.equal(shutdownCommunicationOf(createCeaseNotification(2)), undefined);
  });

  it('a long communication is cut to 255 octets without splitting a character', () => {
    const message = createCeaseNotification(2, '€'.repeat(100));
    assert.equal(message.data[0], 255);
    assert.equal(shutdownCommunicationOf(message), '€'.repeat(85));
    const cut = createCeaseNotification(2, `a${'€'.repeat(100)}`);
    assert.ok(cut.data.length - 1 <= SHUTDOWN_COMMUNICATION_MAX_OCTETS);
    assert.equal(shutdownCommunicationOf(cut), `a${'€'.repeat(84)}`);
  });

  it('a malformed communication is ignored, never an error (RFC 9003 §4)', () => {
    assert.equal(
      shutdownCommunicationOf(createNotification(6, 2, bytes('05 6162'))),
      undefined,
      'overrun',
    );
    assert.equal(
      shutdownCommunicationOf(createNotification(6, 2, bytes('02 c328'))),
      undefined,
      'invalid UTF-8',
    );
    assert.equal(
      shutdownCommunicationOf(createNotification(6, 2, bytes('00'))),
      undefined,
      'empty',
    );
    assert.equal(
      shutdownCommunicationOf(createNotification(6, 6, bytes('02 6162'))),
      undefined,
      'other subcode',
    );
    assert.equal(
      shutdownCommunicationOf(createNotification(6, 2, bytes('02 6162 ffff'))),
      'ab',
      'trailing data is ignored',
    );
  });

  it('names codes and subcodes, and builds the NOTIFICATION for a wire error', () => {
    assert.deepEqual(notificationNames(6, 2), {
      code: 'CEASE',
      subcode: 'ADMINISTRATIVE_SHUTDOWN',
    });
    assert.deepEqual(notificationNames(3, 11), {
      code: 'UPDATE_MESSAGE',
      subcode: 'MALFORMED_AS_PATH',
    });
    assert.deepEqual(notificationNames(4, 0), {
      code: 'HOLD_TIMER_EXPIRED',
      subcode: 'UNSPECIFIC',
    });
    assert.deepEqual(notificationNames(9, 9), { code: 'UNKNOWN_9', subcode: 'UNKNOWN_9' });
    assert.equal(attributeTypeName(32), 'LARGE_COMMUNITIES');
    assert.equal(attributeTypeName(250), 'UNKNOWN_250');
    assert.equal(capabilityName(65), 'FOUR_OCTET_AS');
    assert.equal(capabilityName(250), 'UNKNOWN_250');
    try {
      decodeMessage(bytes(`${'ff'.repeat(16)} 0013 09`));
      assert.fail('should throw');
    } catch (err) {
      assert.ok(isBgpWireError(err));
      assert.deepEqual(notificationForError(err), createNotification(1, 3, bytes('09')));
    }
  });
});

describe('OPEN helpers', () => {
  const local = createOpen({
    asn: 4200000001,
    holdTime: 90,
    bgpIdentifier: '192.0.2.1',
    capabilities: [
      { kind: 'multiprotocol', afi: 1, safi: 1 },
      { kind: 'multiprotocol', afi: 2, safi: 1 },
      { kind: 'route-refresh' },
    ],
  });

  it('createOpen puts AS_TRANS in My AS and adds the 4-octet AS capability (RFC 6793 §4.1)', () => {
    assert.equal(local.myAs, AS_TRANS);
    assert.deepEqual(local.capabilities.at(-1), { kind: 'four-octet-as', asn: 4200000001 });
    assert.equal(peerAsnOf(openMessage.decode(openMessage.encode(local))), 4200000001);
    const small = createOpen({
      asn: 65000,
      holdTime: 9,
      bgpIdentifier: '192.0.2.1',
      capabilities: [{ kind: 'four-octet-as', asn: 65000 }],
    });
    assert.equal(small.myAs, 65000);
    assert.equal(small.capabilities.length, 1);
    assert.equal(peerAsnOf({ ...small, capabilities: [] }), 65000);
  });

  it('contextFromOpens: 4-octet AS only when both have it, families both offered (RFC 4760 §8)', () => {
    const bird = decodeMessage(bytes(readVector('open-bird.hex'))) as OpenMessage;
    assert.deepEqual(contextFromOpens(local, bird, { external: true }), {
      fourOctetAs: true,
      external: true,
      families: ['ipv4-unicast', 'ipv6-unicast'],
    });
    const old: OpenMessage = {
      type: 'open',
      version: 4,
      myAs: 65002,
      holdTime: 30,
      bgpIdentifier: '192.0.2.2',
      capabilities: [],
    };
    assert.deepEqual(familiesOf(old), ['ipv4-unicast']);
    assert.deepEqual(contextFromOpens(local, old, { external: false }), {
      fourOctetAs: false,
      external: false,
      families: ['ipv4-unicast'],
    });
    assert.equal(negotiatedHoldTime(local, old), 30);
  });

  it('refuses OPEN values that do not fit', () => {
    assert.throws(() => openMessage.encode({ ...local, holdTime: 70000 }), {
      code: 'IRONLB_ERR_BGP_ENCODE',
    });
    assert.throws(() => openMessage.encode({ ...local, bgpIdentifier: 'router1' }), {
      code: 'IRONLB_ERR_BGP_ENCODE',
    });
    assert.throws(() => openMessage.encode({ ...local, parameterLayout: [1] }), {
      code: 'IRONLB_ERR_BGP_ENCODE',
    });
    assert.throws(
      () => createOpen({ asn: -1, holdTime: 9, bgpIdentifier: '192.0.2.1', capabilities: [] }),
      {
        code: 'IRONLB_ERR_BGP_ENCODE',
      },
    );
  });

  it('uses the RFC 9072 encoding when the capabilities exceed 255 octets', () => {
    const big: OpenMessage = {
      ...local,
      capabilities: Array.from({ length: 20 }, (_, code) => ({
        kind: 'unknown' as const,
        code: 200 + code,
        value: Buffer.alloc(20),
      })),
    };
    const decoded = openMessage.decode(openMessage.encode(big));
    assert.equal(decoded.extendedParameters, true);
    assert.deepEqual(decoded.capabilities, big.capabilities);
  });
});

describe('AS path helpers', () => {
  it('reconstructAs4 merges AS4_PATH into a 2-octet AS_PATH (RFC 6793 §4.2.3)', () => {
    const attributes = {
      asPath: [
        { type: 'sequence' as const, asns: [65010, 65011, AS_TRANS, 65001] },
        { type: 'set' as const, asns: [65020, 65021] },
      ],
      as4Path: [
        { type: 'sequence' as const, asns: [4200000000, 65001] },
        { type: 'set' as const, asns: [65020, 65021] },
      ],
      aggregator: { asn: AS_TRANS, address: '192.0.2.9' },
      as4Aggregator: { asn: 4200000009, address: '192.0.2.9' },
    };
    assert.deepEqual(reconstructAs4(attributes), {
      asPath: [
        { type: 'sequence', asns: [65010, 65011] },
        { type: 'sequence', asns: [4200000000, 65001] },
        { type: 'set', asns: [65020, 65021] },
      ],
      aggregator: { asn: 4200000009, address: '192.0.2.9' },
    });
  });

  it('reconstructAs4 ignores a longer AS4_PATH, and both AS4 attributes behind a real AGGREGATOR AS', () => {
    const asPath = [{ type: 'sequence' as const, asns: [65010] }];
    const as4Path = [{ type: 'sequence' as const, asns: [4200000000, 65001] }];
    assert.deepEqual(reconstructAs4({ asPath, as4Path }), { asPath });
    const aggregator = { asn: 65099, address: '192.0.2.9' };
    assert.deepEqual(
      reconstructAs4({
        asPath: [{ type: 'sequence', asns: [AS_TRANS, 65001] }],
        as4Path,
        aggregator,
      }),
      {
        asPath: [{ type: 'sequence', asns: [AS_TRANS, 65001] }],
        aggregator,
      },
    );
    assert.deepEqual(reconstructAs4({}), {});
    const confed = [
      { type: 'confed-sequence' as const, asns: [65500] },
      { type: 'sequence' as const, asns: [65010, AS_TRANS] },
    ];
    assert.deepEqual(
      reconstructAs4({ asPath: confed, as4Path: [{ type: 'sequence', asns: [4200000000] }] })
        .asPath,
      [
        { type: 'confed-sequence', asns: [65500] },
        { type: 'sequence', asns: [65010] },
        { type: 'sequence', asns: [4200000000] },
      ],
    );
  });

  it('reconstructAs4 keeps an AS_SET of the leading part whole', () => {
    assert.deepEqual(
      reconstructAs4({
        asPath: [
          { type: 'set', asns: [65001, 65002] },
          { type: 'sequence', asns: [65003, AS_TRANS] },
        ],
        as4Path: [{ type: 'sequence', asns: [4200000000] }],
      }).asPath,
      [
        { type: 'set', asns: [65001, 65002] },
        { type: 'sequence', asns: [65003] },
        { type: 'sequence', asns: [4200000000] },
      ],
    );
  });

  it('pathAsCount counts a set as one and confederation segments as none', () => {
    assert.equal(
      pathAsCount([
        { type: 'sequence', asns: [1, 2, 3] },
        { type: 'set', asns: [4, 5] },
        { type: 'confed-sequence', asns: [6, 7] },
      ]),
      4,
    );
  });
});

describe('End-of-RIB and route changes', () => {
  it('detects End-of-RIB for IPv4, IPv6 and other families (RFC 4724 §2)', () => {
    assert.deepEqual(endOfRibFamily(createEndOfRib('ipv4-unicast')), { afi: 1, safi: 1 });
    assert.deepEqual(endOfRibFamily(createEndOfRib({ afi: 2, safi: 1 })), { afi: 2, safi: 1 });
    const vpn = createEndOfRib({ afi: 1, safi: 128 });
    assert.deepEqual(endOfRibFamily(updateMessage.decode(updateMessage.encode(vpn))), {
      afi: 1,
      safi: 128,
    });
    const notEor: UpdateMessage[] = [
      { type: 'update', withdrawn: ['10.0.0.0/8'], attributes: {}, nlri: [] },
      { type: 'update', withdrawn: [], attributes: { origin: 'igp' }, nlri: [] },
      {
        type: 'update',
        withdrawn: [],
        attributes: { mpUnreach: { family: 'ipv6-unicast', withdrawn: ['::/0'] } },
        nlri: [],
      },
      {
        type: 'update',
        withdrawn: [],
        attributes: { mpUnreach: { family: 'ipv6-unicast', withdrawn: [] }, origin: 'igp' },
        nlri: [],
      },
    ];
    for (const update of notEor) assert.equal(isEndOfRib(update), false, JSON.stringify(update));
    // An IPv6 End-of-RIB whose family was not negotiated loses its MP_UNREACH_NLRI: not an IPv4 one.
    const ipv4Only = createWireContext({ families: ['ipv4-unicast'] });
    const stripped = updateMessage.decode(
      updateMessage.encode(createEndOfRib('ipv6-unicast')),
      ipv4Only,
    );
    assert.deepEqual(stripped.attributes, {});
    assert.equal(endOfRibFamily(stripped), undefined);
    assert.equal(isEndOfRib(createEndOfRib('ipv6-unicast')), true);
  });

  it('routeChangesOf lists announcements and withdrawals per family', () => {
    const update: UpdateMessage = {
      type: 'update',
      withdrawn: ['10.0.0.0/8'],
      attributes: {
        origin: 'igp',
        asPath: [],
        nextHop: '192.0.2.1',
        mpReach: { family: 'ipv6-unicast', nextHop: '2001:db8::1', nlri: ['2001:db8:1::/48'] },
        mpUnreach: { family: 'ipv6-unicast', withdrawn: ['2001:db8:2::/48'] },
      },
      nlri: ['192.0.2.0/24'],
    };
    assert.deepEqual(
      routeChangesOf(updateMessage.decode(updateMessage.encode(update, IBGP4), IBGP4)).changes,
      [
        { family: 'ipv4-unicast', announced: ['192.0.2.0/24'], withdrawn: ['10.0.0.0/8'] },
        { family: 'ipv6-unicast', announced: ['2001:db8:1::/48'], withdrawn: ['2001:db8:2::/48'] },
      ],
    );
  });
});

describe('forwardableAttributes', () => {
  it('keeps unknown transitive attributes with the Partial bit, drops non-transitive ones (RFC 4271 §5)', () => {
    const decoded = updateMessage.decode(
      bytes(`${'ff'.repeat(16)} 0027 02 0000 0010 80 09 04 c0000209 c0 23 02 abcd 40 01 01 00`),
      IBGP4,
    );
    const forwarded = forwardableAttributes(decoded.attributes);
    assert.deepEqual(forwarded, {
      origin: 'igp',
      unknown: [{ flags: 0xe0, typeCode: 35, value: bytes('abcd') }],
    });
    const reencoded = updateMessage.encode({ ...decoded, attributes: forwarded }, IBGP4);
    assert.ok(
      reencoded.toString('hex').includes('e02302abcd'),
      'sent with Optional, Transitive and Partial set',
    );
    assert.deepEqual(
      forwardableAttributes({
        origin: 'igp',
        unknown: [{ flags: 0x80, typeCode: 9, value: bytes('00') }],
      }),
      {
        origin: 'igp',
      },
    );
    const plain = { origin: 'igp' as const };
    assert.equal(forwardableAttributes(plain), plain);
  });
});

describe('encoder input checks', () => {
  it('refuses numbers out of range and unknown attributes that shadow known ones', () => {
    const base: UpdateMessage = { type: 'update', withdrawn: [], attributes: {}, nlri: [] };
    const refuse = (attributes: UpdateMessage['attributes']) =>
      assert.throws(
        () => updateMessage.encode({ ...base, attributes }),
        { code: 'IRONLB_ERR_BGP_ENCODE' },
        JSON.stringify(attributes),
      );
    refuse({ multiExitDisc: 2 ** 32 });
    refuse({ localPref: -1 });
    refuse({ communities: [1.5] });
    refuse({ origin: 'bgp' as never });
    refuse({ asPath: [{ type: 'sequence', asns: [] }] });
    refuse({ asPath: [{ type: 'ring' as never, asns: [1] }] });
    refuse({ nextHop: '2001:db8::1' });
    refuse({ unknown: [{ flags: 0xc0, typeCode: 8, value: Buffer.alloc(0) }] });
    refuse({ unknown: [{ flags: 0x40, typeCode: 99, value: Buffer.alloc(0) }] });
    refuse({ unknown: [{ flags: 0xc0, typeCode: 99, value: Buffer.alloc(70000) }] });
    refuse({ extendedCommunities: [{ kind: 'raw', bytes: Buffer.alloc(7) }] });
    refuse({
      extendedCommunities: [
        { kind: 'two-octet-as', transitive: true, subtype: 2, asn: 70000, localAdministrator: 1 },
      ],
    });
    refuse({ mpReach: { family: 'ipv6-unicast', nextHop: '192.0.2.1', nlri: [] } });
    refuse({
      mpReach: { family: 'ipv6-unicast', nextHop: '::', linkLocalNextHop: 'fe80::zz', nlri: [] },
    });
    assert.throws(
      () =>
        updateMessage.encode({ ...base, nlri: Array.from({ length: 900 }, () => '10.0.0.0/32') }),
      {
        code: 'IRONLB_ERR_BGP_ENCODE',
        message: /4096/,
      },
    );
  });

  it('createWireContext fills in defaults', () => {
    assert.deepEqual(createWireContext(), { fourOctetAs: true, external: true });
    assert.deepEqual(createWireContext({ external: false }), {
      fourOctetAs: true,
      external: false,
    });
  });
});
