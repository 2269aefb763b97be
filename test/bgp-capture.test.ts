import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMessage, encodeMessage, peerAsnOf } from '../src/bgp/wire/index.ts';
import type { OpenMessage } from '../src/bgp/wire/index.ts';
import { captureOpen, captureUnavailable } from './support/bgp-capture.ts';
import { readVector } from './support/bgp-golden-vectors.ts';

describe('OPEN messages of real daemons (live capture on 127.0.0.1)', { concurrency: true }, () => {
  for (const daemon of ['bird', 'frr'] as const) {
    const skip = captureUnavailable(daemon);
    it(
      `${daemon}: decodes, re-encodes byte-exact and equals the checked-in vector`,
      { skip, timeout: 30_000 },
      async () => {
        const bytes = await captureOpen(daemon);
        const open = decodeMessage(bytes) as OpenMessage;
        assert.equal(open.type, 'open');
        assert.equal(encodeMessage(open).toString('hex'), bytes.toString('hex'));
        assert.equal(peerAsnOf(open), 64512);
        assert.equal(open.holdTime, 9);
        const kinds = new Set(open.capabilities.map((c) => c.kind));
        for (const kind of [
          'multiprotocol',
          'route-refresh',
          'four-octet-as',
          'graceful-restart',
        ] as const) {
          assert.ok(kinds.has(kind), `${daemon} advertises ${kind}`);
        }
        assert.equal(
          bytes.toString('hex'),
          readVector(`open-${daemon}.hex`),
          `${daemon}'s OPEN changed; re-record with: node test/support/bgp-capture.ts`,
        );
      },
    );
  }
});
