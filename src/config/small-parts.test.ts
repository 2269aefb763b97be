import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  compareCommunities,
  formatCommunity,
  parseCommunity,
  type BgpCommunity,
} from './community.ts';
import { formatConfigError, objectRef } from './config-error.ts';
import { effectiveKeepaliveMs, type Peer } from './config-types.ts';
import { formatDuration, parseDuration } from './duration.ts';
import { fieldPath, pointerSegments } from './field-path.ts';
import {
  anySelectorMatches,
  canonicalSelector,
  labelKeyProblem,
  labelValueProblem,
  normaliseLabelSelector,
  selectorListsCertainlyOverlap,
  selectorMatches,
  type LabelSelector,
} from './label-selector.ts';
import { SecretValue } from './secret-value.ts';

describe('durations', () => {
  it('parses Go duration strings to milliseconds', () => {
    const cases: [string, number][] = [
      ['0', 0],
      ['0s', 0],
      ['90s', 90_000],
      ['1m30s', 90_000],
      ['500ms', 500],
      ['1.5h', 5_400_000],
      ['1h2m3s4ms', 3_723_004],
      ['2500us', 2.5],
      ['1000000ns', 1],
      ['3µs', 0.003],
    ];
    for (const [text, ms] of cases)
      assert.deepEqual(parseDuration(text), { ok: true, value: ms }, text);
  });

  it('refuses what Go would not take, and negatives', () => {
    for (const text of ['', '90', '-1s', '1d', 's', '1.s', ' 1s', '1s ', '1 s']) {
      assert.equal(parseDuration(text).ok, false, text);
    }
  });

  it('formats milliseconds the way Go prints durations, and round-trips', () => {
    assert.equal(formatDuration(0), '0s');
    assert.equal(formatDuration(500), '500ms');
    assert.equal(formatDuration(90_000), '1m30s');
    assert.equal(formatDuration(3_600_000), '1h0m0s');
    assert.equal(formatDuration(1500), '1.5s');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (ms) => {
        assert.deepEqual(parseDuration(formatDuration(ms)), { ok: true, value: ms });
      }),
    );
  });
});

describe('communities', () => {
  it('parses standard and large communities', () => {
    assert.deepEqual(parseCommunity('65000:100'), {
      ok: true,
      value: { kind: 'standard', asn: 65000, value: 100 },
    });
    assert.deepEqual(parseCommunity('large:4294967295:0:7'), {
      ok: true,
      value: { kind: 'large', globalAdministrator: 4294967295, localData1: 0, localData2: 7 },
    });
  });

  it('refuses out-of-range parts and other shapes', () => {
    for (const text of [
      '65536:0',
      '0:65536',
      'large:4294967296:0:0',
      '1:2:3',
      'large:1:2',
      'no-export',
      '',
    ]) {
      assert.equal(parseCommunity(text).ok, false, text);
    }
  });

  it('round-trips and sorts standard before large, numerically', () => {
    const community = fc.oneof(
      fc.record({
        kind: fc.constant('standard' as const),
        asn: fc.integer({ min: 0, max: 65535 }),
        value: fc.integer({ min: 0, max: 65535 }),
      }),
      fc.record({
        kind: fc.constant('large' as const),
        globalAdministrator: fc.integer({ min: 0, max: 4294967295 }),
        localData1: fc.integer({ min: 0, max: 4294967295 }),
        localData2: fc.integer({ min: 0, max: 4294967295 }),
      }),
    );
    fc.assert(
      fc.property(community, community, (a: BgpCommunity, b: BgpCommunity) => {
        assert.deepEqual(parseCommunity(formatCommunity(a)), { ok: true, value: { ...a } });
        assert.equal(Math.sign(compareCommunities(a, b)) + Math.sign(compareCommunities(b, a)), 0);
        if (a.kind !== b.kind) assert.equal(compareCommunities(a, b) < 0, a.kind === 'standard');
      }),
    );
  });
});

function selector(spec: Parameters<typeof normaliseLabelSelector>[0]): LabelSelector {
  const result = normaliseLabelSelector(spec);
  assert.ok(result.ok, JSON.stringify(result));
  return result.value;
}

describe('label selectors', () => {
  it('match with Kubernetes semantics', () => {
    const labels = { app: 'web', tier: 'front', 'kubernetes.io/hostname': 'node-1' };
    const cases: [Parameters<typeof normaliseLabelSelector>[0], boolean][] = [
      [{}, true],
      [{ matchLabels: { app: 'web' } }, true],
      [{ matchLabels: { app: 'db' } }, false],
      [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['back', 'front'] }] }, true],
      [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, false],
      [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, true],
      [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'Exists' }] }, true],
      [{ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
      [
        { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'zone', operator: 'Exists' }] },
        false,
      ],
      [{ matchLabels: { constructor: 'x' } }, false],
    ];
    for (const [spec, expected] of cases)
      assert.equal(selectorMatches(selector(spec), labels), expected, JSON.stringify(spec));
    assert.equal(anySelectorMatches([], {}), true);
    assert.equal(anySelectorMatches([selector({ matchLabels: { a: 'b' } })], {}), false);
  });

  it('normalise to one canonical form', () => {
    const a = selector({
      matchLabels: { app: 'web' },
      matchExpressions: [{ key: 'x', operator: 'In', values: ['2', '1', '1'] }],
    });
    const b = selector({
      matchExpressions: [
        { key: 'x', operator: 'In', values: ['1', '2'] },
        { key: 'app', operator: 'In', values: ['web'] },
        { key: 'app', operator: 'In', values: ['web'] },
      ],
    });
    assert.equal(canonicalSelector(a), canonicalSelector(b));
    assert.deepEqual(a, b);
  });

  it('validate keys and values', () => {
    assert.equal(labelKeyProblem('app'), undefined);
    assert.equal(labelKeyProblem('example.com/app.name_1'), undefined);
    assert.match(labelKeyProblem('Example.com/app') ?? '', /prefix must be a DNS subdomain/);
    assert.match(labelKeyProblem('a/') ?? '', /the name must be/);
    assert.match(labelKeyProblem('x'.repeat(64)) ?? '', /the name must be/);
    assert.equal(labelValueProblem(''), undefined);
    assert.match(labelValueProblem('bad value') ?? '', /label value/);
    const result = normaliseLabelSelector({
      matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['-x'] }],
    });
    assert.deepEqual(result, {
      ok: false,
      problems: [
        {
          field: 'matchExpressions[0].values',
          reason:
            'label value "-x" must be at most 63 characters, alphanumeric at both ends, with -, _ or . between',
        },
      ],
    });
  });

  it('decide certain overlap only when provable', () => {
    const rack1 = selector({ matchLabels: { rack: '1' } });
    const rack1Edge = selector({ matchLabels: { rack: '1', role: 'edge' } });
    const rack2 = selector({ matchLabels: { rack: '2' } });
    assert.equal(selectorListsCertainlyOverlap([], [rack2]), true);
    assert.equal(selectorListsCertainlyOverlap([rack1], [rack1Edge]), true);
    assert.equal(selectorListsCertainlyOverlap([rack1Edge], [rack1]), true);
    assert.equal(selectorListsCertainlyOverlap([rack1], [rack2]), false);
    assert.equal(selectorListsCertainlyOverlap([rack2, selector({})], [rack1]), true);
  });
});

describe('field paths', () => {
  it('print kubectl-style paths from JSON pointers', () => {
    const value = { spec: { addresses: ['a', 'b'], m: { 'a/b': 1, '0': 2 } } };
    assert.equal(fieldPath(pointerSegments('/spec/addresses/1', value)), 'spec.addresses[1]');
    assert.equal(fieldPath(pointerSegments('/spec/m/a~1b', value)), 'spec.m["a/b"]');
    assert.equal(fieldPath(pointerSegments('/spec/m/0', value)), 'spec.m["0"]');
    assert.equal(fieldPath(pointerSegments('', value)), '');
    assert.equal(fieldPath([0, 'x']), '[0].x');
  });
});

describe('SecretValue', () => {
  it('never shows its value except when asked to', () => {
    const secret = SecretValue.fromText('hunter2');
    assert.equal(String(secret), '[redacted]');
    assert.equal(JSON.stringify({ secret }), '{"secret":"[redacted]"}');
    assert.equal(inspect({ secret }), '{ secret: [redacted] }');
    assert.equal(secret.revealText(), 'hunter2');
    assert.deepEqual(secret.revealBytes(), new TextEncoder().encode('hunter2'));
    assert.equal(secret.byteLength, 7);
  });

  it('compares by content', () => {
    const secret = SecretValue.fromText('a');
    assert.ok(secret.equals(SecretValue.fromText('a')));
    assert.ok(!secret.equals(SecretValue.fromText('b')));
    assert.ok(!secret.equals(SecretValue.fromText('ab')));
    assert.ok(!secret.equals(undefined));
  });
});

describe('small helpers', () => {
  it('format errors and references', () => {
    assert.equal(objectRef('', 'x'), 'x');
    assert.equal(
      formatConfigError({
        code: 'C',
        kind: 'BGPPeer',
        namespace: 'ns',
        name: 'p',
        field: '',
        reason: 'bad',
      }),
      'BGPPeer ns/p: bad',
    );
    assert.equal(
      formatConfigError({
        code: 'C',
        kind: 'BGPPeer',
        namespace: '',
        name: '',
        field: 'spec',
        reason: 'bad',
      }),
      'BGPPeer (unnamed) spec: bad',
    );
  });

  it('derive the keepalive interval from the negotiated hold time', () => {
    const peer = (keepaliveTimeMs: number | undefined) => ({ keepaliveTimeMs }) as Peer;
    assert.equal(effectiveKeepaliveMs(peer(undefined), 90_000), 30_000);
    assert.equal(effectiveKeepaliveMs(peer(undefined), 4000), 1000);
    assert.equal(effectiveKeepaliveMs(peer(undefined), 0), 0);
    assert.equal(effectiveKeepaliveMs(peer(10_000), 90_000), 10_000);
    assert.equal(
      effectiveKeepaliveMs(peer(60_000), 9000),
      3000,
      'never longer than a third of the hold time',
    );
  });
});
