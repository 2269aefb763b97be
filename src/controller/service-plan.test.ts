import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Assignment } from '../ipam/allocator.ts';
import { address } from '../../test/support/ipam-fixtures.ts';
import {
  ingressPatch,
  planServiceWrites,
  poolAnnotationPatch,
  writesNeeded,
  type ServiceOutcome,
  type ServiceState,
} from './service-plan.ts';

function assigned(
  pool: string,
  ips: string[],
  previous?: string[],
  because?: string,
): ServiceOutcome {
  const assignment: Assignment = { key: 'ns/s', pool, addresses: ips.map(address) };
  return {
    kind: 'assigned',
    assignment,
    previous:
      previous === undefined ? undefined : { key: 'ns/s', pool, addresses: previous.map(address) },
    because: because === undefined ? undefined : { reason: 'ipNotInAnyPool', message: because },
  };
}

const empty: ServiceState = { ingress: [], pool: undefined };

describe('planServiceWrites', () => {
  it('a new allocation writes status, annotation and IPAllocated', () => {
    const writes = planServiceWrites(
      empty,
      assigned('default', ['192.0.2.1', '2001:db8::1']),
      undefined,
    );
    assert.deepEqual(writes, {
      ingress: ['192.0.2.1', '2001:db8::1'],
      pool: 'default',
      event: {
        type: 'Normal',
        reason: 'IPAllocated',
        message: 'Assigned IP [192.0.2.1, 2001:db8::1] from pool default',
      },
    });
  });

  it('a Service that already shows its allocation needs nothing (restart, echo of our write)', () => {
    const writes = planServiceWrites(
      { ingress: ['192.0.2.1'], pool: 'default' },
      assigned('default', ['192.0.2.1']),
      undefined,
    );
    assert.equal(writesNeeded(writes), false);
  });

  it('only the annotation when the status is right but the annotation is missing (MetalLB migration)', () => {
    const writes = planServiceWrites(
      { ingress: ['192.0.2.1'], pool: undefined },
      assigned('default', ['192.0.2.1']),
      undefined,
    );
    assert.deepEqual(writes, { ingress: undefined, pool: 'default', event: undefined });
  });

  it('a move says what it was and why', () => {
    const writes = planServiceWrites(
      { ingress: ['192.0.2.1'], pool: 'default' },
      assigned('default', ['198.51.100.1'], ['192.0.2.1'], 'the address left every pool'),
      undefined,
    );
    assert.deepEqual(writes.ingress, ['198.51.100.1']);
    assert.equal(writes.pool, undefined);
    assert.equal(
      writes.event?.message,
      'Assigned IP [198.51.100.1] from pool default (was 192.0.2.1: the address left every pool)',
    );
  });

  it('a failure clears what the Service shows and reports once per reason', () => {
    const failed: ServiceOutcome = {
      kind: 'failed',
      refusal: { reason: 'poolExhausted', message: 'no free IPv4 address in pool default' },
    };
    const first = planServiceWrites({ ingress: ['192.0.2.1'], pool: 'default' }, failed, undefined);
    assert.deepEqual(first, {
      ingress: [],
      pool: null,
      event: {
        type: 'Warning',
        reason: 'AllocationFailed',
        message: 'poolExhausted: no free IPv4 address in pool default',
      },
    });
    const again = planServiceWrites(empty, failed, first.event.message);
    assert.equal(writesNeeded(again), false);
    const other = planServiceWrites(empty, failed, 'poolExhausted: something older');
    assert.equal(other.event?.reason, 'AllocationFailed');
    assert.equal(other.ingress, undefined);
  });

  it('a Service that stops being a LoadBalancer is cleared with ClearAssignment', () => {
    const released: ServiceOutcome = {
      kind: 'released',
      why: 'the Service is no longer of type LoadBalancer',
    };
    assert.deepEqual(
      planServiceWrites({ ingress: ['192.0.2.1'], pool: 'default' }, released, undefined),
      {
        ingress: [],
        pool: null,
        event: {
          type: 'Normal',
          reason: 'ClearAssignment',
          message: 'Released IP [192.0.2.1]: the Service is no longer of type LoadBalancer',
        },
      },
    );
    // Only the annotation left: removed without an event.
    assert.deepEqual(planServiceWrites({ ingress: [], pool: 'default' }, released, undefined), {
      ingress: undefined,
      pool: null,
      event: undefined,
    });
    assert.equal(writesNeeded(planServiceWrites(empty, released, undefined)), false);
  });

  it('property: applying the writes reaches a state that needs no further writes', () => {
    const ip = fc.constantFrom('192.0.2.1', '192.0.2.2', '2001:db8::1');
    const state = fc.record({
      ingress: fc.uniqueArray(ip, { maxLength: 2 }),
      pool: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }),
    });
    const outcome = fc.oneof(
      fc
        .record({
          pool: fc.constantFrom('a', 'b'),
          ips: fc.uniqueArray(ip, { minLength: 1, maxLength: 2 }),
        })
        .map(({ pool, ips }) => assigned(pool, ips)),
      fc.constant<ServiceOutcome>({
        kind: 'failed',
        refusal: { reason: 'poolExhausted', message: 'm' },
      }),
      fc.constant<ServiceOutcome>({ kind: 'released', why: 'w' }),
    );
    fc.assert(
      fc.property(state, outcome, (before, result) => {
        const writes = planServiceWrites(before, result, undefined);
        const after: ServiceState = {
          ingress: writes.ingress ?? before.ingress,
          pool: writes.pool === undefined ? before.pool : (writes.pool ?? undefined),
        };
        const lastFailure =
          writes.event?.reason === 'AllocationFailed' ? writes.event.message : undefined;
        assert.equal(writesNeeded(planServiceWrites(after, result, lastFailure)), false);
      }),
    );
  });
});

describe('patch bodies', () => {
  it('ingress entries carry ipMode VIP; an empty list removes the ingress', () => {
    assert.deepEqual(ingressPatch(['192.0.2.1']), {
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.1', ipMode: 'VIP' }] } },
    });
    assert.deepEqual(ingressPatch([]), { status: { loadBalancer: { ingress: null } } });
  });

  it('the pool annotation is set or removed', () => {
    assert.deepEqual(poolAnnotationPatch('default'), {
      metadata: { annotations: { 'ironlb.dev/ip-allocated-from-pool': 'default' } },
    });
    assert.deepEqual(poolAnnotationPatch(null), {
      metadata: { annotations: { 'ironlb.dev/ip-allocated-from-pool': null } },
    });
  });
});
