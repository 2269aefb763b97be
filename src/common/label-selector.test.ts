import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { LabelSelector, LabelSelectorRequirement, Labels } from './label-selector.ts';
import {
  formatLabelSelector,
  labelKeyProblem,
  matchesAnyLabelSelector,
  matchesLabelSelector,
  validateLabelSelector,
} from './label-selector.ts';

describe('matchesLabelSelector', () => {
  const labels: Labels = { app: 'web', tier: 'gold', 'example.com/team': 'a', empty: '' };
  const cases: Array<[string, LabelSelector, boolean]> = [
    ['empty selector matches everything', {}, true],
    [
      'empty matchLabels and expressions match everything',
      { matchLabels: {}, matchExpressions: [] },
      true,
    ],
    ['matchLabels equal', { matchLabels: { app: 'web' } }, true],
    ['matchLabels with a prefixed key', { matchLabels: { 'example.com/team': 'a' } }, true],
    ['matchLabels differ', { matchLabels: { app: 'api' } }, false],
    ['matchLabels missing key', { matchLabels: { zone: 'x' } }, false],
    ['matchLabels all must hold', { matchLabels: { app: 'web', tier: 'silver' } }, false],
    ['matchLabels empty value', { matchLabels: { empty: '' } }, true],
    [
      'In holds',
      { matchExpressions: [{ key: 'tier', operator: 'In', values: ['gold', 'x'] }] },
      true,
    ],
    [
      'In fails on other value',
      { matchExpressions: [{ key: 'tier', operator: 'In', values: ['x'] }] },
      false,
    ],
    [
      'In fails on missing key',
      { matchExpressions: [{ key: 'zone', operator: 'In', values: ['x'] }] },
      false,
    ],
    [
      'NotIn holds on other value',
      { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['x'] }] },
      true,
    ],
    [
      'NotIn holds on missing key',
      { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['x'] }] },
      true,
    ],
    [
      'NotIn fails on listed value',
      { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['gold'] }] },
      false,
    ],
    ['Exists holds', { matchExpressions: [{ key: 'empty', operator: 'Exists' }] }, true],
    ['Exists fails', { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, false],
    ['DoesNotExist holds', { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, true],
    ['DoesNotExist fails', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
    [
      'labels and expressions together',
      {
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['gold'] },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      },
      true,
    ],
    [
      'broken: In without values matches nothing',
      { matchExpressions: [{ key: 'tier', operator: 'In', values: [] }] },
      false,
    ],
    [
      'broken: NotIn without values matches nothing',
      { matchExpressions: [{ key: 'zone', operator: 'NotIn' }] },
      false,
    ],
    [
      'broken: Exists with values matches nothing',
      { matchExpressions: [{ key: 'app', operator: 'Exists', values: ['web'] }] },
      false,
    ],
    [
      'broken: unknown operator matches nothing',
      {
        matchExpressions: [
          { key: 'app', operator: 'Gt' as LabelSelectorRequirement['operator'], values: ['1'] },
        ],
      },
      false,
    ],
    [
      'inherited properties are not labels',
      { matchExpressions: [{ key: 'constructor', operator: 'Exists' }] },
      false,
    ],
    ['inherited properties do not match', { matchLabels: { toString: 'x' } }, false],
  ];
  for (const [name, selector, expected] of cases) {
    it(name, () => assert.equal(matchesLabelSelector(selector, labels), expected));
  }

  it('any-of: an empty list matches nothing, otherwise one match suffices', () => {
    assert.equal(matchesAnyLabelSelector([], labels), false);
    assert.equal(
      matchesAnyLabelSelector(
        [{ matchLabels: { app: 'x' } }, { matchLabels: { app: 'web' } }],
        labels,
      ),
      true,
    );
    assert.equal(matchesAnyLabelSelector([{ matchLabels: { app: 'x' } }], labels), false);
  });

  it('NotIn is the complement of In and DoesNotExist of Exists (valid selectors)', () => {
    const keys = fc.constantFrom('a', 'b', 'c');
    const values = fc.constantFrom('1', '2', '3');
    fc.assert(
      fc.property(
        fc.dictionary(keys, values),
        keys,
        fc.uniqueArray(values, { minLength: 1 }),
        (set, key, listed) => {
          const inResult = matchesLabelSelector(
            { matchExpressions: [{ key, operator: 'In', values: listed }] },
            set,
          );
          const notIn = matchesLabelSelector(
            { matchExpressions: [{ key, operator: 'NotIn', values: listed }] },
            set,
          );
          const exists = matchesLabelSelector(
            { matchExpressions: [{ key, operator: 'Exists' }] },
            set,
          );
          const absent = matchesLabelSelector(
            { matchExpressions: [{ key, operator: 'DoesNotExist' }] },
            set,
          );
          return inResult !== notIn && exists !== absent;
        },
      ),
    );
  });
});

describe('validateLabelSelector', () => {
  it('accepts valid selectors', () => {
    assert.deepEqual(
      validateLabelSelector({
        matchLabels: { 'example.com/app': 'web-1', tier: '' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['gold'] },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      }),
      [],
    );
  });

  it('names every problem', () => {
    const problems = validateLabelSelector({
      matchLabels: { 'bad key!': 'ok', good: '-bad-value' },
      matchExpressions: [
        { key: 'a', operator: 'In', values: [] },
        { key: 'b', operator: 'Exists', values: ['x'] },
        { key: 'c', operator: 'Lt' as LabelSelectorRequirement['operator'] },
        { key: 'd', operator: 'NotIn', values: ['x'.repeat(64)] },
      ],
    });
    assert.equal(problems.length, 6, problems.join('\n'));
    assert.match(problems[0]!, /bad key!/);
    assert.match(problems[1]!, /-bad-value/);
    assert.match(problems[2]!, /matchExpressions\[0\].*needs at least one value/);
    assert.match(problems[3]!, /matchExpressions\[1\].*takes no values/);
    assert.match(problems[4]!, /unknown operator "Lt"/);
    assert.match(problems[5]!, /at most 63/);
  });

  it('checks label key prefixes and names', () => {
    assert.equal(labelKeyProblem('app'), undefined);
    assert.equal(labelKeyProblem('kubernetes.io/metadata.name'), undefined);
    assert.match(labelKeyProblem('Bad_Prefix/app') ?? '', /prefix/);
    assert.match(labelKeyProblem('') ?? '', /name/);
    assert.match(labelKeyProblem('x'.repeat(64)) ?? '', /1-63/);
    assert.match(labelKeyProblem('example.com/') ?? '', /name/);
  });
});

describe('formatLabelSelector', () => {
  it('writes kubectl syntax, sorted, and <all> for the empty selector', () => {
    assert.equal(formatLabelSelector({}), '<all>');
    assert.equal(
      formatLabelSelector({
        matchLabels: { tier: 'gold', app: 'web' },
        matchExpressions: [
          { key: 'zone', operator: 'In', values: ['b', 'a'] },
          { key: 'env', operator: 'NotIn', values: ['dev'] },
          { key: 'ready', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      }),
      'app=web,tier=gold,zone in (a,b),env notin (dev),ready,!legacy',
    );
  });
});
