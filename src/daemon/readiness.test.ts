import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Readiness } from './readiness.ts';

describe('Readiness', () => {
  it('is ready with no checks and lists every failing check by name', () => {
    const readiness = new Readiness();
    assert.deepEqual(readiness.report(), { ready: true, failing: [] });
    readiness.register('a', () => true);
    readiness.register('b', () => 'b is down');
    readiness.register('c', () => {
      throw new Error('c exploded');
    });
    assert.deepEqual(readiness.report(), {
      ready: false,
      failing: [
        { name: 'b', reason: 'b is down' },
        { name: 'c', reason: 'c exploded' },
      ],
    });
    readiness.unregister('b');
    readiness.unregister('c');
    assert.equal(readiness.report().ready, true);
  });

  it('refuses a duplicate name', () => {
    const readiness = new Readiness();
    readiness.register('x', () => true);
    assert.throws(() => readiness.register('x', () => true), {
      code: 'IRONLB_ERR_DUPLICATE_CHECK',
    });
  });
});
