import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isIronlbError } from '../common/errors.ts';
import { DEFAULT_BACKOFF } from './backoff.ts';
import { formatBgpIdentifier, parseBgpIdentifier } from './bgp-identifier.ts';
import { BgpSessionErrors } from './session-errors.ts';
import { isInternalPeer, sessionConfig } from './session-config.ts';

describe('sessionConfig', () => {
  it('fills in defaults', () => {
    const config = sessionConfig({ localAs: 64698, peerAs: 64699, routerId: '192.0.2.1' });
    assert.deepEqual(config, {
      localAs: 64698,
      peerAs: 64699,
      routerId: 0xc0000201,
      holdTimeSeconds: 90,
      keepaliveTimeSeconds: undefined,
      connectRetryTimeSeconds: 120,
      openSentHoldTimeSeconds: 240,
      families: ['ipv4-unicast', 'ipv6-unicast'],
      gracefulRestart: undefined,
      backoff: DEFAULT_BACKOFF,
    });
    assert.equal(isInternalPeer(config), false);
  });

  it('accepts hold time 0 and 3, graceful restart, partial backoff, and deduplicates families', () => {
    for (const holdTimeSeconds of [0, 3, 65535]) {
      assert.equal(
        sessionConfig({ localAs: 1, peerAs: 1, routerId: 1, holdTimeSeconds }).holdTimeSeconds,
        holdTimeSeconds,
      );
    }
    const config = sessionConfig({
      localAs: 4200000000,
      peerAs: 4200000000,
      routerId: 7,
      families: ['ipv6-unicast', 'ipv6-unicast'],
      gracefulRestart: { restartTimeSeconds: 120 },
      backoff: { maxDelayMs: 5000 },
    });
    assert.deepEqual(config.families, ['ipv6-unicast']);
    assert.deepEqual(config.gracefulRestart, {
      restartTimeSeconds: 120,
      forwardingPreserved: true,
      restarting: false,
    });
    assert.equal(config.backoff.maxDelayMs, 5000);
    assert.equal(config.backoff.initialDelayMs, DEFAULT_BACKOFF.initialDelayMs);
    assert.equal(isInternalPeer(config), true);
  });

  it('lists every problem in one IRONLB_ERR_BGP_SESSION_CONFIG', () => {
    assert.throws(
      () =>
        sessionConfig({
          localAs: 0,
          peerAs: 2 ** 32,
          routerId: '224.0.0.1',
          holdTimeSeconds: 2,
          keepaliveTimeSeconds: 0,
          connectRetryTimeSeconds: 0,
          openSentHoldTimeSeconds: -1,
          families: [],
          gracefulRestart: { restartTimeSeconds: 4096 },
          backoff: { jitter: 2 },
        }),
      (err: unknown) => {
        assert.ok(isIronlbError(err, BgpSessionErrors.IRONLB_ERR_BGP_SESSION_CONFIG));
        for (const fragment of [
          'localAs 0',
          'peerAs 4294967296',
          'multicast',
          'holdTimeSeconds 2',
          'keepaliveTimeSeconds 0',
          'connectRetryTimeSeconds 0',
          'openSentHoldTimeSeconds -1',
          'at least one address family',
          'restartTimeSeconds 4096',
          'backoff: jitter',
        ]) {
          assert.ok(err.message.includes(fragment), `missing "${fragment}" in ${err.message}`);
        }
        return true;
      },
    );
  });

  it('refuses a zero or malformed router ID', () => {
    for (const routerId of [0, '0.0.0.0', '1.2.3', '256.1.1.1', -1, 1.5]) {
      assert.throws(
        () => sessionConfig({ localAs: 1, peerAs: 2, routerId }),
        (err: unknown) => isIronlbError(err, BgpSessionErrors.IRONLB_ERR_BGP_SESSION_CONFIG),
        String(routerId),
      );
    }
  });
});

describe('BGP identifiers', () => {
  it('parse and format as dotted quads', () => {
    assert.equal(parseBgpIdentifier('255.255.255.255'), 0xffffffff);
    assert.equal(parseBgpIdentifier(' 10.0.0.1 '), 0x0a000001);
    assert.equal(parseBgpIdentifier('10.0.0'), undefined);
    assert.equal(parseBgpIdentifier('10.0.0.256'), undefined);
    assert.equal(formatBgpIdentifier(0xc0000201), '192.0.2.1');
    assert.equal(formatBgpIdentifier(0xffffffff), '255.255.255.255');
  });
});
