import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  dnatStatement,
  planNodeDataplane,
  renderNftRuleset,
  type DataplaneEndpoint,
  type DataplaneModel,
  type DataplaneService,
} from './dataplane.ts';

const endpoints: DataplaneEndpoint[] = [
  { ip: '198.51.100.1', port: 8080, nodeName: 'node-1', serving: true },
  { ip: '198.51.100.2', port: 8080, nodeName: 'node-1', serving: false },
  { ip: '198.51.100.17', port: 8080, nodeName: 'node-2', serving: true },
  { ip: '198.51.100.33', port: 9090, nodeName: 'node-3', serving: true },
  { ip: '2001:db8:1:1::1', port: 8080, nodeName: 'node-1', serving: true },
  { ip: '2001:db8:1:2::1', port: 8080, nodeName: 'node-2', serving: true },
];

function service(overrides: Partial<DataplaneService> = {}): DataplaneService {
  return {
    name: 'default/web',
    vips: ['203.0.113.130', '2001:db8:5::1'],
    port: 80,
    protocol: 'TCP',
    externalTrafficPolicy: 'Local',
    endpoints,
    ...overrides,
  };
}

const OPTIONS = { table: 'ironlb_lab', uplinkInterface: 'ilbtest-up' };

/** Parses a ruleset with the real nft in a throwaway network namespace (needs root). */
function nftAccepts(ruleset: string): { ok: boolean; stderr: string } {
  const result = spawnSync('unshare', ['--net', 'nft', '-c', '-f', '-'], {
    input: ruleset,
    encoding: 'utf8',
  });
  return { ok: result.status === 0, stderr: result.stderr };
}

const isRoot = process.getuid?.() === 0;

describe('lab dataplane plan', () => {
  it('Local: only this node’s serving endpoints of the VIP’s family', () => {
    const plan = planNodeDataplane({ services: [service()] }, 'node-1');
    assert.deepEqual(
      plan.vips.map((v) => [v.vip, v.targets]),
      [
        ['203.0.113.130', [{ ip: '198.51.100.1', port: 8080 }]],
        ['2001:db8:5::1', [{ ip: '2001:db8:1:1::1', port: 8080 }]],
      ],
    );
    assert.equal(plan.vips[0]?.reason, 'default/web: 1 serving endpoint on node-1 (Local)');
  });

  it('Local on a node without serving endpoints: no target, and the reason says why', () => {
    const plan = planNodeDataplane({ services: [service()] }, 'node-3');
    const v6 = plan.vips.find((v) => v.family === 6);
    assert.deepEqual(v6?.targets, []);
    assert.equal(
      v6?.reason,
      'default/web has no serving IPv6 endpoint on node-3 (externalTrafficPolicy Local)',
    );
  });

  it('Cluster: every serving endpoint of the family, on any node, whatever the node', () => {
    const model = { services: [service({ externalTrafficPolicy: 'Cluster' })] };
    for (const node of ['node-1', 'node-3', 'node-9']) {
      const plan = planNodeDataplane(model, node);
      assert.deepEqual(plan.vips.find((v) => v.family === 4)?.targets, [
        { ip: '198.51.100.1', port: 8080 },
        { ip: '198.51.100.17', port: 8080 },
        { ip: '198.51.100.33', port: 9090 },
      ]);
      assert.equal(plan.vips.find((v) => v.family === 6)?.targets.length, 2);
    }
  });

  it('explains missing and unready endpoints', () => {
    const none = planNodeDataplane({ services: [service({ endpoints: [] })] }, 'node-1');
    assert.equal(none.vips[0]?.reason, 'default/web has no IPv4 endpoint');
    const unready = planNodeDataplane(
      { services: [service({ endpoints: endpoints.map((e) => ({ ...e, serving: false })) })] },
      'node-1',
    );
    assert.equal(unready.vips[0]?.reason, 'default/web has no serving IPv4 endpoint');
  });

  it('property: targets are serving, of the VIP’s family, local for Local, and not repeated', () => {
    const endpointArb = fc.record({
      ip: fc.oneof(
        fc.integer({ min: 1, max: 60 }).map((i) => `198.51.100.${i}`),
        fc.integer({ min: 1, max: 60 }).map((i) => `2001:db8:1::${i.toString(16)}`),
      ),
      port: fc.constantFrom(8080, 9090),
      nodeName: fc.constantFrom('node-1', 'node-2', 'node-3'),
      serving: fc.boolean(),
    });
    const serviceArb = fc.record({
      name: fc.constantFrom('a/x', 'b/y'),
      vips: fc.subarray(['203.0.113.130', '203.0.113.131', '2001:db8:5::1'], { minLength: 1 }),
      port: fc.integer({ min: 1, max: 65535 }),
      protocol: fc.constantFrom('TCP' as const, 'UDP' as const),
      externalTrafficPolicy: fc.constantFrom('Local' as const, 'Cluster' as const),
      endpoints: fc.array(endpointArb, { maxLength: 12 }),
    });
    fc.assert(
      fc.property(
        // Service names are unique in a cluster (the check below looks a Service up by name).
        fc.uniqueArray(serviceArb, { maxLength: 4, selector: (s) => s.name }),
        fc.constantFrom('node-1', 'node-2'),
        (services, nodeName) => {
          const plan = planNodeDataplane({ services }, nodeName);
          assert.equal(
            plan.vips.length,
            services.reduce((n, s) => n + s.vips.length, 0),
          );
          for (const vip of plan.vips) {
            const svc = services.find(
              (s) => s.name === vip.service && s.port === vip.port && s.vips.includes(vip.vip),
            )!;
            const keys = vip.targets.map((t) => `${t.ip}|${t.port}`);
            assert.equal(new Set(keys).size, keys.length, 'no target twice');
            for (const target of vip.targets) {
              const matches = svc.endpoints.filter(
                (e) =>
                  e.ip === target.ip &&
                  e.port === target.port &&
                  e.serving &&
                  (svc.externalTrafficPolicy === 'Cluster' || e.nodeName === nodeName),
              );
              assert.ok(matches.length > 0, `${target.ip} is not an eligible endpoint`);
              assert.equal(target.ip.includes(':'), vip.family === 6);
            }
            assert.ok(vip.reason.length > 0);
          }
        },
      ),
    );
  });
});

describe('lab nftables ruleset', () => {
  it('spreads over several targets with a numgen map, and DNATs one target directly', () => {
    const cluster = planNodeDataplane(
      { services: [service({ externalTrafficPolicy: 'Cluster' })] },
      'node-1',
    );
    assert.equal(
      dnatStatement(cluster.vips[0]!),
      'dnat ip to numgen random mod 3 map { 0 : 198.51.100.1 . 8080, 1 : 198.51.100.17 . 8080, 2 : 198.51.100.33 . 9090 }',
    );
    assert.equal(
      dnatStatement(cluster.vips[1]!),
      'dnat ip6 to numgen random mod 2 map { 0 : [2001:db8:1:1::1] . 8080, 1 : [2001:db8:1:2::1] . 8080 }',
    );
    const local = planNodeDataplane({ services: [service()] }, 'node-1');
    assert.equal(dnatStatement(local.vips[0]!), 'dnat ip to 198.51.100.1:8080');
    assert.equal(dnatStatement(local.vips[1]!), 'dnat ip6 to [2001:db8:1:1::1]:8080');
  });

  it('replaces the whole table atomically, masquerades to other nodes and rejects what nothing serves', () => {
    const model: DataplaneModel = {
      services: [
        service(),
        service({
          name: 'default/dns',
          vips: ['203.0.113.131'],
          port: 53,
          protocol: 'UDP',
          endpoints: [],
        }),
      ],
    };
    const text = renderNftRuleset(planNodeDataplane(model, 'node-3'), OPTIONS);
    const lines = text.split('\n');
    assert.equal(lines[1], 'table inet ironlb_lab {}');
    assert.equal(lines[2], 'delete table inet ironlb_lab');
    assert.ok(
      text.includes(
        'ip6 daddr 2001:db8:5::1 tcp dport 80 reject with tcp reset comment "default/web has no serving IPv6 endpoint on node-3 (externalTrafficPolicy Local)"',
      ),
    );
    assert.ok(text.includes('ip daddr 203.0.113.131 udp dport 53 reject comment'));
    assert.ok(text.includes('oifname "ilbtest-up" ct status dnat masquerade'));
    assert.ok(text.includes('ip daddr { 203.0.113.130, 203.0.113.131 } reject'));
    assert.ok(text.includes('type nat hook prerouting priority dstnat;'));
    assert.ok(text.includes('type filter hook forward priority filter;'));
  });

  it('keeps quotes out of comments', () => {
    const text = renderNftRuleset(
      planNodeDataplane({ services: [service({ name: 'ns/"odd"\\name' })] }, 'node-1'),
      OPTIONS,
    );
    assert.ok(text.includes("ns/'odd''name"));
  });

  it(
    'renders rulesets the real nft accepts',
    { skip: isRoot ? false : 'needs root (unshare --net)' },
    () => {
      const models: DataplaneModel[] = [
        { services: [] },
        { services: [service()] },
        { services: [service({ externalTrafficPolicy: 'Cluster' })] },
        { services: [service({ protocol: 'UDP', endpoints: [] })] },
      ];
      for (const model of models) {
        for (const node of ['node-1', 'node-3']) {
          const ruleset = renderNftRuleset(planNodeDataplane(model, node), OPTIONS);
          const result = nftAccepts(ruleset);
          assert.ok(result.ok, `nft rejects:\n${ruleset}\n${result.stderr}`);
        }
      }
      assert.ok(!nftAccepts('table inet x { chain c { nonsense } }\n').ok, 'the check can fail');
    },
  );
});
