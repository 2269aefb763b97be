import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { ApiError } from './status.ts';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', 'ironlb.dev/pool': 'a', count: '5' };
  const cases: [string, boolean][] = [
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['app in (web,db)', true],
    ['app in (db)', false],
    ['app notin (db, cache)', true],
    ['missing notin (x)', true],
    ['tier', true],
    ['missing', false],
    ['!missing', true],
    ['!tier', false],
    ['ironlb.dev/pool=a', true],
    ['app=web,tier=back', false],
    ['app=web, tier in (front)', true],
    ['count>4', true],
    ['count<5', false],
    ['missing>1', false],
    ['app=', false],
  ];
  for (const [selector, expected] of cases) {
    it(`"${selector}" ${expected ? 'matches' : 'does not match'}`, () => {
      assert.equal(parseLabelSelector(selector).matches(labels), expected);
    });
  }

  it('an empty value selects an empty label', () => {
    assert.equal(parseLabelSelector('flag=').matches({ flag: '' }), true);
  });

  for (const bad of [
    'app in web',
    'app in ()',
    'app=(x)',
    '=web',
    'app=web=x',
    'Bad Key=x',
    'count>x',
    'app in (a',
    'a,,b',
  ]) {
    it(`rejects "${bad}" with 400`, () => {
      assert.throws(
        () => parseLabelSelector(bad),
        (err: unknown) =>
          err instanceof ApiError && err.code === 400 && err.reason === 'BadRequest',
      );
    });
  }

  it('`k in (v)` is `k=v` and `k notin (v)` is `k!=v` for any labels', () => {
    const key = fc.constantFrom('a', 'b', 'c');
    const value = fc.constantFrom('x', 'y', '');
    fc.assert(
      fc.property(
        fc.dictionary(key, value, { noNullPrototype: true }),
        key,
        fc.constantFrom('x', 'y'),
        (set, k, v) => {
          assert.equal(
            parseLabelSelector(`${k} in (${v})`).matches(set),
            parseLabelSelector(`${k}=${v}`).matches(set),
          );
          assert.equal(
            parseLabelSelector(`${k} notin (${v})`).matches(set),
            parseLabelSelector(`${k}!=${v}`).matches(set),
          );
          assert.equal(
            parseLabelSelector(`!${k}`).matches(set),
            !parseLabelSelector(k).matches(set),
          );
        },
      ),
    );
  });
});

describe('field selectors', () => {
  const fields = {
    'metadata.name': 'web',
    'metadata.namespace': 'default',
    'spec.nodeName': 'node-a',
  };

  it('matches equality and inequality terms', () => {
    assert.equal(parseFieldSelector('metadata.name=web').matches(fields), true);
    assert.equal(
      parseFieldSelector('metadata.name==web,spec.nodeName=node-a').matches(fields),
      true,
    );
    assert.equal(parseFieldSelector('metadata.name!=web').matches(fields), false);
    assert.equal(parseFieldSelector('spec.nodeName=node-b').matches(fields), false);
    assert.equal(
      parseFieldSelector('spec.nodeName=').matches({}),
      true,
      'a missing field is the empty string',
    );
    assert.equal(parseFieldSelector('').matches(fields), true);
  });

  it('honours escapes in values', () => {
    const selector = parseFieldSelector('metadata.name=a\\,b\\=c');
    assert.deepEqual(selector.requirements, [
      { field: 'metadata.name', value: 'a,b=c', negated: false },
    ]);
  });

  it('rejects a term without an operator', () => {
    assert.throws(
      () => parseFieldSelector('metadata.name'),
      (err: unknown) => err instanceof ApiError && err.code === 400,
    );
  });
});
