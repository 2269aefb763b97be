import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1EndpointSlice, V1Pod, V1Service } from '@kubernetes/client-node';
import fc from 'fast-check';
import { parseConfig } from '../../src/config/index.ts';
import { endpointSliceInfo, nodeInfo } from '../../src/speaker/index.ts';
import { DEFAULT_POOLS, LAB_ASN, planTopology } from './addressing.ts';
import {
  dataplaneModelFromApi,
  endpointSlicesFor,
  labConfigObjects,
  nodeObject,
  podObject,
  selectorMatches,
  sliceContent,
  SERVICE_NAME_LABEL,
} from './cluster-objects.ts';
import { planNodeDataplane } from './dataplane.ts';

const plan = planTopology('ilbtest-', 3);

function pod(
  name: string,
  nodeName: string,
  ip: string,
  ip6: string | undefined,
  overrides: { ready?: boolean; labels?: Record<string, string>; namespace?: string } = {},
): V1Pod {
  return podObject({
    name,
    namespace: overrides.namespace ?? 'default',
    labels: overrides.labels ?? { app: 'web' },
    nodeName,
    hostIP: '192.0.2.3',
    ip,
    ip6,
    port: 8080,
    ready: overrides.ready ?? true,
  });
}

function service(
  spec: Partial<NonNullable<V1Service['spec']>> = {},
  ingress: string[] = [],
): V1Service {
  return {
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      type: 'LoadBalancer',
      selector: { app: 'web' },
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
      ipFamilies: ['IPv4', 'IPv6'],
      externalTrafficPolicy: 'Local',
      ...spec,
    },
    status: { loadBalancer: { ingress: ingress.map((ip) => ({ ip })) } },
  };
}

const pods = [
  pod('web-1', 'node-1', '198.51.100.1', '2001:db8:1:1::1'),
  pod('web-2', 'node-1', '198.51.100.2', '2001:db8:1:1::2', { ready: false }),
  pod('web-3', 'node-2', '198.51.100.17', undefined),
  pod('other', 'node-2', '198.51.100.18', undefined, { labels: { app: 'other' } }),
  pod('elsewhere', 'node-3', '198.51.100.33', undefined, { namespace: 'shop' }),
];

describe('the lab cluster objects', () => {
  it('makes Node objects the speaker reads as Ready, with the node addresses as InternalIPs', () => {
    const node = nodeObject(plan.nodes[1]!, { ipv6: true, labels: { rack: 'r1' } });
    assert.deepEqual(
      node.status?.addresses?.filter((a) => a.type === 'InternalIP').map((a) => a.address),
      ['192.0.2.5', '2001:db8:f:2::2'],
    );
    assert.equal(node.metadata?.labels?.['rack'], 'r1');
    assert.deepEqual(node.spec?.podCIDRs, ['198.51.100.16/28', '2001:db8:1:2::/64']);
    const info = nodeInfo(node);
    assert.equal(info.name, 'node-2');
    const v4only = nodeObject(plan.nodes[0]!, { ipv6: false });
    assert.equal(v4only.status?.addresses?.filter((a) => a.type === 'InternalIP').length, 1);
  });

  it('writes an ironlb configuration the one parse accepts: the node BIRD as peer', () => {
    for (const gracefulRestartTime of [undefined, '30s']) {
      const objects = labConfigObjects({
        pools: DEFAULT_POOLS,
        ...(gracefulRestartTime === undefined ? {} : { gracefulRestartTime }),
      });
      const result = parseConfig({
        ipAddressPools: objects.filter((o) => (o as { kind: string }).kind === 'IPAddressPool'),
        bgpPeers: objects.filter((o) => (o as { kind: string }).kind === 'BGPPeer'),
        bgpAdvertisements: objects.filter(
          (o) => (o as { kind: string }).kind === 'BGPAdvertisement',
        ),
      });
      assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
      const [peer] = result.config.peers;
      assert.equal(peer?.myASN, LAB_ASN.speaker);
      assert.equal(peer?.peerASN, LAB_ASN.nodeBirdForSpeaker);
      assert.equal(peer?.peerAddress, '127.0.0.1');
      assert.equal(peer?.holdTimeMs, 3000);
      assert.equal(peer?.enableGracefulRestart, gracefulRestartTime !== undefined);
    }
  });

  it('matches Service selectors like Kubernetes (every key equal; an empty selector selects nothing)', () => {
    assert.ok(selectorMatches({ app: 'web' }, { app: 'web', tier: 'x' }));
    assert.ok(!selectorMatches({ app: 'web', tier: 'y' }, { app: 'web', tier: 'x' }));
    assert.ok(!selectorMatches({}, { app: 'web' }));
    assert.ok(!selectorMatches({ app: 'web' }, undefined));
  });

  it('derives one EndpointSlice per family from the selected pods', () => {
    const slices = endpointSlicesFor(service(), pods);
    assert.deepEqual(
      slices.map((s) => [
        s.metadata?.name,
        s.addressType,
        s.metadata?.labels?.[SERVICE_NAME_LABEL],
      ]),
      [
        ['web-ipv4', 'IPv4', 'web'],
        ['web-ipv6', 'IPv6', 'web'],
      ],
    );
    const [v4, v6] = slices;
    assert.deepEqual(
      v4?.endpoints?.map((e) => [
        e.addresses[0],
        e.nodeName,
        e.conditions?.ready,
        e.targetRef?.name,
      ]),
      [
        ['198.51.100.1', 'node-1', true, 'web-1'],
        ['198.51.100.2', 'node-1', false, 'web-2'],
        ['198.51.100.17', 'node-2', true, 'web-3'],
      ],
    );
    assert.deepEqual(
      v6?.endpoints?.map((e) => e.addresses[0]),
      ['2001:db8:1:1::1', '2001:db8:1:1::2'],
    );
    assert.deepEqual(v4?.ports, [{ name: 'http', protocol: 'TCP', port: 8080 }]);
    // What the speaker reads from them.
    const info = endpointSliceInfo(v4);
    assert.equal(info.endpoints.filter((e) => e.serving).length, 2);
  });

  it('resolves named target ports, keeps terminating pods serving while ready, and skips pods it cannot use', () => {
    const terminating = pod('web-4', 'node-3', '198.51.100.34', undefined);
    terminating.metadata = { ...terminating.metadata, deletionTimestamp: new Date(0) };
    const unscheduled = pod('web-5', 'node-3', '198.51.100.35', undefined);
    unscheduled.spec = { containers: unscheduled.spec?.containers ?? [] };
    const failed = pod('web-6', 'node-3', '198.51.100.36', undefined);
    failed.status = { ...failed.status, phase: 'Failed' };
    const [v4] = endpointSlicesFor(
      service({
        ipFamilies: ['IPv4'],
        ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
      }),
      [terminating, unscheduled, failed],
    );
    assert.deepEqual(v4?.ports, [{ name: 'http', protocol: 'TCP', port: 8080 }]);
    assert.deepEqual(
      v4?.endpoints?.map((e) => [e.targetRef?.name, e.conditions]),
      [['web-4', { ready: false, serving: true, terminating: true }]],
    );
    assert.deepEqual(endpointSlicesFor(service({ selector: {} }), pods), []);
    const selectorless = service();
    delete selectorless.spec?.selector;
    assert.deepEqual(endpointSlicesFor(selectorless, pods), []);
  });

  it('compares slices by content, not by server-set metadata', () => {
    const [a] = endpointSlicesFor(service(), pods);
    const stored: V1EndpointSlice = {
      ...a!,
      metadata: { ...a!.metadata, resourceVersion: '42', uid: 'u' },
    };
    assert.equal(sliceContent(stored), sliceContent(a!));
    const [b] = endpointSlicesFor(service(), pods.slice(1));
    assert.notEqual(sliceContent(b!), sliceContent(a!));
  });

  it('builds the dataplane model kube-proxy would: LoadBalancer Services with IPs, endpoints by port name', () => {
    const web = service({}, ['203.0.113.130', '2001:db8:5::1']);
    const slices = endpointSlicesFor(web, pods);
    const unrelated: V1EndpointSlice = {
      addressType: 'IPv4',
      metadata: { name: 'x', namespace: 'default', labels: { [SERVICE_NAME_LABEL]: 'other' } },
      endpoints: [{ addresses: ['198.51.100.99'], nodeName: 'node-3' }],
      ports: [{ name: 'http', port: 1 }],
    };
    const withoutIp = { ...service(), metadata: { name: 'pending', namespace: 'default' } };
    const clusterIp = { ...service({ type: 'ClusterIP' }, ['203.0.113.131']) };
    clusterIp.metadata = { name: 'internal', namespace: 'default' };
    const model = dataplaneModelFromApi([web, withoutIp, clusterIp], [...slices, unrelated]);
    assert.equal(model.services.length, 1);
    const [entry] = model.services;
    assert.equal(entry?.name, 'default/web');
    assert.deepEqual(entry?.vips, ['203.0.113.130', '2001:db8:5::1']);
    assert.equal(entry?.externalTrafficPolicy, 'Local');
    assert.equal(entry?.endpoints.length, 5);
    assert.deepEqual(
      entry?.endpoints.filter((e) => !e.serving).map((e) => e.ip),
      ['198.51.100.2', '2001:db8:1:1::2'],
    );
    // Local on node-1: only web-1 (web-2 is not ready), per family.
    const plan1 = planNodeDataplane(model, 'node-1');
    assert.deepEqual(
      plan1.vips.map((v) => [v.vip, v.targets.map((t) => t.ip)]),
      [
        ['203.0.113.130', ['198.51.100.1']],
        ['2001:db8:5::1', ['2001:db8:1:1::1']],
      ],
    );
    const plan3 = planNodeDataplane(model, 'node-3');
    assert.deepEqual(
      plan3.vips.map((v) => v.targets.length),
      [0, 0],
    );
  });

  it('sends Local traffic on a node exactly to its ready pods, whatever the placement (property)', () => {
    const placement = fc.array(
      fc.record({ node: fc.constantFrom('node-1', 'node-2', 'node-3'), ready: fc.boolean() }),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(placement, (placed) => {
        const list = placed.map((p, i) =>
          pod(`web-${i}`, p.node, `198.51.100.${100 + i}`, undefined, { ready: p.ready }),
        );
        const web = service({ ipFamilies: ['IPv4'] }, ['203.0.113.130']);
        const model = dataplaneModelFromApi([web], endpointSlicesFor(web, list));
        for (const node of ['node-1', 'node-2', 'node-3']) {
          const targets = planNodeDataplane(model, node).vips[0]?.targets.map((t) => t.ip) ?? [];
          const expected = list
            .filter(
              (p) => p.spec?.nodeName === node && p.status?.conditions?.[0]?.status === 'True',
            )
            .map((p) => p.status?.podIP ?? '')
            .sort();
          assert.deepEqual([...targets].sort(), expected);
        }
      }),
      { numRuns: 100 },
    );
  });
});
