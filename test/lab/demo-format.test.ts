import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { annotatedRoute, duration, nextHopNames, table, trafficTable } from './demo-format.ts';
import type { ClientResult } from './lab.ts';

function result(byPod: Record<string, number>, failures = 0): ClientResult {
  const ok = Object.values(byPod).reduce((a, b) => a + b, 0);
  return {
    requested: ok + failures,
    ok,
    failures,
    byPod,
    byNode: {},
    byClientAddress: {},
    errors: failures > 0 ? { ECONNRESET: failures } : {},
    elapsedMs: 1,
  };
}

describe('demo text', () => {
  it('aligns table columns', () => {
    assert.deepEqual(
      table([
        ['A', 'BB', 'C'],
        ['aaa', 'b', 'c'],
      ]),
      ['  A    BB  C', '  aaa  b   c'],
    );
  });

  it('lists every pod by node with its share, also pods that got nothing, and failures', () => {
    const lines = trafficTable(
      result({ 'web-3': 150, 'web-1': 75, 'web-2': 75 }),
      [
        { name: 'web-3', node: 'node-2' },
        { name: 'web-2', node: 'node-1' },
        { name: 'web-1', node: 'node-1' },
        { name: 'web-4', node: 'node-3' },
      ],
      10,
    );
    assert.deepEqual(lines, [
      '  NODE    POD    REQUESTS  SHARE',
      '  node-1  web-1  75        ███ 25 %',
      '  node-1  web-2  75        ███ 25 %',
      '  node-2  web-3  150       █████ 50 %',
      '  node-3  web-4  0          0 %',
    ]);
    const failed = trafficTable(result({ 'web-9': 9 }, 1), [], 10);
    assert.match(failed[1]!, /\?\s+web-9\s+9/);
    assert.match(failed[2]!, /failed\s+1\s+\{"ECONNRESET":1\}/);
  });

  it('names the nodes behind the ToR’s next hops', () => {
    const hops = [
      { gateway: '192.0.2.3', dev: 'n1', node: 'node-1' },
      { gateway: '192.0.2.5', dev: 'n2', node: 'node-2' },
      { gateway: '192.0.2.13', dev: 'x', node: undefined },
    ];
    assert.equal(nextHopNames(hops), 'node-1, node-2, 192.0.2.13');
    assert.equal(nextHopNames([]), 'no route');
    const lines = annotatedRoute(
      '203.0.113.128 proto bird metric 32 \n\tnexthop via 192.0.2.3 dev n1 weight 1 \n\tnexthop via 192.0.2.13 dev x weight 1 \n',
      hops,
    );
    assert.equal(lines.length, 3);
    assert.match(lines[1]!, /nexthop via 192\.0\.2\.3 dev n1 weight 1\s+← node-1$/);
    // 192.0.2.13 is not 192.0.2.1: no false match on a prefix of the address.
    assert.doesNotMatch(lines[2]!, /←/);
  });

  it('formats durations', () => {
    assert.equal(duration(12.4), '12 ms');
    assert.equal(duration(1234), '1.23 s');
  });
});
