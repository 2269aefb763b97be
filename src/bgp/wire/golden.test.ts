import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  allGoldenVectors,
  attributeVectors,
  bytes,
  capabilityVectors,
  capturedOpens,
  IBGP2,
  IBGP4,
  messageVectors,
} from '../../../test/support/bgp-golden-vectors.ts';
import { assertRoundTrip } from '../../../test/support/bgp-round-trip.ts';
import {
  asPathAttribute,
  decodeMessage,
  encodeMessage,
  mpReachNlriAttribute,
  updateMessage,
} from './index.ts';
import type { UpdateMessage } from './index.ts';

describe('golden vectors: decode and re-encode byte-exact', () => {
  for (const [group, vectors] of [
    ['capabilities', capabilityVectors],
    ['path attributes', attributeVectors],
    ['messages', messageVectors],
  ] as const) {
    describe(group, () => {
      for (const vector of vectors) {
        it(vector.name, () =>
          assertRoundTrip(vector.codec, bytes(vector.hex), vector.value, vector.ctx),
        );
      }
    });
  }

  it('every codec exported by the module has at least one golden vector', async () => {
    const wire = (await import('./index.ts')) as Record<string, unknown>;
    const codecs = Object.entries(wire).filter(
      ([name, value]) =>
        typeof value === 'object' &&
        value !== null &&
        'encodingLength' in value &&
        'decode' in value &&
        name !== 'bgpMessage',
    );
    const covered = new Set(allGoldenVectors.map((v) => v.codec));
    const missing = codecs
      .filter(([, codec]) => !covered.has(codec as never))
      .map(([name]) => name);
    assert.deepEqual(missing, []);
    assert.ok(codecs.length >= 25, `found ${codecs.length} codecs`);
  });

  it('the generic message codec decodes every golden message like its own codec', () => {
    for (const vector of messageVectors) {
      const message = bytes(vector.hex);
      assert.deepStrictEqual(decodeMessage(message, vector.ctx), vector.value, vector.name);
      assert.equal(
        encodeMessage(vector.value as never, vector.ctx).toString('hex'),
        vector.hex,
        vector.name,
      );
    }
  });
});

describe('encoding choices', () => {
  it('towards a 2-octet peer, 4-octet AS numbers become AS_TRANS plus AS4_PATH/AS4_AGGREGATOR (RFC 6793 §4.2.2)', () => {
    const golden = messageVectors.find((v) => v.name.startsWith('UPDATE to a 2-octet peer'))!;
    const fromFourOctetValues: UpdateMessage = {
      type: 'update',
      withdrawn: [],
      attributes: {
        origin: 'igp',
        asPath: [{ type: 'sequence', asns: [65001, 4200000000] }],
        nextHop: '192.0.2.1',
        aggregator: { asn: 4200000000, address: '192.0.2.2' },
      },
      nlri: ['198.51.100.0/24'],
    };
    assert.equal(updateMessage.encode(fromFourOctetValues, IBGP2).toString('hex'), golden.hex);
  });

  it('towards a 4-octet peer, AS4_PATH and AS4_AGGREGATOR are never sent (RFC 6793 §6)', () => {
    const golden = messageVectors.find((v) => v.name.startsWith('UPDATE to a 2-octet peer'))!;
    const encoded = updateMessage.encode(golden.value as UpdateMessage, IBGP4);
    const decoded = updateMessage.decode(encoded, IBGP4);
    assert.equal(decoded.attributes.as4Path, undefined);
    assert.equal(decoded.attributes.as4Aggregator, undefined);
  });

  it('empty community lists are left out rather than sent empty (RFC 7606 §7.8 makes them malformed)', () => {
    const update: UpdateMessage = {
      type: 'update',
      withdrawn: [],
      attributes: { communities: [], extendedCommunities: [], largeCommunities: [] },
      nlri: [],
    };
    assert.equal(updateMessage.encodingLength(update, IBGP4), 23);
  });

  it('a short-length MP_REACH_NLRI decodes; re-encoding uses the extended length', () => {
    const short = bytes('80 0e 0d 0001 01 04 c0000201 00 18 c63364');
    const value = mpReachNlriAttribute.decode(short, IBGP4);
    assert.deepEqual(value, {
      family: 'ipv4-unicast',
      nextHop: '192.0.2.1',
      nlri: ['198.51.100.0/24'],
    });
    assert.equal(
      mpReachNlriAttribute.encode(value, IBGP4).toString('hex'),
      '900e000d000101' + '04c000020100' + '18c63364',
    );
  });

  it('an AS_PATH segment of more than 255 AS numbers is refused, not silently split', () => {
    assert.throws(
      () =>
        asPathAttribute.encode(
          [{ type: 'sequence', asns: new Array<number>(256).fill(65000) }],
          IBGP4,
        ),
      { code: 'IRONLB_ERR_BGP_ENCODE' },
    );
  });
});

describe('captured OPEN messages', () => {
  it('BIRD 2 and FRR OPENs decode and re-encode byte-exact', () => {
    for (const { name, hex } of capturedOpens()) {
      const message = bytes(hex);
      const open = decodeMessage(message, IBGP4);
      assert.equal(open.type, 'open', name);
      assert.equal(encodeMessage(open, IBGP4).toString('hex'), hex, name);
    }
  });
});
