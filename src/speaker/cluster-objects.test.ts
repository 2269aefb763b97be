import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1EndpointSlice, V1Node, V1Service } from '@kubernetes/client-node';
import {
  endpointServes,
  endpointSliceInfo,
  endpointsByService,
  nodeInfo,
  serviceInfo,
} from './cluster-objects.ts';
import { endpoint, slice } from './test-fixtures.ts';

describe('reading API objects', () => {
  it('nodeInfo: name, labels, Ready and NetworkUnavailable', () => {
    const node: V1Node = {
      metadata: { name: 'n1', labels: { rack: '1' } },
      status: {
        conditions: [
          { type: 'MemoryPressure', status: 'False' },
          { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'cni' },
          { type: 'NetworkUnavailable', status: 'True', reason: 'NoRouteCreated' },
        ],
      },
    };
    assert.deepEqual(nodeInfo(node), {
      name: 'n1',
      labels: { rack: '1' },
      ready: { status: 'False', reason: 'KubeletNotReady', message: 'cni' },
      networkUnavailable: { status: 'True', reason: 'NoRouteCreated', message: undefined },
    });
    assert.deepEqual(nodeInfo({}), {
      name: '',
      labels: {},
      ready: undefined,
      networkUnavailable: undefined,
    });
  });

  it('serviceInfo: type, policy, class, ingress IPs (hostnames skipped)', () => {
    const svc: V1Service = {
      metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
      spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', loadBalancerClass: 'x/y' },
      status: {
        loadBalancer: {
          ingress: [{ ip: '10.0.0.1' }, { hostname: 'lb.example' }, { ip: '2001:db8::1' }],
        },
      },
    };
    assert.deepEqual(serviceInfo(svc), {
      namespace: 'shop',
      name: 'web',
      labels: { app: 'web' },
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      loadBalancerClass: 'x/y',
      ingressIPs: ['10.0.0.1', '2001:db8::1'],
    });
    assert.deepEqual(serviceInfo({ metadata: { name: 'bare' } }), {
      namespace: 'default',
      name: 'bare',
      labels: {},
      type: 'ClusterIP',
      externalTrafficPolicy: 'Cluster',
      loadBalancerClass: undefined,
      ingressIPs: [],
    });
  });

  it('endpointSliceInfo: the Service from the label, conditions as given', () => {
    const s: V1EndpointSlice = {
      addressType: 'IPv4',
      metadata: {
        name: 'web-x1',
        namespace: 'shop',
        labels: { 'kubernetes.io/service-name': 'web' },
      },
      endpoints: [
        {
          addresses: ['10.244.0.5'],
          nodeName: 'n1',
          conditions: { ready: false, serving: true, terminating: true },
        },
        { addresses: ['10.244.0.6'], nodeName: '' },
      ],
    };
    assert.deepEqual(endpointSliceInfo(s), {
      namespace: 'shop',
      name: 'web-x1',
      serviceName: 'web',
      endpoints: [
        {
          addresses: ['10.244.0.5'],
          nodeName: 'n1',
          ready: false,
          serving: true,
          terminating: true,
        },
        {
          addresses: ['10.244.0.6'],
          nodeName: undefined,
          ready: undefined,
          serving: undefined,
          terminating: undefined,
        },
      ],
    });
    assert.equal(endpointSliceInfo({ addressType: 'IPv4' }).serviceName, undefined);
  });
});

describe('endpointServes', () => {
  const cases: [Parameters<typeof endpoint>[1], boolean][] = [
    [{ serving: true, ready: false, terminating: true }, true],
    [{ serving: false, ready: true }, false],
    [{ ready: true }, true],
    [{ ready: false }, false],
    [{}, true],
  ];
  for (const [conditions, serves] of cases) {
    it(`${JSON.stringify(conditions)} → ${serves}`, () => {
      assert.equal(endpointServes(endpoint('n1', conditions)), serves);
    });
  }
});

describe('endpointsByService', () => {
  it('collects the endpoints of all slices of a Service, by namespace and name', () => {
    const byService = endpointsByService([
      slice('web', [endpoint('n1')], { name: 'web-1' }),
      slice('web', [endpoint('n2'), endpoint('n3')], { name: 'web-2' }),
      slice('web', [endpoint('n9')], { namespace: 'other' }),
      slice(undefined, [endpoint('n4')]),
    ]);
    assert.deepEqual(
      [...byService].map(([key, list]) => [key, list.map((e) => e.nodeName)]),
      [
        ['default/web', ['n1', 'n2', 'n3']],
        ['other/web', ['n9']],
      ],
    );
  });
});
