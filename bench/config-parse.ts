/**
 * How long the one configuration parse takes for a large configuration
 * (2000 pools, 200 peers, 200 advertisements in one namespace).
 * Run: npx node bench/config-parse.ts
 */
import { parseConfig } from '../src/config/index.ts';
import { advertisement, birdPeer, peer, pool } from '../src/config/test-fixtures.ts';

const pools = Array.from({ length: 2000 }, (_, i) =>
  pool(
    `p${i}`,
    { addresses: [`10.${i >> 8}.${i & 255}.0/24`, `2001:db8:${i.toString(16)}::/64`] },
    {
      tier: String(i % 5),
    },
  ),
);
const peers = Array.from({ length: 200 }, (_, i) =>
  peer(`b${i}`, { ...birdPeer, peerPort: i + 1 }),
);
const advertisements = Array.from({ length: 200 }, (_, i) =>
  advertisement(`a${i}`, {
    ipAddressPoolSelectors: [{ matchLabels: { tier: String(i % 5) } }],
    localPref: 100,
    communities: ['65000:1'],
  }),
);

const runs: number[] = [];
for (let run = 0; run < 5; run++) {
  const started = performance.now();
  const result = parseConfig({
    ipAddressPools: pools,
    bgpPeers: peers,
    bgpAdvertisements: advertisements,
  });
  runs.push(performance.now() - started);
  if (!result.ok) throw new Error('the benchmark configuration must be valid');
}
const best = Math.min(...runs);
process.stdout.write(
  `parseConfig, 2000 pools / 200 peers / 200 advertisements: best ${best.toFixed(1)} ms of ${runs.length}\n`,
);
