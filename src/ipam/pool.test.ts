import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { pool, range } from '../../test/support/ipam-fixtures.ts';
import type { Pool, ServiceIdentity } from './pool.ts';
import {
  comparePinnedPools,
  isBuggyAddress,
  poolAdmission,
  poolAdmits,
  poolSetProblems,
  usableAddressCount,
} from './pool.ts';

describe('usableAddressCount', () => {
  it('counts without avoidBuggyIPs, and for IPv6 whatever the flag', () => {
    assert.equal(usableAddressCount(range('192.0.2.0/24'), false), 256n);
    assert.equal(usableAddressCount(range('2001:db8::/64'), true), 2n ** 64n);
    assert.equal(usableAddressCount(range('10.0.0.0/8'), true), 2n ** 24n - 2n * 2n ** 16n);
    assert.equal(usableAddressCount(range('0.0.0.0/0'), true), 2n ** 32n - 2n * 2n ** 24n);
  });

  it('matches a count address by address for small IPv4 ranges', () => {
    fc.assert(
      fc.property(fc.bigInt(0n, 2n ** 32n - 1n), fc.bigInt(0n, 700n), (first, length) => {
        const last = first + length > 2n ** 32n - 1n ? 2n ** 32n - 1n : first + length;
        let expected = 0n;
        for (let v = first; v <= last; v++) if (!isBuggyAddress(4, v)) expected++;
        return usableAddressCount({ family: 4, first, last }, true) === expected;
      }),
    );
  });

  it('only IPv4 addresses ending in .0 or .255 are buggy', () => {
    assert.equal(isBuggyAddress(4, 0xc0000200n), true);
    assert.equal(isBuggyAddress(4, 0xc00002ffn), true);
    assert.equal(isBuggyAddress(4, 0xc0000201n), false);
    assert.equal(isBuggyAddress(6, 0n), false);
  });
});

describe('poolAdmission', () => {
  const svc = (namespace: string, labels = {}, namespaceLabels = {}): ServiceIdentity => ({
    key: `${namespace}/svc`,
    namespace,
    labels,
    namespaceLabels,
  });
  const cases: Array<[string, Pool, ServiceIdentity, boolean]> = [
    ['no serviceAllocation admits everyone', pool('p', []), svc('x'), true],
    [
      'priority alone admits everyone',
      pool('p', [], { serviceAllocation: { priority: 1 } }),
      svc('x'),
      true,
    ],
    [
      'listed namespace',
      pool('p', [], { serviceAllocation: { namespaces: ['a', 'b'] } }),
      svc('b'),
      true,
    ],
    [
      'unlisted namespace',
      pool('p', [], { serviceAllocation: { namespaces: ['a'] } }),
      svc('b'),
      false,
    ],
    [
      'namespace selector match',
      pool('p', [], {
        serviceAllocation: { namespaceSelectors: [{ matchLabels: { env: 'prod' } }] },
      }),
      svc('x', {}, { env: 'prod' }),
      true,
    ],
    [
      'a namespace selector matching nothing does not open the pool (unlike MetalLB)',
      pool('p', [], {
        serviceAllocation: { namespaceSelectors: [{ matchLabels: { env: 'none' } }] },
      }),
      svc('x', {}, { env: 'prod' }),
      false,
    ],
    [
      'listed namespace or namespace selector',
      pool('p', [], {
        serviceAllocation: {
          namespaces: ['a'],
          namespaceSelectors: [{ matchLabels: { env: 'prod' } }],
        },
      }),
      svc('a'),
      true,
    ],
    [
      'service selector match',
      pool('p', [], {
        serviceAllocation: { serviceSelectors: [{ matchLabels: { tier: 'gold' } }] },
      }),
      svc('x', { tier: 'gold' }),
      true,
    ],
    [
      'service selector mismatch',
      pool('p', [], {
        serviceAllocation: { serviceSelectors: [{ matchLabels: { tier: 'gold' } }] },
      }),
      svc('x', { tier: 'iron' }),
      false,
    ],
    [
      'namespace and service conditions must both hold',
      pool('p', [], {
        serviceAllocation: {
          namespaces: ['a'],
          serviceSelectors: [{ matchLabels: { tier: 'gold' } }],
        },
      }),
      svc('b', { tier: 'gold' }),
      false,
    ],
  ];
  for (const [name, p, service, admitted] of cases) {
    it(name, () => {
      const refusal = poolAdmission(p, service);
      assert.equal(refusal === undefined, admitted, refusal?.message);
      assert.equal(poolAdmits(p, service), admitted);
      if (refusal !== undefined) {
        assert.equal(refusal.reason, 'poolNotAllowedForService');
        assert.match(refusal.message, /pool p is reserved for/);
      }
    });
  }
});

describe('comparePinnedPools', () => {
  it('sorts by priority, unset and 0 last, then by name', () => {
    const pools = [
      pool('z', [], { serviceAllocation: {} }),
      pool('c', [], { serviceAllocation: { priority: 0 } }),
      pool('b', [], { serviceAllocation: { priority: 3 } }),
      pool('a', [], { serviceAllocation: { priority: 3 } }),
      pool('d', [], { serviceAllocation: { priority: 1 } }),
    ];
    assert.deepEqual(
      pools.sort(comparePinnedPools).map((p) => p.name),
      ['d', 'a', 'b', 'c', 'z'],
    );
  });
});

describe('poolSetProblems', () => {
  it('accepts disjoint pools, including equal numbers in different families', () => {
    assert.deepEqual(
      poolSetProblems([
        pool('a', ['0.0.0.0/8', '192.0.2.0/25']),
        pool('b', ['::/104', '192.0.2.128/25']),
      ]),
      [],
    );
  });

  it('reports empty and duplicate names and overlaps, also hidden behind a long range', () => {
    const problems = poolSetProblems([
      pool('', ['198.51.100.0/30']),
      pool('a', ['10.0.0.0/8']),
      pool('a', ['10.1.0.0/16', '10.2.0.0/16']),
    ]);
    assert.equal(problems.length, 4, problems.join('\n'));
    assert.match(problems[0]!, /empty name/);
    assert.match(problems[1]!, /used twice/);
    assert.match(problems[2]!, /10\.1\.0\.0\/16.*overlaps 10\.0\.0\.0\/8/);
    assert.match(problems[3]!, /10\.2\.0\.0\/16.*overlaps 10\.0\.0\.0\/8/);
  });

  it('reports a reversed range', () => {
    assert.match(
      poolSetProblems([{ name: 'r', ranges: [{ family: 4, first: 5n, last: 1n }] }])[0] ?? '',
      /reversed/,
    );
  });
});
