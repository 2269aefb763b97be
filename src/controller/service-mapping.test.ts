import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig, type Pool as ConfigPool } from '../config/index.ts';
import { poolAdmits } from '../ipam/pool.ts';
import { address, range } from '../../test/support/ipam-fixtures.ts';
import {
  addressTexts,
  ingressAddresses,
  ingressTexts,
  poolSetFingerprint,
  serviceIntent,
  serviceKey,
  toIpamPool,
  type ServiceObject,
} from './service-mapping.ts';

function service(overrides: {
  spec?: ServiceObject['spec'];
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  ingress?: Array<{ ip?: string; hostname?: string }>;
}): ServiceObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'web',
      namespace: 'shop',
      ...(overrides.annotations === undefined ? {} : { annotations: overrides.annotations }),
      ...(overrides.labels === undefined ? {} : { labels: overrides.labels }),
    },
    spec: overrides.spec ?? { type: 'LoadBalancer', ports: [{ protocol: 'TCP', port: 443 }] },
    ...(overrides.ingress === undefined
      ? {}
      : { status: { loadBalancer: { ingress: overrides.ingress } } }),
  };
}

describe('serviceIntent', () => {
  it('maps a LoadBalancer Service to a ServiceRequest', () => {
    const intent = serviceIntent(
      service({
        labels: { app: 'web' },
        annotations: {
          'metallb.io/address-pool': 'public',
          'ironlb.dev/allow-shared-ip': 'k',
        },
        spec: {
          type: 'LoadBalancer',
          ports: [{ port: 443 }, { protocol: 'UDP', port: 443 }],
          selector: { app: 'web' },
          externalTrafficPolicy: 'Local',
          ipFamilies: ['IPv6', 'IPv4'],
          ipFamilyPolicy: 'RequireDualStack',
        },
      }),
      { team: 'a' },
      undefined,
    );
    assert.equal(intent.kind, 'allocate');
    assert.ok(intent.kind === 'allocate');
    assert.deepEqual(intent.request, {
      key: 'shop/web',
      namespace: 'shop',
      labels: { app: 'web' },
      namespaceLabels: { team: 'a' },
      requestedIPs: [],
      requestedPool: 'public',
      sharingKey: 'k',
      ports: [
        { protocol: 'TCP', port: 443 },
        { protocol: 'UDP', port: 443 },
      ],
      externalTrafficPolicy: 'Local',
      selector: { app: 'web' },
      ipFamilies: [6, 4],
      ipFamilyPolicy: 'RequireDualStack',
      loadBalancerClass: undefined,
    });
  });

  it('defaults: Cluster traffic policy, SingleStack, no families, no selector', () => {
    const intent = serviceIntent(service({ spec: { type: 'LoadBalancer' } }), {}, undefined);
    assert.ok(intent.kind === 'allocate');
    assert.equal(intent.request.externalTrafficPolicy, 'Cluster');
    assert.equal(intent.request.ipFamilyPolicy, 'SingleStack');
    assert.deepEqual(intent.request.ipFamilies, []);
    assert.deepEqual(intent.request.selector, {});
    assert.deepEqual(intent.request.ports, []);
  });

  it('reads requested addresses from spec.loadBalancerIP or the annotation', () => {
    const bySpec = serviceIntent(
      service({ spec: { type: 'LoadBalancer', loadBalancerIP: '192.0.2.7' } }),
      {},
      undefined,
    );
    assert.ok(bySpec.kind === 'allocate');
    assert.deepEqual(bySpec.request.requestedIPs, [address('192.0.2.7')]);
    const conflicting = serviceIntent(
      service({
        annotations: { 'ironlb.dev/loadBalancerIPs': '192.0.2.8' },
        spec: { type: 'LoadBalancer', loadBalancerIP: '192.0.2.7' },
      }),
      {},
      undefined,
    );
    assert.equal(conflicting.kind, 'invalid');
    assert.ok(
      conflicting.kind === 'invalid' && conflicting.refusal.reason === 'conflictingRequests',
    );
  });

  it('is not a LoadBalancer Service: notLoadBalancer, whatever else it says', () => {
    for (const type of ['ClusterIP', 'NodePort', 'ExternalName', undefined]) {
      assert.deepEqual(
        serviceIntent(
          service({ spec: { ...(type === undefined ? {} : { type }) } }),
          {},
          undefined,
        ),
        { kind: 'notLoadBalancer' },
      );
    }
  });

  it('filters by loadBalancerClass: by default any class is not ours', () => {
    const classed = service({ spec: { type: 'LoadBalancer', loadBalancerClass: 'other.io/lb' } });
    const plain = service({});
    assert.equal(serviceIntent(classed, {}, undefined).kind, 'notOurs');
    assert.equal(serviceIntent(plain, {}, undefined).kind, 'allocate');
    assert.equal(serviceIntent(classed, {}, 'other.io/lb').kind, 'allocate');
    assert.equal(serviceIntent(plain, {}, 'other.io/lb').kind, 'notOurs');
    const notOurs = serviceIntent(classed, {}, 'mine');
    assert.ok(notOurs.kind === 'notOurs');
    assert.match(notOurs.refusal.message, /other\.io\/lb.*mine/);
  });
});

describe('status addresses', () => {
  it('reads ingress IPs, skipping hostnames and garbage, canonical in texts', () => {
    const s = service({
      ingress: [
        { ip: '192.0.2.1' },
        { hostname: 'lb.example' },
        { ip: 'nonsense' },
        { ip: '2001:DB8:0::1' },
      ],
    });
    assert.deepEqual(addressTexts(ingressAddresses(s)), ['192.0.2.1', '2001:db8::1']);
    assert.deepEqual(ingressTexts(s), [
      '192.0.2.1',
      'hostname:lb.example',
      'nonsense',
      '2001:db8::1',
    ]);
    assert.deepEqual(ingressTexts(service({})), []);
  });

  it('keys Services by namespace/name', () => {
    assert.equal(serviceKey(service({})), 'shop/web');
  });
});

describe('toIpamPool', () => {
  function parsedPool(spec: Record<string, unknown>): ConfigPool {
    const result = parseConfig({
      ipAddressPools: [
        {
          apiVersion: 'ironlb.dev/v1beta1',
          kind: 'IPAddressPool',
          metadata: { name: 'reserved', namespace: 'ironlb-system', labels: { tier: 'x' } },
          spec,
        },
      ],
    });
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    return result.config.pools[0]!;
  }

  it('carries name, ranges and flags', () => {
    const pool = toIpamPool(
      parsedPool({
        addresses: ['192.0.2.0/30', '2001:db8::1-2001:db8::4'],
        autoAssign: false,
        avoidBuggyIPs: true,
      }),
    );
    assert.deepEqual(pool, {
      name: 'reserved',
      ranges: [range('192.0.2.0/30'), range('2001:db8::1-2001:db8::4')],
      autoAssign: false,
      avoidBuggyIPs: true,
      serviceAllocation: undefined,
    });
  });

  it('keeps the meaning of serviceAllocation selectors', () => {
    const pool = toIpamPool(
      parsedPool({
        addresses: ['192.0.2.0/30'],
        serviceAllocation: {
          priority: 5,
          namespaces: ['shop'],
          namespaceSelectors: [{ matchLabels: { team: 'a' } }],
          serviceSelectors: [
            { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['internal'] }] },
          ],
        },
      }),
    );
    assert.equal(pool.serviceAllocation?.priority, 5);
    const who = (
      namespace: string,
      namespaceLabels: Record<string, string>,
      labels: Record<string, string>,
    ) => poolAdmits(pool, { key: `${namespace}/s`, namespace, namespaceLabels, labels });
    assert.equal(who('shop', {}, {}), true, 'listed namespace');
    assert.equal(who('other', { team: 'a' }, {}), true, 'namespace selector');
    assert.equal(who('other', { team: 'b' }, {}), false);
    assert.equal(who('shop', {}, { tier: 'internal' }), false, 'service selector');
  });

  it('fingerprints pool sets independently of order, with bigints', () => {
    const a = toIpamPool(parsedPool({ addresses: ['2001:db8::/64'] }));
    const b = { ...a, name: 'other', ranges: [range('192.0.2.0/30')] };
    assert.equal(poolSetFingerprint([a, b]), poolSetFingerprint([b, a]));
    assert.notEqual(poolSetFingerprint([a]), poolSetFingerprint([a, b]));
    assert.match(poolSetFingerprint([a]), /"42540766411282592856903984951653826560"/);
  });
});
