import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isIronlbError } from '../common/errors.ts';
import {
  address,
  assignmentTexts,
  ManualClock,
  pool,
  service,
  texts,
} from '../../test/support/ipam-fixtures.ts';
import type { AllocationChange } from './allocator.ts';
import { IpAllocator, maxSharingCandidates } from './allocator.ts';
import type { AllocationReason } from './errors.ts';
import { IpamErrors } from './errors.ts';
import type { Pool } from './pool.ts';
import type { ServiceRequest } from './service-request.ts';

type Expect =
  | {
      readonly ok: true;
      readonly addresses: string[];
      readonly pool?: string;
      readonly change?: AllocationChange;
      readonly because?: AllocationReason;
      readonly previous?: string[];
    }
  | { readonly ok: false; readonly reason: AllocationReason; readonly released?: string[] };

type Step =
  | { readonly allocate: ServiceRequest; readonly expect: Expect }
  | { readonly release: string; readonly expect?: string[] | undefined }
  | { readonly advance: number }
  | {
      readonly setPools: Pool[];
      readonly changes?: Array<{ key: string; current?: string[]; because?: AllocationReason }>;
    }
  | {
      readonly register: ServiceRequest;
      readonly addresses: string[];
      readonly expect: Expect & { dropped?: AllocationReason[] };
    }
  | { readonly holders: string; readonly expect: string[] };

interface Case {
  readonly name: string;
  readonly pools: Pool[];
  readonly quarantineMs?: number;
  readonly steps: Step[];
}

function run(testCase: Case): void {
  const clock = new ManualClock();
  const allocator = new IpAllocator({ now: clock.now, quarantineMs: testCase.quarantineMs ?? 0 });
  allocator.setPools(testCase.pools);
  testCase.steps.forEach((step, index) => {
    const where = `${testCase.name}, step ${index}`;
    if ('allocate' in step) {
      const outcome = allocator.allocate(step.allocate);
      const expect = step.expect;
      if (expect.ok) {
        assert.ok(outcome.ok, `${where}: ${outcome.ok ? '' : outcome.refusal.message}`);
        assert.deepEqual(texts(outcome.assignment.addresses), expect.addresses, where);
        if (expect.pool !== undefined) assert.equal(outcome.assignment.pool, expect.pool, where);
        if (expect.change !== undefined) assert.equal(outcome.change, expect.change, where);
        if (expect.because !== undefined)
          assert.equal(outcome.because?.reason, expect.because, where);
        if (expect.previous !== undefined) {
          assert.deepEqual(assignmentTexts(outcome.previous), expect.previous, where);
        }
      } else {
        assert.ok(!outcome.ok, `${where}: expected ${expect.reason}, got an assignment`);
        assert.equal(outcome.refusal.reason, expect.reason, `${where}: ${outcome.refusal.message}`);
        assert.ok(outcome.refusal.message.length > 0);
        if (expect.released !== undefined) {
          assert.deepEqual(assignmentTexts(outcome.released), expect.released, where);
        }
        assert.equal(allocator.assignment(step.allocate.key), undefined, `${where}: holds nothing`);
      }
    } else if ('release' in step) {
      const released = allocator.release(step.release);
      if (step.expect !== undefined)
        assert.deepEqual(assignmentTexts(released), step.expect, where);
    } else if ('advance' in step) {
      clock.advance(step.advance);
    } else if ('setPools' in step) {
      const changes = allocator.setPools(step.setPools);
      if (step.changes !== undefined) {
        assert.deepEqual(
          changes.map((c) => ({
            key: c.key,
            ...(c.current === undefined ? {} : { current: assignmentTexts(c.current) }),
            ...(c.because === undefined ? {} : { because: c.because.reason }),
          })),
          step.changes,
          where,
        );
      }
    } else if ('register' in step) {
      const outcome = allocator.registerExisting(step.register, step.addresses.map(address));
      const expect = step.expect;
      if (expect.ok) {
        assert.ok(outcome.ok, `${where}: ${outcome.ok ? '' : outcome.refusal.message}`);
        assert.deepEqual(texts(outcome.assignment.addresses), expect.addresses, where);
        assert.deepEqual(
          outcome.dropped.map((d) => d.refusal.reason),
          expect.dropped ?? [],
          where,
        );
      } else {
        assert.ok(!outcome.ok, where);
        assert.equal(outcome.refusal.reason, expect.reason, `${where}: ${outcome.refusal.message}`);
      }
    } else {
      assert.deepEqual(allocator.holdersOf(address(step.holders)), step.expect, where);
    }
  });
}

const v4 = pool('v4', ['192.0.2.0/29']);
const dual = pool('dual', ['192.0.2.0/29', '2001:db8::/125']);
const dualStack = (
  name: string,
  policy: ServiceRequest['ipFamilyPolicy'],
  families: Array<4 | 6> = [4, 6],
  extra = {},
) => service(name, { ipFamilyPolicy: policy, ipFamilies: families, ...extra });

const cases: Case[] = [
  // ---- requested addresses --------------------------------------------------
  {
    name: 'a requested address is given when free',
    pools: [v4],
    steps: [
      {
        allocate: service('a', { requestedIPs: ['192.0.2.5'] }),
        expect: { ok: true, addresses: ['192.0.2.5'], pool: 'v4', change: 'allocated' },
      },
    ],
  },
  {
    name: 'a requested address outside every pool is refused',
    pools: [v4],
    steps: [
      {
        allocate: service('a', { requestedIPs: ['198.51.100.1'] }),
        expect: { ok: false, reason: 'ipNotInAnyPool' },
      },
    ],
  },
  {
    name: 'a requested address of a family the Service does not have is refused',
    pools: [dual],
    steps: [
      {
        allocate: service('a', { requestedIPs: ['2001:db8::1'] }),
        expect: { ok: false, reason: 'wrongFamily' },
      },
    ],
  },
  {
    name: 'a requested address held by a Service that does not share is refused',
    pools: [v4],
    steps: [
      {
        allocate: service('a', { requestedIPs: ['192.0.2.1'] }),
        expect: { ok: true, addresses: ['192.0.2.1'] },
      },
      {
        allocate: service('b', { requestedIPs: ['192.0.2.1'] }),
        expect: { ok: false, reason: 'ipInUse' },
      },
    ],
  },
  {
    name: 'a requested address in a pool with autoAssign false is allowed',
    pools: [pool('manual', ['192.0.2.0/29'], { autoAssign: false })],
    steps: [
      { allocate: service('auto'), expect: { ok: false, reason: 'noPoolForService' } },
      {
        allocate: service('a', { requestedIPs: ['192.0.2.3'] }),
        expect: { ok: true, addresses: ['192.0.2.3'], pool: 'manual' },
      },
    ],
  },
  {
    name: 'a requested address and a requested pool must agree',
    pools: [v4, pool('other', ['198.51.100.0/30'])],
    steps: [
      {
        allocate: service('a', { requestedIPs: ['192.0.2.1'], requestedPool: 'other' }),
        expect: { ok: false, reason: 'requestedIpNotInRequestedPool' },
      },
      {
        allocate: service('b', { requestedIPs: ['198.51.100.1'], requestedPool: 'other' }),
        expect: { ok: true, addresses: ['198.51.100.1'], pool: 'other' },
      },
    ],
  },
  {
    name: 'requested dual-stack addresses must come from one pool',
    pools: [v4, pool('v6', ['2001:db8::/126'])],
    steps: [
      {
        allocate: dualStack('a', 'RequireDualStack', [4, 6], {
          requestedIPs: ['192.0.2.1', '2001:db8::1'],
        }),
        expect: { ok: false, reason: 'addressesInDifferentPools' },
      },
    ],
  },
  {
    name: 'RequireDualStack with one requested address is refused; PreferDualStack takes it',
    pools: [dual],
    steps: [
      {
        allocate: dualStack('a', 'RequireDualStack', [4, 6], { requestedIPs: ['192.0.2.1'] }),
        expect: { ok: false, reason: 'dualStackUnavailable' },
      },
      {
        allocate: dualStack('b', 'PreferDualStack', [4, 6], { requestedIPs: ['192.0.2.2'] }),
        expect: { ok: true, addresses: ['192.0.2.2'] },
      },
      {
        allocate: dualStack('c', 'RequireDualStack', [6, 4], {
          requestedIPs: ['192.0.2.3', '2001:db8::3'],
        }),
        expect: { ok: true, addresses: ['2001:db8::3', '192.0.2.3'] },
      },
    ],
  },
  {
    name: 'a changed requested address releases the old one and takes the new',
    pools: [v4],
    steps: [
      {
        allocate: service('a', { requestedIPs: ['192.0.2.1'] }),
        expect: { ok: true, addresses: ['192.0.2.1'] },
      },
      {
        allocate: service('a', { requestedIPs: ['192.0.2.2'] }),
        expect: {
          ok: true,
          addresses: ['192.0.2.2'],
          change: 'reallocated',
          because: 'requestedIpChanged',
          previous: ['192.0.2.1'],
        },
      },
      {
        allocate: service('a'),
        expect: { ok: true, addresses: ['192.0.2.2'], change: 'unchanged' },
      },
    ],
  },
  {
    name: 'a requested address that is taken leaves the Service without its old one',
    pools: [v4],
    steps: [
      { allocate: service('a'), expect: { ok: true, addresses: ['192.0.2.0'] } },
      { allocate: service('b'), expect: { ok: true, addresses: ['192.0.2.1'] } },
      {
        allocate: service('b', { requestedIPs: ['192.0.2.0'] }),
        expect: { ok: false, reason: 'ipInUse', released: ['192.0.2.1'] },
      },
    ],
  },
  // ---- requested pool -------------------------------------------------------
  {
    name: 'the pool annotation picks the pool',
    pools: [pool('a', ['192.0.2.0/30']), pool('b', ['198.51.100.0/30'])],
    steps: [
      {
        allocate: service('x', { requestedPool: 'b' }),
        expect: { ok: true, addresses: ['198.51.100.0'], pool: 'b' },
      },
      {
        allocate: service('y', { requestedPool: 'missing' }),
        expect: { ok: false, reason: 'requestedPoolNotFound' },
      },
    ],
  },
  {
    name: 'switching the pool annotation moves the Service',
    pools: [pool('a', ['192.0.2.0/30']), pool('b', ['198.51.100.0/30'])],
    steps: [
      { allocate: service('x'), expect: { ok: true, addresses: ['192.0.2.0'], pool: 'a' } },
      {
        allocate: service('x', { requestedPool: 'b' }),
        expect: {
          ok: true,
          addresses: ['198.51.100.0'],
          pool: 'b',
          change: 'reallocated',
          because: 'requestedPoolChanged',
        },
      },
      // Dropping the annotation keeps the address (stable).
      {
        allocate: service('x'),
        expect: { ok: true, addresses: ['198.51.100.0'], pool: 'b', change: 'unchanged' },
      },
    ],
  },
  {
    name: 'a requested pool that is full or of the wrong family is refused',
    pools: [pool('one', ['192.0.2.7/32']), pool('v6', ['2001:db8::/127'])],
    steps: [
      {
        allocate: service('a', { requestedPool: 'one' }),
        expect: { ok: true, addresses: ['192.0.2.7'] },
      },
      {
        allocate: service('b', { requestedPool: 'one' }),
        expect: { ok: false, reason: 'poolExhausted' },
      },
      {
        allocate: service('c', { requestedPool: 'v6' }),
        expect: { ok: false, reason: 'wrongFamily' },
      },
      {
        allocate: dualStack('d', 'RequireDualStack', [4, 6], { requestedPool: 'v6' }),
        expect: { ok: false, reason: 'dualStackUnavailable' },
      },
      {
        allocate: dualStack('e', 'PreferDualStack', [4, 6], { requestedPool: 'v6' }),
        expect: { ok: true, addresses: ['2001:db8::'] },
      },
    ],
  },
  // ---- sharing --------------------------------------------------------------
  {
    name: 'Services with the same key and different ports share an address',
    pools: [v4],
    steps: [
      {
        allocate: service('dns-tcp', { sharingKey: 'dns', ports: [{ protocol: 'TCP', port: 53 }] }),
        expect: { ok: true, addresses: ['192.0.2.0'] },
      },
      { allocate: service('other'), expect: { ok: true, addresses: ['192.0.2.1'] } },
      {
        allocate: service('dns-udp', { sharingKey: 'dns', ports: [{ protocol: 'UDP', port: 53 }] }),
        expect: { ok: true, addresses: ['192.0.2.0'] },
      },
      { holders: '192.0.2.0', expect: ['default/dns-tcp', 'default/dns-udp'] },
      // Releasing one keeps the address with the other.
      { release: 'default/dns-tcp', expect: ['192.0.2.0'] },
      { holders: '192.0.2.0', expect: ['default/dns-udp'] },
    ],
  },
  {
    name: 'sharing is refused when ports overlap; automatic allocation then takes a new address',
    pools: [v4],
    steps: [
      {
        allocate: service('a', { sharingKey: 'k', requestedIPs: ['192.0.2.4'] }),
        expect: { ok: true, addresses: ['192.0.2.4'] },
      },
      {
        allocate: service('b', { sharingKey: 'k', requestedIPs: ['192.0.2.4'] }),
        expect: { ok: false, reason: 'sharingConflictPorts' },
      },
      {
        allocate: service('c', { sharingKey: 'k' }),
        expect: { ok: true, addresses: ['192.0.2.0'] },
      },
    ],
  },
  {
    name: 'sharing under Local needs the same selector, and Local does not mix with Cluster',
    pools: [v4],
    steps: [
      {
        allocate: service('a', {
          sharingKey: 'k',
          externalTrafficPolicy: 'Local',
          selector: { app: 'web' },
          requestedIPs: ['192.0.2.1'],
        }),
        expect: { ok: true, addresses: ['192.0.2.1'] },
      },
      {
        allocate: service('b', {
          sharingKey: 'k',
          externalTrafficPolicy: 'Local',
          selector: { app: 'api' },
          ports: [{ protocol: 'TCP', port: 443 }],
          requestedIPs: ['192.0.2.1'],
        }),
        expect: { ok: false, reason: 'sharingConflictSelector' },
      },
      {
        allocate: service('c', {
          sharingKey: 'k',
          externalTrafficPolicy: 'Cluster',
          selector: { app: 'web' },
          ports: [{ protocol: 'TCP', port: 443 }],
          requestedIPs: ['192.0.2.1'],
        }),
        expect: { ok: false, reason: 'sharingConflictSelector' },
      },
      {
        allocate: service('d', {
          sharingKey: 'k',
          externalTrafficPolicy: 'Local',
          selector: { app: 'web' },
          ports: [{ protocol: 'TCP', port: 443 }],
          requestedIPs: ['192.0.2.1'],
        }),
        expect: { ok: true, addresses: ['192.0.2.1'] },
      },
    ],
  },
  {
    name: 'Cluster Services with the same key share whatever their selectors',
    pools: [v4],
    steps: [
      {
        allocate: service('a', { sharingKey: 'k', selector: { app: 'web' } }),
        expect: { ok: true, addresses: ['192.0.2.0'] },
      },
      {
        allocate: service('b', {
          sharingKey: 'k',
          selector: { app: 'api' },
          ports: [{ protocol: 'TCP', port: 81 }],
        }),
        expect: { ok: true, addresses: ['192.0.2.0'] },
      },
    ],
  },
  {
    name: 'sharing needs the same key on both sides',
    pools: [v4],
    steps: [
      {
        allocate: service('a', { sharingKey: 'k1', requestedIPs: ['192.0.2.1'] }),
        expect: { ok: true, addresses: ['192.0.2.1'] },
      },
      {
        allocate: service('b', {
          sharingKey: 'k2',
          ports: [{ protocol: 'TCP', port: 81 }],
          requestedIPs: ['192.0.2.1'],
        }),
        expect: { ok: false, reason: 'sharingKeyMismatch' },
      },
      {
        allocate: service('c', {
          ports: [{ protocol: 'TCP', port: 81 }],
          requestedIPs: ['192.0.2.1'],
        }),
        expect: { ok: false, reason: 'ipInUse' },
      },
      {
        allocate: service('d', { requestedIPs: ['192.0.2.2'] }),
        expect: { ok: true, addresses: ['192.0.2.2'] },
      },
      {
        allocate: service('e', {
          sharingKey: 'k1',
          ports: [{ protocol: 'TCP', port: 81 }],
          requestedIPs: ['192.0.2.2'],
        }),
        expect: { ok: false, reason: 'ipInUse' },
      },
    ],
  },
  {
    name: 'a port change that collides with a sharer moves the Service away',
    pools: [v4],
    steps: [
      {
        allocate: service('a', { sharingKey: 'k', ports: [{ protocol: 'TCP', port: 80 }] }),
        expect: { ok: true, addresses: ['192.0.2.0'] },
      },
      {
        allocate: service('b', { sharingKey: 'k', ports: [{ protocol: 'TCP', port: 443 }] }),
        expect: { ok: true, addresses: ['192.0.2.0'] },
      },
      // A port change that does not collide keeps the address.
      {
        allocate: service('b', { sharingKey: 'k', ports: [{ protocol: 'TCP', port: 8443 }] }),
        expect: { ok: true, addresses: ['192.0.2.0'], change: 'unchanged' },
      },
      {
        allocate: service('b', { sharingKey: 'k', ports: [{ protocol: 'TCP', port: 80 }] }),
        expect: {
          ok: true,
          addresses: ['192.0.2.1'],
          change: 'reallocated',
          because: 'sharingConflictPorts',
        },
      },
      { holders: '192.0.2.0', expect: ['default/a'] },
    ],
  },
  {
    name: 'a Service alone on its address may change its sharing key',
    pools: [v4],
    steps: [
      {
        allocate: service('a', { sharingKey: 'k1' }),
        expect: { ok: true, addresses: ['192.0.2.0'] },
      },
      {
        allocate: service('a', { sharingKey: 'k2' }),
        expect: { ok: true, addresses: ['192.0.2.0'], change: 'unchanged' },
      },
      {
        allocate: service('b', { sharingKey: 'k2', ports: [{ protocol: 'UDP', port: 80 }] }),
        expect: { ok: true, addresses: ['192.0.2.0'] },
      },
      {
        allocate: service('c', { sharingKey: 'k1', ports: [{ protocol: 'UDP', port: 81 }] }),
        expect: { ok: true, addresses: ['192.0.2.1'] },
      },
    ],
  },
  // ---- dual-stack -----------------------------------------------------------
  {
    name: 'SingleStack takes one address of its family',
    pools: [dual],
    steps: [
      {
        allocate: dualStack('a', 'SingleStack', [6]),
        expect: { ok: true, addresses: ['2001:db8::'] },
      },
      {
        allocate: dualStack('b', 'SingleStack', [4, 6]),
        expect: { ok: true, addresses: ['192.0.2.0'] },
      },
    ],
  },
  {
    name: 'RequireDualStack takes one address per family, in ipFamilies order',
    pools: [dual],
    steps: [
      {
        allocate: dualStack('a', 'RequireDualStack', [4, 6]),
        expect: { ok: true, addresses: ['192.0.2.0', '2001:db8::'] },
      },
      {
        allocate: dualStack('b', 'RequireDualStack', [6, 4]),
        expect: { ok: true, addresses: ['2001:db8::1', '192.0.2.1'] },
      },
    ],
  },
  {
    name: 'RequireDualStack fails without a pool that has both families',
    pools: [v4, pool('v6', ['2001:db8::/126'])],
    steps: [
      {
        allocate: dualStack('a', 'RequireDualStack'),
        expect: { ok: false, reason: 'dualStackUnavailable' },
      },
    ],
  },
  {
    name: 'RequireDualStack fails when one family is exhausted',
    pools: [pool('dual', ['192.0.2.1/32', '2001:db8::/126'])],
    steps: [
      { allocate: service('v4-only'), expect: { ok: true, addresses: ['192.0.2.1'] } },
      {
        allocate: dualStack('a', 'RequireDualStack'),
        expect: { ok: false, reason: 'dualStackUnavailable' },
      },
      {
        allocate: dualStack('b', 'PreferDualStack'),
        expect: { ok: true, addresses: ['2001:db8::'] },
      },
    ],
  },
  {
    name: 'RequireDualStack prefers a pool with both families over an earlier partial one',
    pools: [pool('a-v4', ['192.0.2.0/30']), pool('b-dual', ['198.51.100.0/30', '2001:db8::/126'])],
    steps: [
      {
        allocate: dualStack('x', 'RequireDualStack'),
        expect: { ok: true, addresses: ['198.51.100.0', '2001:db8::'], pool: 'b-dual' },
      },
    ],
  },
  {
    name: 'PreferDualStack takes what there is and gains the second family later, keeping the first',
    pools: [pool('p', ['192.0.2.0/30'])],
    steps: [
      {
        allocate: dualStack('a', 'PreferDualStack'),
        expect: { ok: true, addresses: ['192.0.2.0'], change: 'allocated' },
      },
      {
        allocate: dualStack('a', 'PreferDualStack'),
        expect: { ok: true, addresses: ['192.0.2.0'], change: 'unchanged' },
      },
      { setPools: [pool('p', ['192.0.2.0/30', '2001:db8::/126'])], changes: [] },
      {
        allocate: dualStack('a', 'PreferDualStack'),
        expect: {
          ok: true,
          addresses: ['192.0.2.0', '2001:db8::'],
          change: 'extended',
          previous: ['192.0.2.0'],
        },
      },
    ],
  },
  {
    name: 'PreferDualStack prefers a pool with both families, then one with the primary family',
    pools: [
      pool('a-v6', ['2001:db8::/126']),
      pool('b-v4', ['192.0.2.0/30']),
      pool('c-dual', ['198.51.100.0/31', '2001:db8:1::/127']),
    ],
    steps: [
      {
        allocate: dualStack('x', 'PreferDualStack'),
        expect: { ok: true, addresses: ['198.51.100.0', '2001:db8:1::'], pool: 'c-dual' },
      },
      {
        allocate: dualStack('y', 'PreferDualStack'),
        expect: { ok: true, addresses: ['198.51.100.1', '2001:db8:1::1'], pool: 'c-dual' },
      },
      {
        allocate: dualStack('z', 'PreferDualStack'),
        expect: { ok: true, addresses: ['192.0.2.0'], pool: 'b-v4' },
      },
    ],
  },
  {
    name: 'going from PreferDualStack to SingleStack drops the other family only',
    pools: [dual],
    steps: [
      {
        allocate: dualStack('a', 'PreferDualStack'),
        expect: { ok: true, addresses: ['192.0.2.0', '2001:db8::'] },
      },
      {
        allocate: dualStack('a', 'SingleStack', [4]),
        expect: { ok: true, addresses: ['192.0.2.0'], change: 'reduced', because: 'wrongFamily' },
      },
      { holders: '2001:db8::', expect: [] },
    ],
  },
  // ---- pinned pools ---------------------------------------------------------
  {
    name: 'a namespace-pinned pool serves its namespace first and nobody else',
    pools: [
      pool('default', ['192.0.2.0/31']),
      pool('team-a', ['198.51.100.0/31'], { serviceAllocation: { namespaces: ['team-a'] } }),
    ],
    steps: [
      {
        allocate: service('x', { namespace: 'team-a' }),
        expect: { ok: true, addresses: ['198.51.100.0'], pool: 'team-a' },
      },
      {
        allocate: service('y', { namespace: 'team-b' }),
        expect: { ok: true, addresses: ['192.0.2.0'], pool: 'default' },
      },
      {
        allocate: service('z', { namespace: 'team-b' }),
        expect: { ok: true, addresses: ['192.0.2.1'] },
      },
      {
        allocate: service('w', { namespace: 'team-b' }),
        expect: { ok: false, reason: 'poolExhausted' },
      },
      {
        allocate: service('v', { namespace: 'team-b', requestedPool: 'team-a' }),
        expect: { ok: false, reason: 'poolNotAllowedForService' },
      },
      {
        allocate: service('u', { namespace: 'team-b', requestedIPs: ['198.51.100.1'] }),
        expect: { ok: false, reason: 'poolNotAllowedForService' },
      },
      // When the pinned pool is full, its Services fall back to the general pools.
      {
        allocate: service('t', { namespace: 'team-a' }),
        expect: { ok: true, addresses: ['198.51.100.1'] },
      },
      { release: 'team-b/y' },
      {
        allocate: service('s', { namespace: 'team-a' }),
        expect: { ok: true, addresses: ['192.0.2.0'], pool: 'default' },
      },
    ],
  },
  {
    name: 'namespace selectors and service selectors pin pools',
    pools: [
      pool('general', ['192.0.2.0/30']),
      pool('prod', ['198.51.100.0/30'], {
        serviceAllocation: { namespaceSelectors: [{ matchLabels: { env: 'prod' } }] },
      }),
      pool('premium', ['203.0.113.0/30'], {
        serviceAllocation: {
          serviceSelectors: [
            { matchExpressions: [{ key: 'tier', operator: 'In', values: ['gold'] }] },
          ],
        },
      }),
      pool('both', ['203.0.113.8/30'], {
        serviceAllocation: {
          priority: 1,
          namespaces: ['shop'],
          serviceSelectors: [{ matchLabels: { tier: 'gold' } }],
        },
      }),
    ],
    steps: [
      {
        allocate: service('a', { namespace: 'n1', namespaceLabels: { env: 'prod' } }),
        expect: { ok: true, pool: 'prod', addresses: ['198.51.100.0'] },
      },
      {
        allocate: service('b', { namespace: 'n2', labels: { tier: 'gold' } }),
        expect: { ok: true, pool: 'premium', addresses: ['203.0.113.0'] },
      },
      {
        allocate: service('c', { namespace: 'shop', labels: { tier: 'gold' } }),
        expect: { ok: true, pool: 'both', addresses: ['203.0.113.8'] },
      },
      {
        allocate: service('d', { namespace: 'shop', labels: { tier: 'silver' } }),
        expect: { ok: true, pool: 'general', addresses: ['192.0.2.0'] },
      },
    ],
  },
  {
    name: 'pinned pools are tried by priority, lower first, unset (or 0) last',
    pools: [
      pool('p0', ['192.0.2.0/32'], { serviceAllocation: { priority: 0, namespaces: ['ns'] } }),
      pool('p-unset', ['192.0.2.1/32'], { serviceAllocation: { namespaces: ['ns'] } }),
      pool('p5', ['192.0.2.2/32'], { serviceAllocation: { priority: 5, namespaces: ['ns'] } }),
      pool('p2', ['192.0.2.3/32'], { serviceAllocation: { priority: 2, namespaces: ['ns'] } }),
      pool('general', ['192.0.2.4/32']),
    ],
    steps: [
      {
        allocate: service('a', { namespace: 'ns' }),
        expect: { ok: true, pool: 'p2', addresses: ['192.0.2.3'] },
      },
      {
        allocate: service('b', { namespace: 'ns' }),
        expect: { ok: true, pool: 'p5', addresses: ['192.0.2.2'] },
      },
      {
        allocate: service('c', { namespace: 'ns' }),
        expect: { ok: true, pool: 'p-unset', addresses: ['192.0.2.1'] },
      },
      {
        allocate: service('d', { namespace: 'ns' }),
        expect: { ok: true, pool: 'p0', addresses: ['192.0.2.0'] },
      },
      {
        allocate: service('e', { namespace: 'ns' }),
        expect: { ok: true, pool: 'general', addresses: ['192.0.2.4'] },
      },
    ],
  },
  {
    name: 'a pinned pool with autoAssign false is used only on request',
    pools: [
      pool('pinned', ['192.0.2.0/30'], {
        autoAssign: false,
        serviceAllocation: { namespaces: ['ns'] },
      }),
      pool('general', ['198.51.100.0/30']),
    ],
    steps: [
      {
        allocate: service('a', { namespace: 'ns' }),
        expect: { ok: true, pool: 'general', addresses: ['198.51.100.0'] },
      },
      {
        allocate: service('b', { namespace: 'ns', requestedPool: 'pinned' }),
        expect: { ok: true, pool: 'pinned', addresses: ['192.0.2.0'] },
      },
    ],
  },
  {
    name: 'a Service whose labels stop matching its pinned pool moves',
    pools: [
      pool('gold', ['192.0.2.0/30'], {
        serviceAllocation: { serviceSelectors: [{ matchLabels: { tier: 'gold' } }] },
      }),
      pool('general', ['198.51.100.0/30']),
    ],
    steps: [
      {
        allocate: service('a', { labels: { tier: 'gold' } }),
        expect: { ok: true, pool: 'gold', addresses: ['192.0.2.0'] },
      },
      {
        allocate: service('a', { labels: { tier: 'iron' } }),
        expect: {
          ok: true,
          pool: 'general',
          change: 'reallocated',
          because: 'poolNotAllowedForService',
          addresses: ['198.51.100.0'],
        },
      },
    ],
  },
  // ---- addresses inside pools ------------------------------------------------
  {
    name: 'avoidBuggyIPs skips .0 and .255 without refusing the rest',
    pools: [pool('p', ['192.0.2.254-192.0.3.2'], { avoidBuggyIPs: true })],
    steps: [
      { allocate: service('a'), expect: { ok: true, addresses: ['192.0.2.254'] } },
      { allocate: service('b'), expect: { ok: true, addresses: ['192.0.3.1'] } },
      {
        allocate: service('c', { requestedIPs: ['192.0.3.0'] }),
        expect: { ok: false, reason: 'ipAvoidedByPool' },
      },
      { allocate: service('d'), expect: { ok: true, addresses: ['192.0.3.2'] } },
      { allocate: service('e'), expect: { ok: false, reason: 'poolExhausted' } },
    ],
  },
  {
    name: 'a pool is exhausted after its last address',
    pools: [pool('p', ['192.0.2.0/31'])],
    steps: [
      { allocate: service('a'), expect: { ok: true, addresses: ['192.0.2.0'] } },
      { allocate: service('b'), expect: { ok: true, addresses: ['192.0.2.1'] } },
      { allocate: service('c'), expect: { ok: false, reason: 'poolExhausted' } },
      { release: 'default/a' },
      { allocate: service('c'), expect: { ok: true, addresses: ['192.0.2.0'] } },
    ],
  },
  {
    name: 'several ranges in a pool are used lowest first',
    pools: [pool('p', ['198.51.100.7/32', '192.0.2.9/32'])],
    steps: [
      { allocate: service('a'), expect: { ok: true, addresses: ['192.0.2.9'] } },
      { allocate: service('b'), expect: { ok: true, addresses: ['198.51.100.7'] } },
    ],
  },
  {
    name: 'automatic pools are tried by name when no pool is pinned',
    pools: [pool('b', ['198.51.100.0/32']), pool('a', ['192.0.2.0/32'])],
    steps: [
      { allocate: service('x'), expect: { ok: true, pool: 'a', addresses: ['192.0.2.0'] } },
      { allocate: service('y'), expect: { ok: true, pool: 'b', addresses: ['198.51.100.0'] } },
      {
        allocate: dualStack('z', 'SingleStack', [6]),
        expect: { ok: false, reason: 'noPoolForService' },
      },
    ],
  },
  // ---- quarantine -------------------------------------------------------------
  {
    name: 'a released address rests while other addresses are free',
    pools: [pool('p', ['192.0.2.0/30'])],
    quarantineMs: 1000,
    steps: [
      { allocate: service('a'), expect: { ok: true, addresses: ['192.0.2.0'] } },
      { allocate: service('b'), expect: { ok: true, addresses: ['192.0.2.1'] } },
      { release: 'default/a' },
      { advance: 10 },
      { release: 'default/b' },
      { allocate: service('c'), expect: { ok: true, addresses: ['192.0.2.2'] } },
      { allocate: service('d'), expect: { ok: true, addresses: ['192.0.2.3'] } },
      // Nothing else is free: the address that rested longest comes back first.
      { allocate: service('e'), expect: { ok: true, addresses: ['192.0.2.0'] } },
      { allocate: service('f'), expect: { ok: true, addresses: ['192.0.2.1'] } },
    ],
  },
  {
    name: 'after the quarantine, released addresses are reused lowest first',
    pools: [pool('p', ['192.0.2.0/29'])],
    quarantineMs: 1000,
    steps: [
      { allocate: service('a'), expect: { ok: true, addresses: ['192.0.2.0'] } },
      { allocate: service('b'), expect: { ok: true, addresses: ['192.0.2.1'] } },
      { allocate: service('c'), expect: { ok: true, addresses: ['192.0.2.2'] } },
      { release: 'default/c' },
      { release: 'default/b' },
      { advance: 999 },
      { allocate: service('d'), expect: { ok: true, addresses: ['192.0.2.3'] } },
      { advance: 1 },
      { allocate: service('e'), expect: { ok: true, addresses: ['192.0.2.1'] } },
      { allocate: service('f'), expect: { ok: true, addresses: ['192.0.2.2'] } },
      { allocate: service('g'), expect: { ok: true, addresses: ['192.0.2.4'] } },
    ],
  },
  {
    name: 'an explicit request may take a quarantined address',
    pools: [pool('p', ['192.0.2.0/29'])],
    quarantineMs: 1000,
    steps: [
      { allocate: service('a'), expect: { ok: true, addresses: ['192.0.2.0'] } },
      { release: 'default/a' },
      {
        allocate: service('b', { requestedIPs: ['192.0.2.0'] }),
        expect: { ok: true, addresses: ['192.0.2.0'] },
      },
      { allocate: service('c'), expect: { ok: true, addresses: ['192.0.2.1'] } },
    ],
  },
  {
    name: 'an address requested ahead of the cursor is skipped, and reused after its release',
    pools: [pool('p', ['192.0.2.0/30'])],
    quarantineMs: 1000,
    steps: [
      {
        allocate: service('a', { requestedIPs: ['192.0.2.1'] }),
        expect: { ok: true, addresses: ['192.0.2.1'] },
      },
      { allocate: service('b'), expect: { ok: true, addresses: ['192.0.2.0'] } },
      { allocate: service('c'), expect: { ok: true, addresses: ['192.0.2.2'] } },
      { release: 'default/a' },
      { allocate: service('d'), expect: { ok: true, addresses: ['192.0.2.3'] } },
      { allocate: service('e'), expect: { ok: true, addresses: ['192.0.2.1'] } },
    ],
  },
  // ---- start-up registration ---------------------------------------------------
  {
    name: 'registering existing addresses keeps them stable and blocks others from them',
    pools: [v4],
    steps: [
      {
        register: service('old'),
        addresses: ['192.0.2.0'],
        expect: { ok: true, addresses: ['192.0.2.0'] },
      },
      { allocate: service('new'), expect: { ok: true, addresses: ['192.0.2.1'] } },
      {
        allocate: service('old'),
        expect: { ok: true, addresses: ['192.0.2.0'], change: 'unchanged' },
      },
    ],
  },
  {
    name: 'registration refuses what the rules refuse',
    pools: [v4, pool('pinned', ['198.51.100.0/30'], { serviceAllocation: { namespaces: ['ns'] } })],
    steps: [
      {
        register: service('outside'),
        addresses: ['203.0.113.1'],
        expect: { ok: false, reason: 'ipNotInAnyPool' },
      },
      {
        register: service('holder'),
        addresses: ['192.0.2.1'],
        expect: { ok: true, addresses: ['192.0.2.1'] },
      },
      {
        register: service('clash'),
        addresses: ['192.0.2.1'],
        expect: { ok: false, reason: 'ipInUse' },
      },
      {
        register: service('moved', { requestedIPs: ['192.0.2.3'] }),
        addresses: ['192.0.2.2'],
        expect: { ok: false, reason: 'requestedIpChanged' },
      },
      {
        register: service('pool', { requestedPool: 'pinned' }),
        addresses: ['192.0.2.2'],
        expect: { ok: false, reason: 'requestedPoolChanged' },
      },
      {
        register: service('not-admitted'),
        addresses: ['198.51.100.1'],
        expect: { ok: false, reason: 'poolNotAllowedForService' },
      },
      {
        register: service('nothing'),
        addresses: [],
        expect: { ok: false, reason: 'invalidRequest' },
      },
    ],
  },
  {
    name: 'registration drops a single wrong address and keeps the rest',
    pools: [dual],
    steps: [
      {
        register: dualStack('a', 'SingleStack', [4]),
        addresses: ['192.0.2.3', '2001:db8::3'],
        expect: { ok: true, addresses: ['192.0.2.3'], dropped: ['wrongFamily'] },
      },
      {
        register: dualStack('b', 'PreferDualStack'),
        addresses: ['192.0.2.4', '2001:db8:ffff::1'],
        expect: { ok: true, addresses: ['192.0.2.4'], dropped: ['ipNotInAnyPool'] },
      },
      {
        register: dualStack('c', 'PreferDualStack'),
        addresses: ['192.0.2.5', '192.0.2.6'],
        expect: { ok: true, addresses: ['192.0.2.5'], dropped: ['invalidRequest'] },
      },
      // Allocation afterwards completes what registration kept.
      {
        allocate: dualStack('b', 'PreferDualStack'),
        expect: { ok: true, addresses: ['192.0.2.4', '2001:db8::'], change: 'extended' },
      },
    ],
  },
  {
    name: 'a RequireDualStack Service registered with one family is completed, or moved if it cannot be',
    pools: [pool('dual', ['192.0.2.0/30', '2001:db8::/127']), pool('v4only', ['198.51.100.0/30'])],
    steps: [
      {
        register: dualStack('a', 'RequireDualStack'),
        addresses: ['192.0.2.1'],
        expect: { ok: true, addresses: ['192.0.2.1'] },
      },
      {
        allocate: dualStack('a', 'RequireDualStack'),
        expect: { ok: true, addresses: ['192.0.2.1', '2001:db8::'], change: 'extended' },
      },
      {
        register: dualStack('b', 'RequireDualStack'),
        addresses: ['198.51.100.1'],
        expect: { ok: true, addresses: ['198.51.100.1'] },
      },
      {
        allocate: dualStack('b', 'RequireDualStack'),
        expect: {
          ok: true,
          addresses: ['192.0.2.0', '2001:db8::1'],
          change: 'reallocated',
          because: 'dualStackUnavailable',
        },
      },
    ],
  },
  // ---- pool edits -----------------------------------------------------------
  {
    name: 'a pool edit keeps valid assignments and reports the others',
    pools: [pool('a', ['192.0.2.0/30']), pool('b', ['198.51.100.0/30'])],
    steps: [
      { allocate: service('x'), expect: { ok: true, addresses: ['192.0.2.0'], pool: 'a' } },
      {
        allocate: service('y', { requestedPool: 'b' }),
        expect: { ok: true, addresses: ['198.51.100.0'], pool: 'b' },
      },
      {
        allocate: service('z', { requestedIPs: ['192.0.2.3'] }),
        expect: { ok: true, addresses: ['192.0.2.3'] },
      },
      // a shrinks to 192.0.2.0/31 (z's address leaves), b is removed.
      {
        setPools: [pool('a', ['192.0.2.0/31'])],
        changes: [
          { key: 'default/y', because: 'ipNotInAnyPool' },
          { key: 'default/z', because: 'ipNotInAnyPool' },
        ],
      },
      {
        allocate: service('x'),
        expect: { ok: true, addresses: ['192.0.2.0'], change: 'unchanged' },
      },
      {
        allocate: service('y', { requestedPool: 'b' }),
        expect: { ok: false, reason: 'requestedPoolNotFound' },
      },
      {
        allocate: service('z', { requestedIPs: ['192.0.2.3'] }),
        expect: { ok: false, reason: 'ipNotInAnyPool' },
      },
    ],
  },
  {
    name: 'a renamed pool keeps its Services and reports the new pool name',
    pools: [pool('old', ['192.0.2.0/30'])],
    steps: [
      { allocate: service('x'), expect: { ok: true, addresses: ['192.0.2.0'], pool: 'old' } },
      {
        setPools: [pool('new', ['192.0.2.0/29'])],
        changes: [{ key: 'default/x', current: ['192.0.2.0'] }],
      },
      {
        allocate: service('x'),
        expect: { ok: true, addresses: ['192.0.2.0'], pool: 'new', change: 'unchanged' },
      },
      { allocate: service('y'), expect: { ok: true, addresses: ['192.0.2.1'] } },
    ],
  },
  {
    name: 'turning on avoidBuggyIPs or pinning a pool releases what no longer fits',
    pools: [pool('p', ['192.0.2.0/30'])],
    steps: [
      { allocate: service('x'), expect: { ok: true, addresses: ['192.0.2.0'] } },
      {
        allocate: service('y', { namespace: 'other' }),
        expect: { ok: true, addresses: ['192.0.2.1'] },
      },
      {
        setPools: [
          pool('p', ['192.0.2.0/30'], {
            avoidBuggyIPs: true,
            serviceAllocation: { namespaces: ['default'] },
          }),
        ],
        changes: [
          { key: 'default/x', because: 'ipAvoidedByPool' },
          { key: 'other/y', because: 'poolNotAllowedForService' },
        ],
      },
      {
        allocate: service('x'),
        expect: { ok: true, addresses: ['192.0.2.1'], change: 'allocated' },
      },
    ],
  },
  {
    name: 'a PreferDualStack Service whose IPv6 range goes away keeps its IPv4 address',
    pools: [dual],
    steps: [
      {
        allocate: dualStack('a', 'PreferDualStack'),
        expect: { ok: true, addresses: ['192.0.2.0', '2001:db8::'] },
      },
      {
        setPools: [v4],
        changes: [{ key: 'default/a', current: ['192.0.2.0'], because: 'ipNotInAnyPool' }],
      },
      {
        allocate: dualStack('a', 'PreferDualStack'),
        expect: { ok: true, addresses: ['192.0.2.0'], change: 'unchanged' },
      },
    ],
  },
  {
    name: 'Services sharing an address that leaves the pools move together, never back onto it',
    pools: [pool('p', ['192.0.2.0/30', '2001:db8::/127', '2001:db8:1::/127'])],
    steps: [
      {
        allocate: dualStack('a', 'RequireDualStack', [6, 4], { sharingKey: 'k' }),
        expect: { ok: true, addresses: ['2001:db8::', '192.0.2.0'] },
      },
      {
        allocate: dualStack('b', 'SingleStack', [6], {
          sharingKey: 'k',
          ports: [{ protocol: 'UDP', port: 53 }],
        }),
        expect: { ok: true, addresses: ['2001:db8::'] },
      },
      {
        setPools: [pool('p', ['192.0.2.0/30', '2001:db8:1::/127'])],
        changes: [
          { key: 'default/a', current: ['2001:db8:1::', '192.0.2.0'], because: 'ipNotInAnyPool' },
          { key: 'default/b', because: 'ipNotInAnyPool' },
        ],
      },
      { holders: '2001:db8::', expect: [] },
      {
        allocate: dualStack('b', 'SingleStack', [6], {
          sharingKey: 'k',
          ports: [{ protocol: 'UDP', port: 53 }],
        }),
        expect: { ok: true, addresses: ['2001:db8:1::'] },
      },
    ],
  },
  {
    name: 'released addresses keep resting across a pool edit that changes their range',
    pools: [pool('p', ['192.0.2.0/30'])],
    quarantineMs: 1000,
    steps: [
      { allocate: service('a'), expect: { ok: true, addresses: ['192.0.2.0'] } },
      { release: 'default/a' },
      { setPools: [pool('p', ['192.0.2.0/29'])] },
      { allocate: service('b'), expect: { ok: true, addresses: ['192.0.2.1'] } },
      { advance: 1000 },
      { allocate: service('c'), expect: { ok: true, addresses: ['192.0.2.0'] } },
    ],
  },
];

describe('IpAllocator rules (table)', () => {
  for (const testCase of cases) {
    it(testCase.name, () => run(testCase));
  }
});

describe('IpAllocator pools and status', () => {
  it('refuses a pool set with overlaps or duplicate names and keeps the old one', () => {
    const allocator = new IpAllocator({ now: () => 0 });
    allocator.setPools([pool('a', ['192.0.2.0/30'])]);
    for (const bad of [
      [pool('a', ['192.0.2.0/30']), pool('b', ['192.0.2.2/31'])],
      [pool('a', ['192.0.2.0/30']), pool('a', ['198.51.100.0/30'])],
      [pool('a', ['10.0.0.0/8', '10.1.0.0/16', '10.2.0.0/16'])],
    ]) {
      assert.throws(
        () => allocator.setPools(bad),
        (err: unknown) => isIronlbError(err, IpamErrors.IRONLB_ERR_IPAM_INVALID_POOLS),
      );
    }
    assert.deepEqual(
      allocator.poolStatuses().map((s) => s.pool),
      ['a'],
    );
  });

  it('counts assigned and available addresses per family as bigints, shared addresses once', () => {
    const allocator = new IpAllocator({ now: () => 0 });
    allocator.setPools([
      pool('big', ['2001:db8::/64', '192.0.2.0/24'], { avoidBuggyIPs: true }),
      pool('empty', ['198.51.100.0/30']),
    ]);
    allocator.allocate(service('a', { sharingKey: 'k' }));
    allocator.allocate(service('b', { sharingKey: 'k', ports: [{ protocol: 'UDP', port: 80 }] }));
    allocator.allocate(service('c', { ipFamilies: [6] }));
    assert.deepEqual(allocator.poolStatus('big'), {
      pool: 'big',
      ipv4: { total: 254n, assigned: 1n, available: 253n },
      ipv6: { total: 2n ** 64n, assigned: 1n, available: 2n ** 64n - 1n },
    });
    assert.deepEqual(allocator.poolStatus('empty')?.ipv4, {
      total: 4n,
      assigned: 0n,
      available: 4n,
    });
    assert.equal(allocator.poolStatus('missing'), undefined);
    allocator.release('default/a');
    assert.equal(allocator.poolStatus('big')?.ipv4.assigned, 1n, 'b still holds it');
    allocator.release('default/b');
    assert.equal(allocator.poolStatus('big')?.ipv4.assigned, 0n);
    allocator.setPools([pool('renamed', ['2001:db8::/64'])]);
    assert.equal(allocator.poolStatus('renamed')?.ipv6.assigned, 1n);
  });

  it('answers which pool an address belongs to', () => {
    const allocator = new IpAllocator({ now: () => 0 });
    allocator.setPools([pool('p', ['192.0.2.0/24'], { avoidBuggyIPs: true })]);
    assert.equal(allocator.poolOf(address('192.0.2.7')), 'p');
    assert.equal(allocator.poolOf(address('192.0.2.255')), undefined);
    assert.equal(allocator.poolOf(address('192.0.3.1')), undefined);
  });

  it('lists assignments sorted by key and forgets released Services', () => {
    const allocator = new IpAllocator({ now: () => 0 });
    allocator.setPools([v4]);
    allocator.allocate(service('b'));
    allocator.allocate(service('a'));
    assert.deepEqual(
      allocator.assignments().map((a) => [a.key, assignmentTexts(a)]),
      [
        ['default/a', ['192.0.2.1']],
        ['default/b', ['192.0.2.0']],
      ],
    );
    assert.equal(allocator.release('default/nobody'), undefined);
    allocator.release('default/a');
    assert.equal(allocator.assignment('default/a'), undefined);
  });

  it('looks at a bounded number of addresses under one sharing key before taking a fresh one', () => {
    const allocator = new IpAllocator({ now: () => 0 });
    allocator.setPools([pool('p', ['10.0.0.0/16'])]);
    const both = [
      { protocol: 'TCP', port: 80 },
      { protocol: 'TCP', port: 443 },
    ];
    for (let i = 0; i < maxSharingCandidates; i++) {
      assert.ok(allocator.allocate(service(`full-${i}`, { sharingKey: 'k', ports: both })).ok);
    }
    const http = allocator.allocate(service('http', { sharingKey: 'k', ports: [both[0]!] }));
    assert.ok(http.ok);
    assert.equal(http.assignment.addresses[0]!.value, 0x0a000000n + BigInt(maxSharingCandidates));
    // https could share with http, but http's address is beyond the bound: a fresh address it is.
    const https = allocator.allocate(service('https', { sharingKey: 'k', ports: [both[1]!] }));
    assert.ok(https.ok);
    assert.equal(
      https.assignment.addresses[0]!.value,
      0x0a000000n + BigInt(maxSharingCandidates) + 1n,
    );
    // A Service that fits an early address still finds it.
    const dns = allocator.allocate(
      service('dns', { sharingKey: 'k', ports: [{ protocol: 'UDP', port: 53 }] }),
    );
    assert.ok(dns.ok);
    assert.equal(dns.assignment.addresses[0]!.value, 0x0a000000n);
  });

  it('a pool with every address taken by requests before the cursor reports exhaustion', () => {
    const allocator = new IpAllocator({ now: () => 0 });
    allocator.setPools([pool('p', ['192.0.2.0/30'])]);
    for (const ip of ['192.0.2.3', '192.0.2.1', '192.0.2.0', '192.0.2.2']) {
      assert.ok(allocator.allocate(service(ip, { requestedIPs: [ip] })).ok);
    }
    const outcome = allocator.allocate(service('late'));
    assert.ok(!outcome.ok);
    assert.equal(outcome.refusal.reason, 'poolExhausted');
    assert.match(outcome.refusal.message, /p: no free IPv4/);
  });
});
