import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideLease, leaseRecordChanged, type LeaseRecord } from './lease-decision.ts';

const record = (overrides: Partial<LeaseRecord> = {}): LeaseRecord => ({
  holderIdentity: 'b',
  leaseDurationSeconds: 15,
  renewTime: '2025-01-01T00:00:00.000000Z',
  leaseTransitions: 0,
  resourceVersion: '7',
  ...overrides,
});

describe('decideLease', () => {
  it('creates a lease that does not exist', () => {
    assert.deepEqual(decideLease({ identity: 'a', lease: undefined, now: 0 }), {
      action: 'create',
    });
  });

  it('renews its own lease', () => {
    const lease = { record: record({ holderIdentity: 'a' }), observedAt: 0 };
    assert.equal(decideLease({ identity: 'a', lease, now: 1e9 }).action, 'renew');
  });

  it('takes a released lease (empty holder) at once', () => {
    for (const holderIdentity of ['', undefined]) {
      const lease = { record: record({ holderIdentity }), observedAt: 100 };
      assert.deepEqual(decideLease({ identity: 'a', lease, now: 100 }), {
        action: 'takeOver',
        previousHolder: undefined,
      });
    }
  });

  it("waits for someone else's lease a full duration after it last changed, by the local clock", () => {
    const lease = { record: record(), observedAt: 1000 };
    const waiting = decideLease({ identity: 'a', lease, now: 1000 + 14_999 });
    assert.equal(waiting.action, 'wait');
    assert.ok(waiting.action === 'wait' && waiting.holder === 'b');
    assert.match(waiting.action === 'wait' ? waiting.reason : '', /held by b; expires in 1 s/);
    assert.deepEqual(decideLease({ identity: 'a', lease, now: 1000 + 15_000 }), {
      action: 'takeOver',
      previousHolder: 'b',
    });
  });
});

describe('leaseRecordChanged', () => {
  it('notices a renewal, a new holder or any other write', () => {
    const base = record();
    assert.equal(leaseRecordChanged(undefined, base), true);
    assert.equal(leaseRecordChanged(base, record()), false);
    assert.equal(leaseRecordChanged(base, record({ renewTime: 'later' })), true);
    assert.equal(leaseRecordChanged(base, record({ holderIdentity: 'c' })), true);
    assert.equal(leaseRecordChanged(base, record({ resourceVersion: '8' })), true);
  });
});
