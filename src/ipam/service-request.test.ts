import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { texts } from '../../test/support/ipam-fixtures.ts';
import type { AllocationReason } from './errors.ts';
import { backendKey, familyWish, readAllocationRequest, servesClass } from './service-request.ts';

describe('readAllocationRequest', () => {
  type Expected =
    | { ips: string[]; pool?: string; sharingKey?: string }
    | { reason: AllocationReason; message: RegExp };
  const cases: Array<[string, Record<string, string> | undefined, string | undefined, Expected]> = [
    ['nothing requested', undefined, undefined, { ips: [] }],
    ['empty strings count as absent', { 'ironlb.dev/loadBalancerIPs': ' ' }, '', { ips: [] }],
    [
      'our annotation',
      { 'ironlb.dev/loadBalancerIPs': '192.0.2.1' },
      undefined,
      { ips: ['192.0.2.1'] },
    ],
    [
      'MetalLB annotation',
      { 'metallb.io/loadBalancerIPs': '192.0.2.1, 2001:db8::1' },
      undefined,
      { ips: ['192.0.2.1', '2001:db8::1'] },
    ],
    [
      'legacy MetalLB annotation',
      { 'metallb.universe.tf/loadBalancerIPs': '2001:db8::1' },
      undefined,
      { ips: ['2001:db8::1'] },
    ],
    ['spec.loadBalancerIP', undefined, '198.51.100.7', { ips: ['198.51.100.7'] }],
    [
      'two prefixes with the same addresses in any order agree',
      {
        'ironlb.dev/loadBalancerIPs': '192.0.2.1,2001:db8::1',
        'metallb.io/loadBalancerIPs': '2001:db8:0::1, 192.0.2.1',
      },
      undefined,
      { ips: ['192.0.2.1', '2001:db8::1'] },
    ],
    [
      'annotation and spec.loadBalancerIP together',
      { 'metallb.io/loadBalancerIPs': '192.0.2.1' },
      '192.0.2.1',
      {
        reason: 'conflictingRequests',
        message: /metallb.io\/loadBalancerIPs and spec.loadBalancerIP/,
      },
    ],
    [
      'two prefixes that disagree',
      { 'ironlb.dev/loadBalancerIPs': '192.0.2.1', 'metallb.io/loadBalancerIPs': '192.0.2.2' },
      undefined,
      { reason: 'conflictingRequests', message: /disagree/ },
    ],
    [
      'two pools that disagree',
      { 'ironlb.dev/address-pool': 'a', 'metallb.universe.tf/address-pool': 'b' },
      undefined,
      { reason: 'conflictingRequests', message: /address-pool/ },
    ],
    [
      'two sharing keys that disagree',
      { 'metallb.io/allow-shared-ip': 'a', 'metallb.universe.tf/allow-shared-ip': 'b' },
      undefined,
      { reason: 'conflictingRequests', message: /allow-shared-ip/ },
    ],
    [
      'an address that does not parse',
      { 'metallb.io/loadBalancerIPs': '192.0.2.300' },
      undefined,
      { reason: 'invalidRequest', message: /192.0.2.300/ },
    ],
    [
      'an empty list item',
      { 'metallb.io/loadBalancerIPs': '192.0.2.1,' },
      undefined,
      { reason: 'invalidRequest', message: /loadBalancerIPs/ },
    ],
    [
      'two of one family',
      { 'ironlb.dev/loadBalancerIPs': '192.0.2.1,192.0.2.2' },
      undefined,
      { reason: 'invalidRequest', message: /one address per family/ },
    ],
    [
      'a bad spec.loadBalancerIP',
      undefined,
      'nonsense',
      { reason: 'invalidRequest', message: /spec.loadBalancerIP/ },
    ],
    [
      'pool and sharing key from any prefix',
      {
        'metallb.io/address-pool': ' gold ',
        'metallb.universe.tf/allow-shared-ip': 'dns',
        'ironlb.dev/allow-shared-ip': 'dns',
      },
      undefined,
      { ips: [], pool: 'gold', sharingKey: 'dns' },
    ],
  ];
  for (const [name, annotations, specIp, expected] of cases) {
    it(name, () => {
      const result = readAllocationRequest(annotations, specIp);
      if ('reason' in expected) {
        assert.ok(!result.ok, 'expected a refusal');
        assert.equal(result.refusal.reason, expected.reason);
        assert.match(result.refusal.message, expected.message);
      } else {
        assert.ok(result.ok, result.ok ? '' : result.refusal.message);
        assert.deepEqual(texts(result.value.requestedIPs), expected.ips);
        assert.equal(result.value.requestedPool, expected.pool);
        assert.equal(result.value.sharingKey, expected.sharingKey);
      }
    });
  }
});

describe('servesClass', () => {
  const cases: Array<[string | undefined, string | undefined, boolean]> = [
    [undefined, undefined, true],
    ['', undefined, true],
    ['other.example/lb', undefined, false],
    ['ironlb.dev/bgp', 'ironlb.dev/bgp', true],
    ['other.example/lb', 'ironlb.dev/bgp', false],
    [undefined, 'ironlb.dev/bgp', false],
  ];
  for (const [serviceClass, configured, served] of cases) {
    it(`Service class ${String(serviceClass)}, configured ${String(configured)} → ${served ? 'served' : 'ignored'}`, () => {
      const decision = servesClass({ loadBalancerClass: serviceClass }, configured);
      assert.equal(decision.served, served);
      if (!decision.served) {
        assert.equal(decision.refusal.reason, 'classNotServed');
        assert.ok(decision.refusal.message.length > 0);
      }
    });
  }
});

describe('familyWish', () => {
  it('maps policy and ipFamilies to wanted families', () => {
    assert.deepEqual(familyWish({ ipFamilies: [], ipFamilyPolicy: 'SingleStack' }), {
      families: [4],
      need: 'all',
    });
    assert.deepEqual(familyWish({ ipFamilies: [6, 4], ipFamilyPolicy: 'SingleStack' }), {
      families: [6],
      need: 'all',
    });
    assert.deepEqual(familyWish({ ipFamilies: [6, 4], ipFamilyPolicy: 'RequireDualStack' }), {
      families: [6, 4],
      need: 'all',
    });
    assert.deepEqual(familyWish({ ipFamilies: [4], ipFamilyPolicy: 'RequireDualStack' }), {
      families: [4, 6],
      need: 'all',
    });
    assert.deepEqual(familyWish({ ipFamilies: [4, 6], ipFamilyPolicy: 'PreferDualStack' }), {
      families: [4, 6],
      need: 'any',
    });
    assert.deepEqual(familyWish({ ipFamilies: [6], ipFamilyPolicy: 'PreferDualStack' }), {
      families: [6],
      need: 'any',
    });
    assert.deepEqual(familyWish({ ipFamilies: [], ipFamilyPolicy: 'PreferDualStack' }), {
      families: [4, 6],
      need: 'any',
    });
  });
});

describe('backendKey', () => {
  it('is the same for all Cluster Services and per selector for Local ones', () => {
    assert.equal(
      backendKey({ externalTrafficPolicy: 'Cluster', selector: { app: 'a' } }),
      backendKey({ externalTrafficPolicy: 'Cluster', selector: {} }),
    );
    assert.equal(
      backendKey({ externalTrafficPolicy: 'Local', selector: { app: 'a', tier: 'b' } }),
      backendKey({ externalTrafficPolicy: 'Local', selector: { tier: 'b', app: 'a' } }),
    );
    assert.notEqual(
      backendKey({ externalTrafficPolicy: 'Local', selector: { app: 'a' } }),
      backendKey({ externalTrafficPolicy: 'Local', selector: { app: 'b' } }),
    );
    assert.notEqual(
      backendKey({ externalTrafficPolicy: 'Local', selector: {} }),
      backendKey({ externalTrafficPolicy: 'Cluster', selector: {} }),
    );
  });
});
