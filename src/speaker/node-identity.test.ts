import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isIronlbError } from '../common/errors.ts';
import { SpeakerErrors } from './errors.ts';
import {
  checkThisNode,
  endpointNodeMismatches,
  nodeNameFromEnvironment,
  similarNodeNames,
} from './node-identity.ts';
import { endpoint, node, slice } from './test-fixtures.ts';

describe('nodeNameFromEnvironment', () => {
  it('takes NODE_NAME (trimmed), never the hostname', () => {
    assert.equal(
      nodeNameFromEnvironment({ NODE_NAME: ' rack1-node3 ', HOSTNAME: 'other' }),
      'rack1-node3',
    );
  });

  it('refuses a missing or empty NODE_NAME with a hint at the downward API', () => {
    for (const env of [{}, { NODE_NAME: '' }, { HOSTNAME: 'host-1' }]) {
      assert.throws(
        () => nodeNameFromEnvironment(env),
        (err: unknown) =>
          isIronlbError(err, SpeakerErrors.IRONLB_ERR_NODE_NAME) &&
          err.message.includes('spec.nodeName'),
      );
    }
  });

  it('refuses names that cannot be node names', () => {
    for (const name of ['Node_1', 'a..b', '-a', 'x'.repeat(254)]) {
      assert.throws(
        () => nodeNameFromEnvironment({ NODE_NAME: name }),
        (err: unknown) => isIronlbError(err, SpeakerErrors.IRONLB_ERR_NODE_NAME),
        name,
      );
    }
  });
});

describe('similarNodeNames', () => {
  const nodes = [node('n1.example.com'), node('N2'), node('n3'), node('n1')];
  it('finds names equal ignoring case or sharing the first DNS label', () => {
    assert.deepEqual(similarNodeNames('n1', nodes), ['n1.example.com']);
    assert.deepEqual(similarNodeNames('n1.dc.example', nodes), ['n1', 'n1.example.com']);
    assert.deepEqual(similarNodeNames('n2', nodes), ['N2']);
    assert.deepEqual(similarNodeNames('n4', nodes), []);
  });
});

describe('checkThisNode', () => {
  it('passes when the Node exists', () => {
    assert.deepEqual(checkThisNode('n1', [node('n1')]), {
      nodeName: 'n1',
      exists: true,
      message: undefined,
    });
  });

  it('reports a missing Node, naming similar ones', () => {
    const check = checkThisNode('node-1', [node('node-1.dc1.example'), node('node-2')]);
    assert.equal(check.exists, false);
    assert.equal(
      check.message,
      "no Node is named node-1 (the speaker's NODE_NAME): this node announces nothing; similar Node names: node-1.dc1.example",
    );
    assert.equal(
      checkThisNode('x', []).message,
      "no Node is named x (the speaker's NODE_NAME): this node announces nothing",
    );
  });
});

describe('endpointNodeMismatches', () => {
  const nodes = [node('n1.dc.example'), node('n2.dc.example')];

  it('reports endpoints whose nodeName is no Node, grouped by Service and name', () => {
    const mismatches = endpointNodeMismatches(nodes, [
      slice('web', [
        endpoint('n1', { ready: true }, ['10.244.1.5']),
        endpoint('n1', { ready: false }, ['10.244.1.6']),
        endpoint('n2.dc.example'),
      ]),
      slice('web', [endpoint('n1', { serving: true }, ['10.244.1.7'])], { name: 'web-2' }),
      slice('db', [endpoint('n1.dc.example')]),
    ]);
    assert.equal(mismatches.length, 1);
    const [mismatch] = mismatches;
    assert.deepEqual(
      { ...mismatch, message: undefined },
      {
        service: 'default/web',
        nodeName: 'n1',
        endpoints: 3,
        servingEndpoints: 2,
        addresses: ['10.244.1.5', '10.244.1.6', '10.244.1.7'],
        similarNodes: ['n1.dc.example'],
        message: undefined,
      },
    );
    assert.equal(
      mismatch!.message,
      '3 endpoints of Service default/web (10.244.1.5, 10.244.1.6, 10.244.1.7) name node "n1", which is not a Node: with externalTrafficPolicy Local no node counts them as local, and the Service can silently lose its announcement (kubelet and kube-proxy must agree on node names, e.g. both or neither with --hostname-override); similar Node names: n1.dc.example',
    );
  });

  it('reports endpoints without a nodeName, and ignores slices of no Service', () => {
    const mismatches = endpointNodeMismatches(nodes, [
      slice('web', [endpoint(undefined, {}, [])]),
      slice(undefined, [endpoint('ghost')]),
    ]);
    assert.deepEqual(
      mismatches.map((m) => [m.service, m.nodeName, m.message]),
      [
        [
          'default/web',
          undefined,
          '1 endpoint of Service default/web names no node: with externalTrafficPolicy Local no node counts it as local',
        ],
      ],
    );
  });

  it('is sorted by Service, then node name, and empty when all names are Nodes', () => {
    const mismatches = endpointNodeMismatches(nodes, [
      slice('b', [endpoint('zz'), endpoint('aa')]),
      slice('a', [endpoint('q')]),
    ]);
    assert.deepEqual(
      mismatches.map((m) => [m.service, m.nodeName, m.endpoints]),
      [
        ['default/a', 'q', 1],
        ['default/b', 'aa', 1],
        ['default/b', 'zz', 1],
      ],
    );
    assert.deepEqual(endpointNodeMismatches(nodes, [slice('a', [endpoint('n1.dc.example')])]), []);
  });
});
