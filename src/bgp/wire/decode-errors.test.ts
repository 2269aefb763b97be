import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytes, IBGP2, IBGP4 } from '../../../test/support/bgp-golden-vectors.ts';
import {
  BgpWireError,
  communitiesAttribute,
  createWireContext,
  decodeMessage,
  fourOctetAsCapability,
  keepaliveMessage,
  routeChangesOf,
  unknownAttribute,
  unknownCapability,
  updateMessage,
} from './index.ts';
import type { UpdateMessage, WireContext } from './index.ts';

const M = 'ff'.repeat(16);
const EBGP4: WireContext = createWireContext({ fourOctetAs: true, external: true });

/** A message of `type` around `bodyHex`, with a correct length field. */
function message(type: number, bodyHex: string): Buffer {
  const body = bytes(bodyHex);
  const header = bytes(M);
  return Buffer.concat([
    header,
    Buffer.from([(19 + body.length) >> 8, (19 + body.length) & 0xff, type]),
    body,
  ]);
}

function hex16(n: number): string {
  return n.toString(16).padStart(4, '0');
}

/** An UPDATE with the given withdrawn routes, attributes and NLRI (hex). */
function update(attributesHex: string, nlriHex = '', withdrawnHex = ''): Buffer {
  const withdrawn = bytes(withdrawnHex);
  const attributes = bytes(attributesHex);
  return message(
    2,
    `${hex16(withdrawn.length)} ${withdrawnHex} ${hex16(attributes.length)} ${attributesHex} ${nlriHex}`,
  );
}

const ORIGIN = '40 01 01 00';
const AS_PATH = '40 02 06 02 01 0000fde9';
const NEXT_HOP = '40 03 04 c0000201';
const MANDATORY = `${ORIGIN} ${AS_PATH} ${NEXT_HOP}`;
const NLRI = '18 c63364 20 c0000201';
const NLRI_PREFIXES = ['198.51.100.0/24', '192.0.2.1/32'];

function expectReset(
  buf: Buffer,
  ctx: WireContext,
  code: number,
  subcode: number,
  dataHex?: string,
): BgpWireError {
  let caught: unknown;
  try {
    decodeMessage(buf, ctx);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof BgpWireError, `expected a BgpWireError, got ${String(caught)}`);
  assert.equal(caught.action, 'session-reset');
  assert.deepEqual(
    [caught.notification.code, caught.notification.subcode],
    [code, subcode],
    caught.message,
  );
  if (dataHex !== undefined)
    assert.equal(caught.notification.data.toString('hex'), dataHex.replace(/\s/g, ''));
  return caught;
}

function decodeUpdate(buf: Buffer, ctx: WireContext = IBGP4): UpdateMessage {
  const decoded = decodeMessage(buf, ctx);
  assert.equal(decoded.type, 'update');
  return decoded;
}

function onlyError(decoded: UpdateMessage): BgpWireError {
  assert.equal(decoded.errors?.length, 1, JSON.stringify(decoded.errors?.map((e) => e.message)));
  return decoded.errors[0]!;
}

function expectSoft(
  buf: Buffer,
  action: 'treat-as-withdraw' | 'attribute-discard',
  subcode: number,
  ctx: WireContext = IBGP4,
): { update: UpdateMessage; error: BgpWireError } {
  const decoded = decodeUpdate(buf, ctx);
  const error = onlyError(decoded);
  assert.equal(error.action, action, error.message);
  assert.equal(error.code, 'IRONLB_ERR_BGP_UPDATE_ATTRIBUTE');
  assert.deepEqual(
    [error.notification.code, error.notification.subcode],
    [3, subcode],
    error.message,
  );
  if (action === 'treat-as-withdraw') assert.deepEqual(error.prefixes, decoded.nlri);
  return { update: decoded, error };
}

describe('message header errors (RFC 4271 §6.1)', () => {
  it('a marker that is not all ones: Connection Not Synchronized', () => {
    const buf = message(4, '');
    buf[0] = 0xfe;
    expectReset(buf, IBGP4, 1, 1);
  });

  it('lengths outside 19-4096 and per-type minimums: Bad Message Length with the length field as data', () => {
    expectReset(bytes(`${M} 0012 04`), IBGP4, 1, 2, '0012');
    expectReset(bytes(`${M} 1001 02 ${'00'.repeat(4078)}`), IBGP4, 1, 2, '1001');
    expectReset(message(4, '00'), IBGP4, 1, 2, '0014');
    expectReset(message(1, '04 fde8 00b4 c0000201'), IBGP4, 1, 2, '001c');
    expectReset(message(2, '0000'), IBGP4, 1, 2, '0015');
    expectReset(message(3, '06'), IBGP4, 1, 2, '0014');
  });

  it('a length field that disagrees with the octets given: Bad Message Length', () => {
    expectReset(Buffer.concat([message(4, ''), Buffer.from([0])]), IBGP4, 1, 2, '0013');
    expectReset(bytes(`${M} 00`), IBGP4, 1, 2);
  });

  it('an unknown type: Bad Message Type with the type as data', () => {
    expectReset(message(6, ''), IBGP4, 1, 3, '06');
    expectReset(message(0, ''), IBGP4, 1, 3, '00');
  });
});

describe('OPEN errors (RFC 4271 §6.2)', () => {
  const open = (body: string) => message(1, body);

  it('version other than 4: Unsupported Version Number, data = 4', () => {
    expectReset(open('03 fde8 00b4 c0000201 00'), IBGP4, 2, 1, '0004');
  });

  it('My AS 0: Bad Peer AS (RFC 7607 §2), also in the 4-octet AS capability', () => {
    expectReset(open('04 0000 00b4 c0000201 00'), IBGP4, 2, 2);
    expectReset(open('04 fde8 00b4 c0000201 08 02 06 41 04 00000000'), IBGP4, 2, 2);
  });

  it('hold time 1 or 2: Unacceptable Hold Time; 0 and 3 are fine', () => {
    expectReset(open('04 fde8 0001 c0000201 00'), IBGP4, 2, 6);
    expectReset(open('04 fde8 0002 c0000201 00'), IBGP4, 2, 6);
    assert.equal(decodeMessage(open('04 fde8 0000 c0000201 00')).type, 'open');
    assert.equal(decodeMessage(open('04 fde8 0003 c0000201 00')).type, 'open');
  });

  it('BGP Identifier 0: Bad BGP Identifier (RFC 6286 §2.2)', () => {
    expectReset(open('04 fde8 00b4 00000000 00'), IBGP4, 2, 3);
  });

  it('an optional parameter other than Capabilities: Unsupported Optional Parameter', () => {
    expectReset(open('04 fde8 00b4 c0000201 04 01 02 abcd'), IBGP4, 2, 4);
  });

  it('malformed parameters and capabilities: OPEN Message Error / Unspecific', () => {
    const cases = [
      '04 fde8 00b4 c0000201 05 02 02 02 00', // parameter length says 5, 4 octets follow
      '04 fde8 00b4 c0000201 02 02 04', // parameter overruns the message
      '04 fde8 00b4 c0000201 01 02', // truncated parameter header
      '04 fde8 00b4 c0000201 03 02 01 41', // capability header truncated
      '04 fde8 00b4 c0000201 04 02 02 41 04', // capability value overruns its parameter
      '04 fde8 00b4 c0000201 05 02 03 01 01 00', // multiprotocol of length 1
      '04 fde8 00b4 c0000201 05 02 03 41 01 00', // four-octet AS of length 1
      '04 fde8 00b4 c0000201 07 02 05 40 03 000000', // graceful restart of length 3
      '04 fde8 00b4 c0000201 05 02 03 02 01 00', // route refresh with a value
      '04 fde8 00b4 c0000201 05 02 03 80 01 00', // Cisco route refresh with a value
      '04 fde8 00b4 c0000201 05 02 03 46 01 00', // enhanced route refresh with a value
      '04 fde8 00b4 c0000201 ff ff', // RFC 9072 marker without its length
      '04 fde8 00b4 c0000201 ff ff 0005 02 0003 02', // RFC 9072 parameter overruns
    ];
    for (const body of cases) expectReset(open(body), IBGP4, 2, 0);
  });
});

describe('UPDATE errors that reset the session', () => {
  it('Withdrawn Routes Length or Total Attribute Length beyond the message: Malformed Attribute List (RFC 4271 §6.3)', () => {
    expectReset(message(2, '0005 08 0a 0000'), IBGP4, 3, 1);
    expectReset(message(2, '0000 0010 40 01 01 00'), IBGP4, 3, 1);
  });

  it('withdrawn routes or NLRI that do not parse: Invalid Network Field (RFC 7606 §5.3)', () => {
    expectReset(update('', '', '21 c0000201 00'), IBGP4, 3, 10);
    expectReset(update('', '', '18 c000'), IBGP4, 3, 10);
    expectReset(update(MANDATORY, '21 c0000201 00'), IBGP4, 3, 10);
    expectReset(update(MANDATORY, '18 c633'), IBGP4, 3, 10);
  });

  it('an unrecognized well-known attribute: data = the attribute (RFC 4271 §6.3)', () => {
    expectReset(update(`${MANDATORY} 40 c8 01 07`, NLRI), IBGP4, 3, 2, '40c80107');
  });

  it('MP_REACH_NLRI or MP_UNREACH_NLRI twice: Malformed Attribute List (RFC 7606 §3)', () => {
    const unreach = '90 0f 0003 0002 01';
    expectReset(update(`${unreach} ${unreach}`), IBGP4, 3, 1);
  });

  it('malformed MP_REACH_NLRI / MP_UNREACH_NLRI: Optional Attribute Error (RFC 7606 §7.11, §7.12)', () => {
    const cases = [
      '90 0e 0004 0002 01 00', // shorter than 5
      '90 0e 0009 0002 01 10 20010db8 00', // next hop overruns
      '90 0e 000a 0002 01 05 2001 0db8 00 00', // IPv6 next hop of 5 octets
      '90 0e 000a 0001 01 05 c0000201 00 00', // IPv4 next hop of 5 octets
      '90 0e 0017 0002 01 10 20010db8000000000000000000000001 00 81 20', // prefix length 129
      '90 0e 0016 0002 01 10 20010db8000000000000000000000001 00 40 20', // prefix overruns
      '90 0f 0002 0002', // MP_UNREACH shorter than 3
      '90 0f 0005 0002 01 40 20', // MP_UNREACH prefix overruns
      '80 0e', // MP_REACH header truncated at the end of the attributes
      '10 0e 0009 0002 01 10 20010db8 00', // MP_REACH with flags of a well-known attribute
    ];
    for (const attribute of cases) {
      const error = expectReset(
        update(`${ORIGIN} ${AS_PATH} ${attribute}`),
        IBGP4,
        3,
        attribute.startsWith('80 0e') ? 5 : attribute.startsWith('10') ? 4 : 9,
      );
      assert.ok(error.attributeType === 14 || error.attributeType === 15, error.message);
    }
  });
});

describe('UPDATE errors handled by treat-as-withdraw (RFC 7606)', () => {
  it('ORIGIN: undefined value (§7.1), wrong length, wrong flags (§3)', () => {
    const { update: decoded, error } = expectSoft(
      update(`40 01 01 03 ${AS_PATH} ${NEXT_HOP}`, NLRI),
      'treat-as-withdraw',
      6,
    );
    assert.equal(error.notification.data.toString('hex'), '40010103');
    assert.equal(decoded.attributes.origin, undefined);
    assert.deepEqual(decoded.nlri, NLRI_PREFIXES);
    expectSoft(update(`40 01 02 0000 ${AS_PATH} ${NEXT_HOP}`, NLRI), 'treat-as-withdraw', 5);
    expectSoft(update(`c0 01 01 00 ${AS_PATH} ${NEXT_HOP}`, NLRI), 'treat-as-withdraw', 4);
  });

  it('AS_PATH: zero-length segment, unknown segment type, overrun, lone octet (§7.2)', () => {
    for (const asPath of [
      '40 02 02 02 00',
      '40 02 06 05 01 0000fde9',
      '40 02 06 02 02 0000fde9',
      '40 02 07 02 01 0000fde9 02',
    ]) {
      expectSoft(update(`${ORIGIN} ${asPath} ${NEXT_HOP}`, NLRI), 'treat-as-withdraw', 11);
    }
  });

  it('AS_PATH: 2-octet AS numbers read with a 4-octet context overrun (§7.2)', () => {
    expectSoft(
      update(`${ORIGIN} 40 02 06 02 02 fde9 fdea ${NEXT_HOP}`, NLRI),
      'treat-as-withdraw',
      11,
    );
    assert.equal(
      decodeUpdate(update(`${ORIGIN} 40 02 06 02 02 fde9 fdea ${NEXT_HOP}`, NLRI), IBGP2).errors,
      undefined,
    );
  });

  it('AS_PATH: confederation segments from an external peer (§7.2)', () => {
    const asPath = '40 02 06 03 01 0000fde9';
    expectSoft(update(`${ORIGIN} ${asPath} ${NEXT_HOP}`, NLRI), 'treat-as-withdraw', 11, EBGP4);
    assert.equal(
      decodeUpdate(update(`${ORIGIN} ${asPath} ${NEXT_HOP}`, NLRI), IBGP4).errors,
      undefined,
    );
  });

  it('NEXT_HOP, MULTI_EXIT_DISC, LOCAL_PREF (internal peer) of the wrong length (§7.3-§7.5)', () => {
    expectSoft(update(`${ORIGIN} ${AS_PATH} 40 03 05 c000020100`, NLRI), 'treat-as-withdraw', 5);
    expectSoft(update(`${MANDATORY} 80 04 03 000064`, NLRI), 'treat-as-withdraw', 5);
    expectSoft(update(`${MANDATORY} 40 05 03 000064`, NLRI), 'treat-as-withdraw', 5);
  });

  it('COMMUNITIES, EXTENDED_COMMUNITIES, LARGE_COMMUNITIES: empty or not a multiple (§7.8, §7.14, RFC 8092 §5)', () => {
    for (const attribute of [
      'c0 08 00',
      'c0 08 05 0000000000',
      'c0 10 04 00000000',
      'c0 10 00',
      'c0 20 0d ' + '00'.repeat(13),
      'c0 20 00',
    ]) {
      expectSoft(update(`${MANDATORY} ${attribute}`, NLRI), 'treat-as-withdraw', 9);
    }
  });

  it('missing well-known mandatory attributes, data = the type code (§3, RFC 4271 §6.3)', () => {
    const decoded = decodeUpdate(update('', NLRI));
    assert.deepEqual(
      decoded.errors?.map((e) => [
        e.action,
        e.notification.subcode,
        e.notification.data.toString('hex'),
      ]),
      [
        ['treat-as-withdraw', 3, '01'],
        ['treat-as-withdraw', 3, '02'],
        ['treat-as-withdraw', 3, '03'],
      ],
    );
  });

  it('MP_REACH_NLRI needs ORIGIN and AS_PATH but not NEXT_HOP (RFC 4760 §3)', () => {
    const reach = '90 0e 001c 0002 01 10 20010db8000000000000000000000001 00 30 20010db80001';
    assert.equal(decodeUpdate(update(`${reach} ${ORIGIN} ${AS_PATH}`)).errors, undefined);
    const decoded = decodeUpdate(update(`${reach} ${ORIGIN}`));
    const error = onlyError(decoded);
    assert.equal(error.notification.data.toString('hex'), '02');
    assert.deepEqual(error.prefixes, ['2001:db8:1::/48']);
  });

  it('an UPDATE without NLRI needs no attributes (End-of-RIB, pure withdrawals)', () => {
    assert.equal(decodeUpdate(update('')).errors, undefined);
    assert.equal(decodeUpdate(update('', '', '08 0a')).errors, undefined);
  });

  it('the last attribute overruns the Total Attribute Length: the NLRI is still found (§4)', () => {
    const decoded = decodeUpdate(update(`${MANDATORY} c0 08 08 fde80064`, NLRI));
    const error = onlyError(decoded);
    assert.equal(error.action, 'treat-as-withdraw');
    assert.deepEqual(decoded.nlri, NLRI_PREFIXES);
    assert.deepEqual(error.prefixes, NLRI_PREFIXES);
    assert.equal(decoded.attributes.origin, 'igp');
  });

  it('fewer octets than an attribute header left: treat-as-withdraw (§4)', () => {
    for (const tail of ['c0', 'c0 08', 'd0 08 00']) {
      const decoded = decodeUpdate(update(`${MANDATORY} ${tail}`, NLRI));
      assert.equal(onlyError(decoded).action, 'treat-as-withdraw', tail);
      assert.deepEqual(decoded.nlri, NLRI_PREFIXES);
    }
  });

  it('routeChangesOf turns a treat-as-withdraw UPDATE into withdrawals', () => {
    const decoded = decodeUpdate(update(`40 01 01 09 ${AS_PATH} ${NEXT_HOP}`, NLRI, '08 0a'));
    assert.deepEqual(routeChangesOf(decoded).changes, [
      { family: 'ipv4-unicast', announced: [], withdrawn: ['10.0.0.0/8', ...NLRI_PREFIXES] },
    ]);
  });
});

describe('UPDATE errors handled by attribute discard (RFC 7606, RFC 6793)', () => {
  it('ATOMIC_AGGREGATE of non-zero length (§7.6): the rest of the UPDATE stands', () => {
    const { update: decoded } = expectSoft(
      update(`${MANDATORY} 40 06 01 00`, NLRI),
      'attribute-discard',
      5,
    );
    assert.equal(decoded.attributes.atomicAggregate, undefined);
    assert.deepEqual(routeChangesOf(decoded).changes, [
      { family: 'ipv4-unicast', announced: NLRI_PREFIXES, withdrawn: [] },
    ]);
  });

  it('AGGREGATOR of the wrong length for the context (§7.7)', () => {
    expectSoft(update(`${MANDATORY} c0 07 06 fde9 c0000202`, NLRI), 'attribute-discard', 5);
    expectSoft(
      update(`${ORIGIN} 40 02 04 02 01 fde9 ${NEXT_HOP} c0 07 08 0000fde9 c0000202`, NLRI),
      'attribute-discard',
      5,
      IBGP2,
    );
    expectSoft(update(`${MANDATORY} 40 07 08 0000fde9 c0000202`, NLRI), 'attribute-discard', 4);
  });

  it('LOCAL_PREF from an external peer, whatever its length (§7.5)', () => {
    const { update: decoded } = expectSoft(
      update(`${MANDATORY} 40 05 04 00000064`, NLRI),
      'attribute-discard',
      9,
      EBGP4,
    );
    assert.equal(decoded.attributes.localPref, undefined);
    expectSoft(update(`${MANDATORY} 40 05 01 00`, NLRI), 'attribute-discard', 9, EBGP4);
  });

  it('AS4_PATH and AS4_AGGREGATOR from a 4-octet speaker (RFC 6793 §6)', () => {
    expectSoft(update(`${MANDATORY} c0 11 06 02 01 fa56ea00`, NLRI), 'attribute-discard', 9);
    expectSoft(update(`${MANDATORY} c0 12 08 fa56ea00 c0000202`, NLRI), 'attribute-discard', 9);
  });

  it('malformed AS4_PATH or AS4_AGGREGATOR from a 2-octet speaker (RFC 6793 §6)', () => {
    const two = `40 01 01 00 40 02 04 02 01 fde9 ${NEXT_HOP}`;
    for (const attribute of [
      'c0 11 04 02 01 fa56',
      'c0 11 07 02 01 fa56ea00 00',
      'c0 11 06 02 00 fa56ea00',
      'c0 11 06 07 01 fa56ea00',
    ]) {
      assert.equal(
        expectSoft(
          update(`${two} ${attribute}`, NLRI),
          'attribute-discard',
          attribute.includes('04 02') || attribute.includes('07 02') ? 5 : 11,
          IBGP2,
        ).error.attributeType,
        17,
      );
    }
    expectSoft(update(`${two} c0 12 07 fa56ea00 c00002`, NLRI), 'attribute-discard', 5, IBGP2);
  });

  it('confederation segments in AS4_PATH are dropped, the rest kept (RFC 6793 §6)', () => {
    const decoded = decodeUpdate(
      update(
        `40 01 01 00 40 02 04 02 01 fde9 ${NEXT_HOP} c0 11 0c 03 01 0000fde8 02 01 fa56ea00`,
        NLRI,
      ),
      IBGP2,
    );
    assert.equal(decoded.errors, undefined);
    assert.deepEqual(decoded.attributes.as4Path, [{ type: 'sequence', asns: [4200000000] }]);
  });

  it('a repeated attribute: the first is used, the others discarded (RFC 7606 §3)', () => {
    const { update: decoded } = expectSoft(
      update(`${MANDATORY} c0 08 04 fde80064 c0 08 04 fde80065`, NLRI),
      'attribute-discard',
      9,
    );
    assert.deepEqual(decoded.attributes.communities, [0xfde80064]);
  });

  it('MP attributes of a family that was not negotiated (RFC 4760 §6)', () => {
    const ctx = createWireContext({ external: false, families: ['ipv4-unicast'] });
    const reach = '90 0e 001c 0002 01 10 20010db8000000000000000000000001 00 30 20010db80001';
    const { update: decoded } = expectSoft(
      update(`${reach} ${ORIGIN} ${AS_PATH}`),
      'attribute-discard',
      9,
      ctx,
    );
    assert.equal(decoded.attributes.mpReach, undefined);
  });

  it('several errors: all are reported; the strongest decides (RFC 7606 §3)', () => {
    const decoded = decodeUpdate(update(`40 01 01 07 ${AS_PATH} ${NEXT_HOP} 40 06 01 00`, NLRI));
    assert.deepEqual(
      decoded.errors?.map((e) => e.action),
      ['treat-as-withdraw', 'attribute-discard'],
    );
    assert.deepEqual(routeChangesOf(decoded).changes[0]?.withdrawn, NLRI_PREFIXES);
  });
});

describe('other messages', () => {
  it('ROUTE-REFRESH of a length other than 23: ROUTE-REFRESH Message Error, data = the message (RFC 7313 §5)', () => {
    const long = message(5, '0001 00 01 00');
    expectReset(long, IBGP4, 7, 1, long.toString('hex'));
    expectReset(message(5, ''), IBGP4, 7, 1);
  });

  it('a NOTIFICATION with any code, subcode and data decodes (RFC 4271 §6.4)', () => {
    assert.deepEqual(decodeMessage(message(3, 'ff ff 0102030405')), {
      type: 'notification',
      code: 255,
      subcode: 255,
      data: bytes('0102030405'),
    });
  });

  it('unknown optional attributes are kept, transitive or not (RFC 4271 §5)', () => {
    const decoded = updateMessage.decode(
      update(`${MANDATORY} 80 09 04 c0000209 c0 23 02 abcd`, NLRI),
      IBGP4,
    );
    assert.deepEqual(decoded.attributes.unknown, [
      { flags: 0x80, typeCode: 9, value: bytes('c0000209') },
      { flags: 0xc0, typeCode: 35, value: bytes('abcd') },
    ]);
  });
});

describe('standalone codecs refuse bytes that are not theirs', () => {
  const isWireError = (action: string) => (err: unknown) =>
    err instanceof BgpWireError && err.action === action;

  it('attribute codecs: truncated, length mismatch, another type', () => {
    assert.throws(
      () => communitiesAttribute.decode(bytes('c0 08')),
      isWireError('treat-as-withdraw'),
    );
    assert.throws(
      () => communitiesAttribute.decode(bytes('c0 08 04 fde80064 00')),
      isWireError('treat-as-withdraw'),
    );
    assert.throws(
      () => communitiesAttribute.decode(bytes('c0 20 04 fde80064')),
      isWireError('session-reset'),
    );
    assert.throws(
      () => unknownAttribute.decode(bytes('c0 63 03 abcd')),
      isWireError('treat-as-withdraw'),
    );
    assert.throws(
      () => unknownAttribute.encode({ flags: 0xc0, typeCode: 99, value: Buffer.alloc(70000) }),
      {
        code: 'IRONLB_ERR_BGP_ENCODE',
        message: /65535/,
      },
    );
  });

  it('capability codecs: wrong code or length', () => {
    assert.throws(
      () => fourOctetAsCapability.decode(bytes('42 04 0000fde8')),
      isWireError('session-reset'),
    );
    assert.throws(() => unknownCapability.decode(bytes('49 05 00')), isWireError('session-reset'));
    assert.throws(
      () => unknownCapability.encode({ kind: 'unknown', code: 200, value: Buffer.alloc(256) }),
      {
        code: 'IRONLB_ERR_BGP_ENCODE',
      },
    );
  });

  it('message codecs: another message type is a Bad Message Type', () => {
    const error = expectResetFrom(() => keepaliveMessage.decode(bytes(`${M} 0017 02 0000 0000`)));
    assert.deepEqual([error.notification.code, error.notification.subcode], [1, 3]);
  });
});

function expectResetFrom(run: () => unknown): BgpWireError {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof BgpWireError && err.action === 'session-reset');
    return err;
  }
  assert.fail('expected a BgpWireError');
}
