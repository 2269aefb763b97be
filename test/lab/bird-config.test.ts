import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { planTopology } from './addressing.ts';
import {
  DEFAULT_FABRIC_TIMERS,
  hostRoutePrefixSet,
  renderNodeBirdConfig,
  renderStandInSpeakerConfig,
  renderTorBirdConfig,
} from './bird-config.ts';

const plan = planTopology('ilbtest-', 3);
const node = plan.nodes[0]!;
const pools = ['203.0.113.128/25', '203.0.113.64/28', '2001:db8:5::/112'];
const dir = mkdtempSync(join(tmpdir(), 'ilb-bird-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** `bird -p` parses a configuration and exits: the real grammar, without running anything. */
function birdParses(name: string, config: string): void {
  const path = join(dir, `${name}.conf`);
  writeFileSync(path, config);
  const result = spawnSync('bird', ['-p', '-c', path], { encoding: 'utf8' });
  assert.equal(result.status, 0, `bird rejects ${name}: ${result.stderr}`);
}

describe('lab BIRD configurations', () => {
  it('builds host-route prefix sets per family from the pools', () => {
    assert.equal(
      hostRoutePrefixSet(pools, 4),
      '[ 203.0.113.128/25{32,32}, 203.0.113.64/28{32,32} ]',
    );
    assert.equal(hostRoutePrefixSet(pools, 6), '[ 2001:db8:5::/112{128,128} ]');
    assert.equal(hostRoutePrefixSet(['203.0.113.128/25'], 6), undefined);
  });

  it('configures the node like the reference: passive multihop loopback session, tagged imports', () => {
    const config = renderNodeBirdConfig({ node, ipv6: true, pools, timers: DEFAULT_FABRIC_TIMERS });
    const speaker = /protocol bgp speaker \{[^]*?\n\}/.exec(config)?.[0] ?? '';
    assert.match(speaker, /local 127\.0\.0\.1 port 179 as 64699;/);
    assert.match(speaker, /neighbor 127\.0\.0\.1 as 64698;/);
    for (const statement of ['multihop;', 'passive;', 'strict bind yes;']) {
      assert.ok(speaker.includes(statement), `speaker session lacks ${statement}`);
    }
    assert.match(speaker, /ipv4 \{ import filter from_speaker4; export none; \}/);
    assert.match(speaker, /ipv6 \{ import filter from_speaker6; export none; \}/);
    assert.match(config, /define SERVICE_COMMUNITY = \(64698, 64699\);/);
    assert.match(
      config,
      /filter to_kernel \{\n {2}if SERVICE_COMMUNITY ~ bgp_community then reject;/,
    );
    assert.match(
      config,
      /protocol kernel kernel4 \{\n {2}ipv4 \{ import none; export filter to_kernel; \};/,
    );
    assert.match(config, /ipv4 \{ import none; export filter to_tor; next hop self; \}/);
    assert.match(config, /neighbor 2001:db8:f:1::1 as 64600;/);
    assert.match(config, /bfd on;/);
    assert.match(config, /min rx interval 200 ms;/);
    birdParses('node', config);
  });

  it('renders valid node configurations without IPv6, without BFD and without pools of a family', () => {
    const config = renderNodeBirdConfig({
      node,
      ipv6: false,
      pools: ['203.0.113.128/25'],
      timers: { ...DEFAULT_FABRIC_TIMERS, bfd: false, holdTimeSeconds: 3 },
    });
    assert.ok(!config.includes('protocol bgp tor6'));
    assert.ok(!config.includes('protocol bfd'));
    assert.match(config, /bfd off;/);
    assert.match(
      config,
      /filter from_speaker6 \{\n.*nothing from the speaker is accepted\n {2}reject;/,
    );
    birdParses('node-v4-only', config);
  });

  it('configures the ToR with one passive session per node and family, and merged paths', () => {
    const config = renderTorBirdConfig({
      routerId: plan.torRouterId,
      nodes: plan.nodes,
      ipv6: true,
      timers: DEFAULT_FABRIC_TIMERS,
      nodeInterfacePattern: 'ilbtest-n*',
    });
    assert.equal(config.match(/merge paths on;/g)?.length, 2);
    assert.equal(config.match(/protocol bgp node_\d_v4 from rack_node/g)?.length, 3);
    assert.equal(config.match(/protocol bgp node_\d_v6 from rack_node/g)?.length, 3);
    assert.match(config, /neighbor 192\.0\.2\.7 as 64600;/);
    assert.match(config, /interface "ilbtest-n\*"/);
    // RFC 8326: GRACEFUL_SHUTDOWN paths lose to every other path.
    assert.match(
      config,
      /filter from_node \{\n {2}if \(65535, 0\) ~ bgp_community then bgp_local_pref = 0;\n {2}accept;/,
    );
    assert.equal(config.match(/import filter from_node; export none;/g)?.length, 6);
    birdParses('tor', config);
  });

  it('makes a stand-in speaker that announces host routes with the node as next hop', () => {
    const config = renderStandInSpeakerConfig({
      node,
      routes: ['203.0.113.130', '2001:db8:5::1'],
      listenPort: 1790,
    });
    assert.match(config, /route 203\.0\.113\.130\/32 blackhole;/);
    assert.match(config, /route 2001:db8:5::1\/128 blackhole;/);
    assert.match(config, /neighbor 127\.0\.0\.1 port 179 as 64699;/);
    assert.match(config, /next hop address 192\.0\.2\.3;/);
    birdParses('stand-in', config);
    birdParses(
      'stand-in-empty',
      renderStandInSpeakerConfig({ node, routes: [], listenPort: 1790 }),
    );
    const draining = renderStandInSpeakerConfig({
      node,
      routes: ['203.0.113.130'],
      listenPort: 1790,
      gracefulShutdown: true,
    });
    assert.match(
      draining,
      /route 203\.0\.113\.130\/32 blackhole \{ bgp_community\.add\(\(65535, 0\)\); \};/,
    );
    birdParses('stand-in-draining', draining);
  });
});
