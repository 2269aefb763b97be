import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseConfig } from '../config/index.ts';
import { AnnouncementProblems, AnnouncementReasons } from './announcement-reasons.ts';
import { decideNodeAnnouncements } from './announce-decision.ts';
import { explainService } from './explain-report.ts';
import {
  advertisement,
  baseConfig,
  bird,
  condition,
  endpoint,
  node,
  peer,
  pool,
  service,
  slice,
} from './test-fixtures.ts';

const nodes = [
  node('n2', { labels: { rack: '2' } }),
  node('n1', { labels: { rack: '1' } }),
  node('n3', { ready: condition('False') }),
];
const web = service('web', {
  externalTrafficPolicy: 'Local',
  ingressIPs: ['10.0.0.1', '2001:db8::1'],
});
const slices = [
  slice('web', [endpoint('n1'), endpoint('n1.example')]),
  slice('other', [endpoint('n2'), endpoint('nowhere')]),
];

describe('explainService', () => {
  it('gives, per node, exactly the speaker decision of that node', () => {
    const config = baseConfig();
    const report = explainService({
      service: web,
      endpointSlices: slices,
      nodes,
      config: { ok: true, config },
      configNamespace: 'ironlb-system',
    });
    assert.deepEqual(
      report.nodes.map((n) => n.node),
      ['n1', 'n2', 'n3'],
    );
    for (const explained of report.nodes) {
      const speaker = decideNodeAnnouncements({
        nodeName: explained.node,
        node: nodes.find((n) => n.name === explained.node),
        config,
        services: [web],
        endpointSlices: slices,
      });
      assert.deepEqual(explained.ips, speaker.services[0]!.ips);
      assert.equal(explained.reason, speaker.services[0]!.reason);
      assert.deepEqual(
        explained.sessions,
        speaker.sessions.map((s) => s.ref),
      );
    }
    assert.deepEqual(
      report.nodes.map((n) => n.reason),
      ['announced', 'noLocalEndpoints', 'nodeNotReady'],
    );
    assert.deepEqual(report.endpoints, {
      total: 2,
      serving: 2,
      servingNodes: ['n1', 'n1.example'],
    });
    // Only this Service's endpoints are checked for unknown node names.
    assert.equal(report.warnings.length, 1);
    assert.match(
      report.warnings[0]!,
      /"n1\.example", which is not a Node.*similar Node names: n1$/,
    );
    assert.deepEqual(report.configuration, {
      namespace: 'ironlb-system',
      valid: true,
      errors: [],
      pools: 1,
      peers: 1,
      advertisements: 1,
    });
  });

  it('an invalid configuration: every node reports configNotLoaded, errors listed', () => {
    const result = parseConfig({
      ipAddressPools: [pool('default', { addresses: ['10.0.0.1/24'] })],
      bgpPeers: [peer('bird', bird)],
      bgpAdvertisements: [advertisement('all', {})],
    });
    assert.equal(result.ok, false);
    const report = explainService({
      service: web,
      endpointSlices: slices,
      nodes,
      config: result,
      configNamespace: 'ironlb-system',
      onlyNodes: ['n1', 'ghost'],
    });
    assert.deepEqual(
      report.nodes.map((n) => [n.node, n.reason, n.ips.map((ip) => ip.reason)]),
      [['n1', 'configNotLoaded', ['configNotLoaded', 'configNotLoaded']]],
    );
    assert.equal(report.configuration.valid, false);
    assert.match(report.configuration.errors[0]!, /^IRONLB_ERR_CONFIG_BAD_ADDRESS IPAddressPool/);
    assert.deepEqual(report.warnings.slice(0, 2), [
      'the configuration in namespace ironlb-system is invalid (1 error): running speakers keep announcing with their last valid configuration, which this command cannot see',
      'no Node is named ghost',
    ]);
  });
});

describe('docs/speaker.md', () => {
  const page = readFileSync(new URL('../../docs/speaker.md', import.meta.url), 'utf8');
  it('explains every reason and every problem', () => {
    for (const code of [
      ...Object.keys(AnnouncementReasons),
      ...Object.keys(AnnouncementProblems),
    ]) {
      assert.ok(page.includes(`| \`${code}\``), `docs/speaker.md has a table row for ${code}`);
    }
  });

  it('reason keys equal their codes', () => {
    for (const [key, spec] of [
      ...Object.entries(AnnouncementReasons),
      ...Object.entries(AnnouncementProblems),
    ]) {
      assert.equal(spec.code, key);
    }
  });
});
