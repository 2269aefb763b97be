import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideNodeAnnouncements, type ServiceDecision } from './announce-decision.ts';
import {
  announcementEvents,
  serviceBgpAnnouncements,
  serviceBgpStatusName,
  serviceBgpStatusObject,
} from './announcement-status.ts';
import type { EndpointSliceInfo, NodeInfo, ServiceInfo } from './cluster-objects.ts';
import {
  advertisement,
  baseConfig,
  bird,
  config,
  endpoint,
  ibgpPeer,
  node,
  peer,
  pool,
  service,
  slice,
} from './test-fixtures.ts';

const twoPeers = config({
  pools: [pool('default', { addresses: ['10.0.0.0/24', '2001:db8::/64'] })],
  peers: [peer('bird', bird), peer('tor', ibgpPeer)],
  advertisements: [advertisement('all', {})],
});

function decide(
  services: ServiceInfo[],
  slices: EndpointSliceInfo[],
  options: { node?: NodeInfo; cfg?: ReturnType<typeof config> } = {},
): readonly ServiceDecision[] {
  return decideNodeAnnouncements({
    nodeName: 'n1',
    node: options.node ?? node('n1'),
    config: options.cfg ?? baseConfig(),
    services,
    endpointSlices: slices,
  }).services;
}

const localWeb = service('web', { externalTrafficPolicy: 'Local' });

describe('ServiceBGPStatus', () => {
  it('one entry per announced Service, with its peers', () => {
    const decisions = decide(
      [
        service('b', { ingressIPs: ['10.0.0.2'] }),
        service('a'),
        service('none', { ingressIPs: [] }),
      ],
      [slice('a', [endpoint('n2')]), slice('b', [endpoint('n2')])],
      { cfg: twoPeers },
    );
    assert.deepEqual(serviceBgpAnnouncements(decisions), [
      {
        serviceNamespace: 'default',
        serviceName: 'a',
        node: 'n1',
        peers: ['ironlb-system/bird', 'ironlb-system/tor'],
      },
      {
        serviceNamespace: 'default',
        serviceName: 'b',
        node: 'n1',
        peers: ['ironlb-system/bird', 'ironlb-system/tor'],
      },
    ]);
  });

  it('the object: stable name per Service and node, labels, status', () => {
    const object = serviceBgpStatusObject({
      serviceNamespace: 'shop',
      serviceName: 'web',
      node: 'n1',
      peers: ['ironlb-system/bird'],
    });
    assert.equal(object.metadata?.name, serviceBgpStatusName('web', 'n1'));
    assert.match(object.metadata?.name ?? '', /^web-[0-9a-f]{10}$/);
    assert.notEqual(serviceBgpStatusName('web', 'n1'), serviceBgpStatusName('web', 'n2'));
    assert.deepEqual(object, {
      apiVersion: 'ironlb.dev/v1beta1',
      kind: 'ServiceBGPStatus',
      metadata: {
        name: object.metadata?.name,
        namespace: 'shop',
        labels: {
          'ironlb.dev/node': 'n1',
          'ironlb.dev/service-name': 'web',
          'ironlb.dev/service-namespace': 'shop',
        },
      },
      status: {
        node: 'n1',
        serviceName: 'web',
        serviceNamespace: 'shop',
        peers: ['ironlb-system/bird'],
      },
    });
  });

  it('a node name too long for a label value is left out of the labels', () => {
    const long = `${'a'.repeat(60)}.example.com`;
    const object = serviceBgpStatusObject({
      serviceNamespace: 'shop',
      serviceName: 'web',
      node: long,
      peers: [],
    });
    assert.equal(object.metadata?.labels?.['ironlb.dev/node'], undefined);
    assert.equal(object.status?.node, long);
  });
});

describe('announcementEvents', () => {
  const announced = decide([localWeb], [slice('web', [endpoint('n1')])]);
  const withdrawn = decide([localWeb], [slice('web', [endpoint('n2')])]);

  it('at start: nodeAnnouncing for announced Services only', () => {
    assert.deepEqual(announcementEvents(undefined, announced), [
      {
        serviceNamespace: 'default',
        serviceName: 'web',
        type: 'Normal',
        reason: 'nodeAnnouncing',
        message: 'announcing 10.0.0.1 from node n1 to BGPPeer ironlb-system/bird',
      },
    ]);
    assert.deepEqual(announcementEvents(undefined, withdrawn), []);
  });

  it('nothing when nothing changed', () => {
    assert.deepEqual(announcementEvents(announced, announced), []);
    assert.deepEqual(announcementEvents(withdrawn, withdrawn), []);
  });

  it('nodeWithdrew with the reason when the node stops announcing', () => {
    assert.deepEqual(announcementEvents(announced, withdrawn), [
      {
        serviceNamespace: 'default',
        serviceName: 'web',
        type: 'Normal',
        reason: 'nodeWithdrew',
        message:
          'withdrew 10.0.0.1 from node n1: noLocalEndpoints: externalTrafficPolicy is Local and node n1 hosts no serving endpoint of the Service; 1 serving endpoint runs elsewhere (nodes n2)',
      },
    ]);
    assert.deepEqual(
      announcementEvents(withdrawn, announced).map((e) => e.reason),
      ['nodeAnnouncing'],
    );
  });

  it('no event for a Service that is gone', () => {
    assert.deepEqual(announcementEvents(announced, []), []);
  });

  it('nodeAnnouncing again when the announced addresses or peers change', () => {
    const dual = service('web', { ingressIPs: ['10.0.0.1', '2001:db8::1'] });
    const one = decide(
      [service('web', { ingressIPs: ['10.0.0.1', '2001:db9::1'] })],
      [slice('web', [endpoint('n2')])],
    );
    const both = decide([dual], [slice('web', [endpoint('n2')])]);
    const events = announcementEvents(one, both);
    assert.deepEqual(
      events.map((e) => [e.reason, e.message]),
      [
        [
          'nodeAnnouncing',
          'announcing 10.0.0.1, 2001:db8::1 from node n1 to BGPPeer ironlb-system/bird',
        ],
      ],
    );
    assert.deepEqual(
      announcementEvents(both, one).map((e) => e.message),
      [
        'announcing 10.0.0.1 from node n1 to BGPPeer ironlb-system/bird; not 2001:db9::1 (ipNotInAnyPool: 2001:db9::1 lies in no IPAddressPool; addresses outside the pools are never announced)',
      ],
    );
    const morePeers = decide([dual], [slice('web', [endpoint('n2')])], { cfg: twoPeers });
    assert.deepEqual(
      announcementEvents(both, morePeers).map((e) => e.message),
      [
        'announcing 10.0.0.1, 2001:db8::1 from node n1 to BGPPeers ironlb-system/bird, ironlb-system/tor',
      ],
    );
  });

  it('a Warning when a localPref conflict appears, once', () => {
    const cfg = config({
      pools: [pool('default', { addresses: ['10.0.0.0/24'] })],
      peers: [peer('tor', ibgpPeer)],
      advertisements: [
        advertisement('a', { localPref: 200, nodeSelectors: [{ matchLabels: { rack: '1' } }] }),
        advertisement('b', { localPref: 100, nodeSelectors: [{ matchLabels: { zone: 'a' } }] }),
      ],
    });
    const conflicting = decide([service('web')], [slice('web', [endpoint('n1')])], {
      cfg,
      node: node('n1', { labels: { rack: '1', zone: 'a' } }),
    });
    const events = announcementEvents(undefined, conflicting);
    assert.deepEqual(
      events.map((e) => [e.type, e.reason]),
      [
        ['Normal', 'nodeAnnouncing'],
        ['Warning', 'localPrefConflict'],
      ],
    );
    assert.deepEqual(announcementEvents(conflicting, conflicting), []);
  });
});
