/**
 * Brings a lab up by hand and keeps it until Ctrl-C (everything is removed then).
 * Usage: npx node test/lab/scripts/lab-up.ts [--nodes N] [--no-ipv6] [--demo]
 * With --demo: stand-in speakers announce 203.0.113.130 and 2001:db8:5::1 from
 * node-1 and node-2, one pod per node, externalTrafficPolicy Local.
 */
import { parseArgs } from 'node:util';
import { Lab } from '../lab.ts';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '3' },
    'no-ipv6': { type: 'boolean', default: false },
    demo: { type: 'boolean', default: false },
  },
});

const started = performance.now();
const log = (line: string): void => {
  process.stdout.write(`[${(performance.now() - started).toFixed(0).padStart(5)} ms] ${line}\n`);
};
const lab = await Lab.create({ nodes: Number(values.nodes), ipv6: !values['no-ipv6'], log });

if (values.demo) {
  const vips = lab.ipv6 ? ['203.0.113.130', '2001:db8:5::1'] : ['203.0.113.130'];
  const announcing = lab.nodes.slice(0, 2);
  await Promise.all(announcing.map((n) => lab.startStandInSpeaker(n, vips)));
  await Promise.all(lab.nodes.map((n, i) => lab.addPod(n, `web-${i + 1}`)));
  for (const vip of vips)
    await lab.waitForTorRoute(
      vip,
      announcing.map((n) => n.name),
    );
  await lab.applyDataplane({
    services: [
      {
        name: 'default/web',
        vips,
        port: 80,
        protocol: 'TCP',
        externalTrafficPolicy: 'Local',
        endpoints: lab.pods.flatMap((p) =>
          [p.ip, p.ip6]
            .filter((ip) => ip !== undefined)
            .map((ip) => ({ ip, port: p.port, nodeName: p.node, serving: true })),
        ),
      },
    ],
  });
  const result = await lab.client.request('203.0.113.130', 80, 20);
  log(`20 requests to 203.0.113.130:80 answered by ${JSON.stringify(result.byPod)}`);
}

const tor = lab.tor;
const node1 = lab.nodes[0]!;
process.stdout.write(`
Lab ${lab.prefix} is up. Namespaces: ${lab.namespaces.join(', ')}
Try:
  ip -n ${tor.netns} route                          # the ToR's kernel table (ECMP routes)
  birdc -s ${tor.birdSocket} show protocols
  birdc -s ${node1.birdSocket} show route all
  ip netns exec ${node1.netns} nft list ruleset
  ip netns exec ${lab.client.netns} curl -s http://203.0.113.130/
Press Ctrl-C to tear everything down.
`);
// The lab's own SIGINT/SIGTERM handler removes everything; keep the process alive until then.
setInterval(() => {}, 1 << 30);
