import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveSessionOptions } from '../bgp/session-options.ts';
import { basicAuthSecret } from '../config/test-fixtures.ts';
import { parseConfigOrThrow, type Peer } from '../config/index.ts';
import { changedFields, planSessions, sessionSpec, type SessionSpec } from './session-plan.ts';
import { bird, ibgpPeer, NS, peer } from './test-fixtures.ts';

function peerOf(spec: Record<string, unknown>, name = 'bird'): Peer {
  const config = parseConfigOrThrow({
    bgpPeers: [peer(name, spec)],
    lookupSecret: () => basicAuthSecret('s3cret'),
  });
  return config.peers[0]!;
}

function specOf(spec: Record<string, unknown>, name = 'bird', routerId = '192.0.2.1'): SessionSpec {
  return sessionSpec({ ref: `${NS}/${name}`, peer: peerOf(spec, name) }, routerId);
}

describe('sessionSpec', () => {
  it('maps a BGPPeer to Session options the session accepts', () => {
    const spec = specOf({
      ...bird,
      peerPort: 1179,
      holdTime: '9s',
      keepaliveTime: '3s',
      connectTime: '2s',
      sourceAddress: '127.0.0.2',
      enableGracefulRestart: true,
      gracefulRestartTime: '60s',
    });
    assert.deepEqual(spec.options, {
      localAs: 64698,
      peerAs: 64699,
      routerId: '192.0.2.1',
      peerAddress: '127.0.0.1',
      peerPort: 1179,
      localAddress: '127.0.0.2',
      holdTimeSeconds: 9,
      keepaliveTimeSeconds: 3,
      connectRetryTimeSeconds: 2,
      multihopTtl: 1,
      gracefulRestart: { restartTimeSeconds: 60 },
    });
    assert.doesNotThrow(() => resolveSessionOptions(spec.options));
  });

  it('uses the BGPPeer routerID over the default', () => {
    assert.equal(specOf({ ...bird, routerID: '10.1.1.1' }).options.routerId, '10.1.1.1');
  });

  it('TTL: eBGP 1, ebgpMultiHop 255, GTSM through ttlSecurity, iBGP the system default', () => {
    assert.equal(specOf(bird).options.multihopTtl, 1);
    assert.equal(specOf({ ...bird, ebgpMultiHop: true }).options.multihopTtl, 255);
    const gtsm = specOf({ ...bird, ttlSecurity: true }).options;
    assert.equal(gtsm.multihopTtl, undefined);
    assert.equal(gtsm.ttlSecurity, true);
    assert.equal(specOf(ibgpPeer).options.multihopTtl, undefined);
  });

  it('carries the password to the session but only a digest into the fingerprint', () => {
    const spec = specOf({ ...bird, passwordSecret: { name: 'bird-password' } });
    assert.equal(spec.options.password, 's3cret');
    assert.match(spec.fingerprint['password']!, /^sha256:[0-9a-f]{64}$/);
    assert.ok(!JSON.stringify(spec.fingerprint).includes('s3cret'));
  });
});

describe('planSessions', () => {
  const running = (...specs: SessionSpec[]) => new Map(specs.map((s) => [s.ref, s]));

  it('opens new peers, closes gone ones, keeps unchanged ones', () => {
    const a = specOf(bird, 'a');
    const b = specOf({ ...bird, peerAddress: '127.0.0.3' }, 'b');
    const c = specOf({ ...bird, peerAddress: '127.0.0.4' }, 'c');
    const plan = planSessions(running(a, b), [b, c]);
    assert.deepEqual(
      plan.create.map((s) => s.ref),
      [`${NS}/c`],
    );
    assert.deepEqual(plan.close, [`${NS}/a`]);
    assert.deepEqual(plan.keep, [`${NS}/b`]);
    assert.deepEqual(plan.replace, []);
  });

  it('replaces a session when anything it was started with changes, naming the fields', () => {
    const before = specOf(bird);
    for (const [change, fields] of [
      [{ holdTime: '30s' }, ['holdTimeSeconds']],
      [{ peerPort: 1790 }, ['peerPort']],
      [{ peerASN: 64700 }, ['peerAs']],
      [{ password: 'other' }, ['password']],
      [{ sourceAddress: '127.0.0.9' }, ['localAddress']],
      [{ routerID: '10.0.0.1' }, ['routerId']],
      [{ enableGracefulRestart: true }, ['gracefulRestart']],
      [{ ebgpMultiHop: true }, ['multihopTtl']],
    ] as const) {
      const after = specOf({ ...bird, ...change });
      const plan = planSessions(running(before), [after]);
      assert.deepEqual(
        plan.replace.map((r) => r.changed),
        [fields],
        JSON.stringify(change),
      );
    }
  });

  it('a changed default router ID (the node got its InternalIP) replaces the session', () => {
    const plan = planSessions(running(specOf(bird, 'bird', '1.2.3.4')), [
      specOf(bird, 'bird', '192.0.2.7'),
    ]);
    assert.deepEqual(plan.replace[0]?.changed, ['routerId']);
  });

  it('a BGPPeer edit that does not touch the session (nodeSelectors) keeps it', () => {
    const before = specOf(bird);
    const after = specOf({ ...bird, nodeSelectors: [{ matchLabels: { rack: '1' } }] });
    const plan = planSessions(running(before), [after]);
    assert.deepEqual(plan.keep, [`${NS}/bird`]);
    assert.deepEqual(plan.replace, []);
  });

  it('changedFields counts a field present on one side only', () => {
    assert.deepEqual(changedFields({ a: '1', b: '2' }, { b: '3', c: '4' }), ['a', 'b', 'c']);
  });
});
