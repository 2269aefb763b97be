import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseAddressRange, rangeContains, parseAddress } from '../../src/ipam/address.ts';
import {
  defaultPrefixOf,
  interfaceNames,
  isDocumentationAddress,
  isDefaultLabPrefix,
  LAB_LIMITS,
  MAX_INTERFACE_NAME,
  planTopology,
  podAddresses,
  podNameProblem,
  podNames,
  poolProblem,
  prefixProblem,
  randomPrefix,
} from './addressing.ts';

function inCidr(cidr: string, address: string): boolean {
  const range = parseAddressRange(cidr);
  const parsed = parseAddress(address);
  assert.ok(range.ok && parsed.ok);
  return rangeContains(range.value, parsed.value.family, parsed.value.value);
}

describe('lab addressing plan', () => {
  it('fits every interface name in 15 characters, up to the node and pod limits', () => {
    const plan = planTopology('abcdefg-', LAB_LIMITS.maxNodes);
    for (const name of interfaceNames(plan)) {
      assert.ok(name.length <= MAX_INTERFACE_NAME, `${name} is too long`);
    }
    const pod = podNames('abcdefg-', 'web', 999_999);
    assert.ok(pod.nodeInterface.length <= MAX_INTERFACE_NAME, pod.nodeInterface);
    assert.ok(pod.podInterface.length <= MAX_INTERFACE_NAME, pod.podInterface);
  });

  it('uses only documentation addresses, all distinct, with each link in one subnet', () => {
    const plan = planTopology(randomPrefix(), LAB_LIMITS.maxNodes);
    const seen = new Set<string>();
    for (const n of plan.nodes) {
      for (const address of [
        n.nodeAddress,
        n.torAddress,
        n.nodeAddress6,
        n.torAddress6,
        n.mgmtAddress,
      ]) {
        assert.ok(isDocumentationAddress(address), `${address} is not a documentation address`);
        assert.ok(!seen.has(address), `${address} is used twice`);
        seen.add(address);
      }
      // A /31: the ToR has the even address, the node the odd one.
      const torLast = Number(n.torAddress.split('.')[3]);
      assert.equal(torLast % 2, 0);
      assert.equal(Number(n.nodeAddress.split('.')[3]), torLast + 1);
      assert.ok(inCidr(`${n.torAddress6.replace(/::1$/, '::')}/64`, n.nodeAddress6));
      assert.ok(inCidr('203.0.113.0/26', n.mgmtAddress));
    }
    assert.ok(!seen.has('203.0.113.1'), 'the management address is not a node address');
  });

  it('gives every pod slot of every node a distinct address inside its node block', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: LAB_LIMITS.maxNodes }),
        fc.integer({ min: 1, max: LAB_LIMITS.maxPodsPerNode }),
        fc.integer({ min: 1, max: LAB_LIMITS.maxNodes }),
        fc.integer({ min: 1, max: LAB_LIMITS.maxPodsPerNode }),
        (nodeA, slotA, nodeB, slotB) => {
          const node = planTopology('ilbtest-', LAB_LIMITS.maxNodes).nodes[nodeA - 1]!;
          const a = podAddresses(nodeA, slotA);
          const b = podAddresses(nodeB, slotB);
          assert.ok(inCidr(node.podCidr, a.ip), `${a.ip} outside ${node.podCidr}`);
          assert.ok(inCidr(node.podCidr6, a.ip6), `${a.ip6} outside ${node.podCidr6}`);
          assert.ok(isDocumentationAddress(a.ip) && isDocumentationAddress(a.ip6));
          const same = nodeA === nodeB && slotA === slotB;
          assert.equal(a.ip === b.ip, same);
          assert.equal(a.ip6 === b.ip6, same);
        },
      ),
    );
  });

  it('keeps pods, Service pool and management network apart', () => {
    const last = planTopology('ilbtest-', LAB_LIMITS.maxNodes).nodes.at(-1)!;
    assert.equal(last.podCidr, '198.51.100.240/28');
    assert.ok(!inCidr('203.0.113.128/25', last.mgmtAddress));
    assert.ok(!inCidr('192.0.2.128/31', last.nodeAddress), 'node links stay below the client link');
  });

  it('makes default prefixes recognisable and refuses unsafe prefixes, pod names and pools', () => {
    for (let i = 0; i < 20; i++) assert.ok(isDefaultLabPrefix(randomPrefix()));
    assert.equal(defaultPrefixOf('ilbk3x9-node-1'), 'ilbk3x9-');
    assert.equal(defaultPrefixOf('other-node-1'), undefined);
    assert.equal(prefixProblem('ilbk3x9-'), undefined);
    assert.equal(prefixProblem('demo-'), undefined);
    assert.match(prefixProblem('toolongprefix-') ?? '', /3–8 characters/);
    assert.match(prefixProblem('Bad-') ?? '', /prefix/);
    assert.equal(podNameProblem('web-1'), undefined);
    assert.match(podNameProblem('Web_1') ?? '', /DNS label/);
    assert.match(podNameProblem('a; rm -rf /') ?? '', /DNS label/);
    assert.equal(poolProblem('203.0.113.128/25'), undefined);
    assert.equal(poolProblem('2001:db8:5::/112'), undefined);
    assert.match(poolProblem('10.0.0.0/24') ?? '', /documentation ranges/);
    assert.match(poolProblem('203.0.113.1-203.0.113.9') ?? '', /CIDR/);
    assert.match(poolProblem('nonsense') ?? '', /neither a CIDR nor a range/);
  });
});
