import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CLIENT_LINK } from './addressing.ts';
import type { DataplaneEndpoint, DataplaneModel, TrafficPolicy } from './dataplane.ts';
import { Lab, type StandInSpeaker } from './lab.ts';
import { waitFor } from './processes.ts';

/**
 * The lab end to end: BGP from a stand-in speaker through each node's BIRD to
 * the ToR's ECMP route, the nodes' community filter, and the nftables
 * dataplane answering the client. One lab for the whole file (bring-up ~1 s).
 */

const isRoot = process.getuid?.() === 0;
const VIP = '203.0.113.130';
const VIP6 = '2001:db8:5::1';
const PORT = 80;

describe('lab end to end', { skip: isRoot ? false : 'needs root (network namespaces)' }, () => {
  let lab: Lab;
  const progress: string[] = [];
  const speakers = new Map<string, StandInSpeaker>();
  const servers: Server[] = [];

  function speaker(node: string): StandInSpeaker {
    const found = speakers.get(node);
    assert.ok(found, `no stand-in speaker on ${node}`);
    return found;
  }

  /** Announces the VIPs from exactly `nodes` and waits for the ToR to route them so. */
  async function announceFrom(nodes: readonly string[]): Promise<void> {
    await Promise.all(
      lab.nodes.map((n) => speaker(n.name).setRoutes(nodes.includes(n.name) ? [VIP, VIP6] : [])),
    );
    await lab.waitForTorRoute(VIP, nodes, { timeoutMs: 5000 });
    await lab.waitForTorRoute(VIP6, nodes, { timeoutMs: 5000 });
  }

  function model(policy: TrafficPolicy): DataplaneModel {
    const endpoints: DataplaneEndpoint[] = lab.pods.flatMap((p) => [
      { ip: p.ip, port: p.port, nodeName: p.node, serving: true },
      ...(p.ip6 === undefined
        ? []
        : [{ ip: p.ip6, port: p.port, nodeName: p.node, serving: true }]),
    ]);
    return {
      services: [
        {
          name: 'default/web',
          vips: [VIP, VIP6],
          port: PORT,
          protocol: 'TCP',
          externalTrafficPolicy: policy,
          endpoints,
        },
      ],
    };
  }

  /** What the fabric looked like, for assertion messages: routes at the ToR and its BIRD's log. */
  async function fabricReport(): Promise<string> {
    const routes = await Promise.all(
      [VIP, VIP6].map(async (v) => `${v} via ${JSON.stringify(await lab.torRoutes(v))}`),
    );
    const log = lab.birdProcess('tor').output().trim().split('\n').slice(-15).join('\n');
    return `\n${routes.join('\n')}\nToR BIRD log:\n${log}`;
  }

  /**
   * Sends a batch of requests; when the ECMP spread is not what the test
   * expects *and* the ToR's BIRD logged a session change meanwhile (a BFD or
   * BGP flap of a CPU-starved BIRD on this shared 2-core machine), it waits
   * for the expected route again and retries once, saying so in the log. A
   * wrong spread without a flap fails at once.
   */
  async function requestWithFlapRetry(
    vip: string,
    count: number,
    expectedNodes: readonly string[],
  ): Promise<Awaited<ReturnType<Lab['client']['request']>>> {
    const tor = lab.birdProcess('tor');
    const logBefore = tor.output().length;
    const first = await lab.client.request(vip, PORT, count);
    const nodes = Object.keys(first.byNode).sort().join(',');
    if (first.failures === 0 && nodes === [...expectedNodes].sort().join(',')) return first;
    const logDuring = tor.output().slice(logBefore);
    if (!/BFD|state changed|session (down|up)|Down|Established/i.test(logDuring)) return first;
    progress.push(`fabric flapped during the batch to ${vip}; retrying once:\n${logDuring}`);
    await lab.waitForTorRoute(vip, expectedNodes, { timeoutMs: 5000 });
    return lab.client.request(vip, PORT, count);
  }

  before(async () => {
    lab = await Lab.create({ nodes: 3, ipv6: true, log: (line) => progress.push(line) });
    const started = await Promise.all(lab.nodes.map((n) => lab.startStandInSpeaker(n)));
    for (const s of started) speakers.set(s.node.name, s);
    await Promise.all(started.map((s) => s.waitEstablished(5000)));
  });

  after(async () => {
    for (const server of servers) server.close();
    await lab?.destroy();
  });

  it('brings the fabric up with the documented addresses and reports progress', async (t) => {
    assert.ok(progress.some((l) => /all node ↔ ToR BGP sessions established/.test(l)));
    for (const line of progress) t.diagnostic(line);
    assert.deepEqual(
      lab.nodes.map((n) => [n.name, n.nodeAddress, n.nodeAddress6]),
      [
        ['node-1', '192.0.2.3', '2001:db8:f:1::2'],
        ['node-2', '192.0.2.5', '2001:db8:f:2::2'],
        ['node-3', '192.0.2.7', '2001:db8:f:3::2'],
      ],
    );
    const { stdout } = await lab.exec(lab.nodes[0]!.netns, 'ip', ['-j', 'addr', 'show']);
    assert.ok(stdout.includes('"192.0.2.3"') && stdout.includes('"203.0.113.2"'));
    assert.equal(
      await lab.birdc('tor', 'show protocols').then((o) => o.match(/Established/g)?.length),
      6,
    );
  });

  it('announced from 2 of 3 nodes, the ToR routes the VIP by ECMP over exactly those 2; a withdrawal leaves 1', async (t) => {
    await announceFrom(['node-1', 'node-2']);
    for (const vip of [VIP, VIP6]) {
      const hops = await lab.torRoutes(vip);
      assert.deepEqual(
        hops.map((h) => h.node),
        ['node-1', 'node-2'],
        `${vip}: ${JSON.stringify(hops)}`,
      );
    }
    const since = performance.now();
    await speaker('node-2').withdraw(VIP, VIP6);
    const v4 = await lab.waitForTorRoute(VIP, ['node-1'], { since, timeoutMs: 5000 });
    const v6 = await lab.waitForTorRoute(VIP6, ['node-1'], { since, timeoutMs: 5000 });
    assert.deepEqual(
      v4.nextHops.map((h) => h.gateway),
      ['192.0.2.3'],
    );
    assert.deepEqual(
      v6.nextHops.map((h) => h.gateway),
      ['2001:db8:f:1::2'],
    );
    t.diagnostic(
      `ToR route change after a withdrawal: IPv4 ${v4.elapsedMs.toFixed(1)} ms, IPv6 ${v6.elapsedMs.toFixed(1)} ms (polled every ~2 ms)`,
    );
    const back = performance.now();
    await speaker('node-2').announce(VIP, VIP6);
    const again = await lab.waitForTorRoute(VIP, ['node-1', 'node-2'], {
      since: back,
      timeoutMs: 5000,
    });
    t.diagnostic(`ToR route change after an announcement: ${again.elapsedMs.toFixed(1)} ms`);
  });

  it('drops a frozen node from the ECMP route (BFD, or the hold time without it)', async (t) => {
    await announceFrom(['node-1', 'node-2']);
    const bird = lab.birdProcess('node-2');
    const since = performance.now();
    process.kill(bird.pid, 'SIGSTOP');
    try {
      const { elapsedMs } = await lab.waitForTorRoute(VIP, ['node-1'], { since, timeoutMs: 6000 });
      const status = await lab.birdc('tor', 'show protocols');
      t.diagnostic(
        `frozen node-2 dropped by the ToR after ${elapsedMs.toFixed(0)} ms (BFD ${lab.timers.bfd ? `${lab.timers.bfdIntervalMs} ms × ${lab.timers.bfdMultiplier}` : 'off'}, hold time ${lab.timers.holdTimeSeconds} s)`,
      );
      if (lab.timers.bfd) assert.match(status, /node_2_v4 .*BFD session down/, status);
    } finally {
      process.kill(bird.pid, 'SIGCONT');
    }
    const back = performance.now();
    await lab.waitForFabric(10_000);
    await lab.waitForTorRoute(VIP, ['node-1', 'node-2'], { timeoutMs: 5000 });
    await lab.waitForTorRoute(VIP6, ['node-1', 'node-2'], { timeoutMs: 5000 });
    t.diagnostic(
      `node-2 back in the ECMP route ${(performance.now() - back).toFixed(0)} ms after SIGCONT`,
    );
  });

  it('keeps Service IPs out of the nodes’ own kernel tables (community filter), and rejects non-pool routes', async () => {
    await announceFrom(['node-1', 'node-2']);
    for (const node of ['node-1', 'node-2']) {
      // BIRD has the route, tagged: only the kernel filter keeps it out of the kernel.
      const route = await lab.birdc(node, `show route ${VIP}/32 all`);
      assert.match(route, /BGP\.community: \(64698,64699\)/, route);
      const route6 = await lab.birdc(node, `show route ${VIP6}/128 all`);
      assert.match(route6, /BGP\.community: \(64698,64699\)/, route6);
      assert.equal(await lab.nodeHasKernelRoute(node, VIP), false, `${node} installed ${VIP}`);
      assert.equal(await lab.nodeHasKernelRoute(node, VIP6), false, `${node} installed ${VIP6}`);
    }
    assert.equal(await lab.nodeHasKernelRoute('node-3', VIP), false);

    // Outside the pools, or not a host route: the node's import filter drops it.
    await speaker('node-3').setRoutes(['203.0.113.5', '203.0.113.128/26', '2001:db8:6::1']);
    const filtered = await waitFor(
      async () => {
        const text = await lab.birdc('node-3', 'show protocols all speaker');
        // Per channel: Import updates: received, rejected, filtered, ignored, accepted.
        const stats = [
          ...text.matchAll(/Import updates:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/g),
        ];
        const received = stats.reduce((n, m) => n + Number(m[1]), 0);
        return received === 3 ? stats.map((m) => m.slice(1).join(' ')) : undefined;
      },
      { timeoutMs: 5000, what: 'node-3 to receive the three routes' },
    );
    assert.deepEqual(
      filtered,
      ['2 0 2 0 0', '1 0 1 0 0'],
      'IPv4: received 2, filtered 2; IPv6: 1, 1',
    );
    const tor = await lab.birdc('tor', 'show route');
    assert.ok(!tor.includes('203.0.113.5/32') && !tor.includes('203.0.113.128/26'), tor);
    await speaker('node-3').setRoutes([]);
  });

  it('Local: answered only by pods on announcing nodes, spread across them, client address preserved', async () => {
    await Promise.all([
      lab.addPod('node-1', 'web-a'),
      lab.addPod('node-1', 'web-b'),
      lab.addPod('node-2', 'web-c'),
      lab.addPod('node-3', 'web-d'),
    ]);
    await announceFrom(['node-1', 'node-2']);
    await lab.applyDataplane(model('Local'));
    for (const [vip, client] of [
      [VIP, CLIENT_LINK.client],
      [VIP6, CLIENT_LINK.client6],
    ] as const) {
      const result = await requestWithFlapRetry(vip, 60, ['node-1', 'node-2']);
      assert.equal(result.failures, 0, `${vip}: ${JSON.stringify(result.errors)}`);
      assert.deepEqual(
        Object.keys(result.byNode).sort(),
        ['node-1', 'node-2'],
        JSON.stringify(result),
      );
      assert.deepEqual(
        Object.keys(result.byPod).sort(),
        ['web-a', 'web-b', 'web-c'],
        JSON.stringify(result),
      );
      assert.deepEqual(Object.keys(result.byClientAddress), [client]);
    }
  });

  it('Cluster announced from all 3 nodes: every pod answers; pods on other nodes see the node’s address', async () => {
    await announceFrom(['node-1', 'node-2', 'node-3']);
    await lab.applyDataplane(model('Cluster'));
    const result = await lab.client.request(VIP, PORT, 80);
    const context = `${JSON.stringify(result)}${await fabricReport()}`;
    assert.equal(result.failures, 0, context);
    assert.deepEqual(
      Object.keys(result.byPod).sort(),
      ['web-a', 'web-b', 'web-c', 'web-d'],
      context,
    );
    const seen = Object.keys(result.byClientAddress);
    const nodeAddresses = lab.nodes.map((n) => n.nodeAddress);
    assert.ok(
      seen.every((a) => a === CLIENT_LINK.client || nodeAddresses.includes(a)),
      seen.join(),
    );
    assert.ok(
      seen.some((a) => nodeAddresses.includes(a)),
      'some connections crossed to another node (SNAT)',
    );
    const result6 = await lab.client.request(VIP6, PORT, 40);
    const context6 = `${JSON.stringify(result6)}${await fabricReport()}`;
    assert.equal(result6.failures, 0, context6);
    assert.ok(Object.keys(result6.byPod).length >= 3, context6);
  });

  it('follows pods added and removed at runtime', async () => {
    await announceFrom(['node-1', 'node-2', 'node-3']);
    await lab.removePod('web-d');
    await lab.addPod('node-3', 'web-e');
    await lab.applyDataplane(model('Cluster'));
    const result = await lab.client.request(VIP, PORT, 60);
    const context = `${JSON.stringify(result)}${await fabricReport()}`;
    assert.equal(result.failures, 0, context);
    assert.deepEqual(
      Object.keys(result.byPod).sort(),
      ['web-a', 'web-b', 'web-c', 'web-e'],
      context,
    );
  });

  it('refuses at once what no Service port matches, instead of routing it back to the ToR', async () => {
    await announceFrom(['node-1']);
    const result = await lab.client.request(VIP, PORT + 1, 3, { timeoutMs: 1500 });
    assert.equal(result.ok, 0);
    assert.deepEqual(result.errors, { ECONNREFUSED: 3 });
  });

  it('connects the test process and the management network both ways (API server placement)', async () => {
    const server = createServer((_req, res) => res.end('hello from the host'));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const exposed = await lab.exposeHostPort(port, { port: 6443 });
    assert.deepEqual(exposed, { address: '203.0.113.1', port: 6443 });
    const fetchScript = `const r = await fetch('http://203.0.113.1:6443/'); console.log(await r.text());`;
    for (const netns of [lab.nodes[2]!.netns, lab.mgmt.netns]) {
      const { stdout } = await lab.exec(netns, process.execPath, [
        '--input-type=module',
        '-e',
        fetchScript,
      ]);
      assert.equal(stdout.trim(), 'hello from the host');
    }

    // And back: a server in the management namespace, reached from this process.
    const script = `require('node:http').createServer((q, r) => r.end('hello from mgmt')).listen(7000, '203.0.113.1', () => console.log('ready'))`;
    const inMgmt = await lab.spawnInMgmt(process.execPath, ['-e', script]);
    await inMgmt.waitForLine(/^ready/, 5000);
    const local = await lab.connectToMgmtPort(7000);
    const answer = await fetch(`http://${local.host}:${local.port}/`);
    assert.equal(await answer.text(), 'hello from mgmt');
  });
});
