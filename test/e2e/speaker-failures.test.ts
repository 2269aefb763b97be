import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LabCluster } from '../lab/cluster.ts';
import {
  fabricReport,
  ms,
  skipUnlessRoot,
  speakerKind,
  startCluster,
  traffic,
  type E2eCluster,
} from './e2e-support.ts';

/**
 * Speakers that die, freeze or stop, with the lab's default BGPPeer (hold
 * time 3 s, no graceful restart): what the node's BIRD and the ToR make of
 * it. The Service has a pod on every node (externalTrafficPolicy Local), so
 * each node's announcement depends only on its own speaker.
 */

const ALL = ['node-1', 'node-2', 'node-3'];
const WITHOUT_1 = ['node-2', 'node-3'];

describe(
  'speaker failures end to end',
  { skip: skipUnlessRoot || (speakerKind() === 'stand-in' ? 'needs ironlb speakers' : false) },
  () => {
    let e2e: E2eCluster;
    let cluster: LabCluster;
    let vips: string[];

    before(async () => {
      e2e = await startCluster({ drainPeriod: '2s' });
      cluster = e2e.cluster;
      await cluster.deployment('web').scale({ 'node-1': 1, 'node-2': 1, 'node-3': 1 });
      await cluster.createService({
        name: 'web',
        selector: { app: 'web' },
        externalTrafficPolicy: 'Local',
        ipFamilies: ['IPv4', 'IPv6'],
      });
      vips = await cluster.waitForServiceIPs('web', { count: 2 });
      await routes(ALL);
    });

    after(async (t) => {
      await cluster?.destroy();
      for (const line of e2e?.progress ?? []) t.diagnostic(line);
    });

    async function routes(nodes: readonly string[], since?: number, timeoutMs = 10_000) {
      const elapsed: number[] = [];
      for (const vip of vips) {
        try {
          const { elapsedMs } = await cluster.lab.waitForTorRoute(vip, nodes, {
            timeoutMs,
            ...(since === undefined ? {} : { since }),
          });
          elapsed.push(elapsedMs);
        } catch (err) {
          assert.fail(`${String(err)}${await fabricReport(cluster, vips)}`);
        }
      }
      await cluster.settled();
      return elapsed;
    }

    it("withdraws a killed speaker's routes at once (its TCP connection closes), and a new speaker brings them back", async (t) => {
      const killedAt = performance.now();
      const status = await cluster.stopSpeaker('node-1', 'SIGKILL');
      assert.equal(status?.signal, 'SIGKILL');
      const gone = await routes(WITHOUT_1, killedAt);
      t.diagnostic(
        `speaker on node-1 SIGKILLed → ToR route without node-1: IPv4 ${ms(gone[0]!)}, IPv6 ${ms(gone[1]!)}`,
      );
      const result = await cluster.lab.client.request(vips[0]!, 80, 40);
      assert.equal(result.failures, 0, traffic(result));
      assert.equal(result.byNode['node-1'], undefined, traffic(result));

      const startedAt = performance.now();
      await cluster.startSpeaker('node-1');
      const back = await routes(ALL, startedAt);
      t.diagnostic(
        `new speaker process on node-1 → back at the ToR: IPv4 ${ms(back[0]!)}, IPv6 ${ms(back[1]!)} (from process start)`,
      );
    });

    it('drops a frozen speaker when the hold time expires, and takes it back when it thaws', async (t) => {
      const speaker = cluster.speaker('node-1');
      assert.ok(speaker);
      const frozenAt = performance.now();
      process.kill(speaker.pid, 'SIGSTOP');
      try {
        const gone = await routes(WITHOUT_1, frozenAt, 15_000);
        t.diagnostic(
          `speaker on node-1 frozen (SIGSTOP) → ToR route without node-1 after IPv4 ${ms(gone[0]!)}, IPv6 ${ms(gone[1]!)} (hold time 3 s)`,
        );
        const bird = await cluster.lab.birdc('node-1', 'show protocols all speaker');
        assert.match(bird, /Hold timer expired/, bird);
      } finally {
        process.kill(speaker.pid, 'SIGCONT');
      }
      const thawedAt = performance.now();
      const back = await routes(ALL, thawedAt, 15_000);
      t.diagnostic(
        `speaker thawed (SIGCONT) → back at the ToR after IPv4 ${ms(back[0]!)}, IPv6 ${ms(back[1]!)}`,
      );
      assert.ok(speaker.running, 'the thawed speaker reconnected by itself');
    });

    it('drains on SIGTERM: GRACEFUL_SHUTDOWN moves the ToR off the node while its session is up, then it withdraws, sends Cease and exits 0', async (t) => {
      const held = await cluster.lab.client.holdConnections(vips[0]!, 80, 30);
      const load = await cluster.lab.client.startLoad(vips[0]!, 80, { concurrency: 2 });
      await sleep(300);
      const stopping = cluster.stopSpeaker('node-1', 'SIGTERM', 15_000);
      const sentAt = performance.now();
      const moved = await routes(WITHOUT_1, sentAt);
      t.diagnostic(
        `SIGTERM → GRACEFUL_SHUTDOWN → ToR route without node-1: IPv4 ${ms(moved[0]!)}, IPv6 ${ms(moved[1]!)}`,
      );
      // Still draining: the session is up and the ToR holds node-1's path, de-preferred.
      const speaker = cluster.speaker('node-1');
      assert.ok(speaker?.running, 'the speaker is still draining');
      const torView = await cluster.lab.birdc('tor', `show route ${vips[0]}/32 all`);
      assert.match(torView, /via 192\.0\.2\.3[\s\S]*BGP\.local_pref: 0[\s\S]*\(65535,0\)/, torView);
      const changesBefore = cluster.lab.torRouteChanges(vips[0]!);

      const status = await stopping;
      assert.equal(status?.code, 0, speaker?.output().slice(-2000));
      const bird = await cluster.lab.birdc('node-1', 'show protocols all speaker');
      assert.match(bird, /Received: Administrative shutdown|Administrative shutdown/, bird);
      // The withdrawal after the drain changed nothing at the ToR's kernel.
      assert.equal(cluster.lab.torRouteChanges(vips[0]!), changesBefore);
      const result = await load.stop();
      t.diagnostic(
        `client during the drain: ${traffic(result)}; failures at ms ${JSON.stringify(result.failureTimesMs)} (an ECMP change moves connections in flight to another node, which resets them)`,
      );
      assert.ok(result.ok > 0);
      const survivors = await held.answer();
      t.diagnostic(
        `30 connections held open through the drain: ${traffic(survivors)} (the ToR moved node-1's connections, and some of the others, to nodes without their conntrack entry)`,
      );

      await cluster.startSpeaker('node-1');
      await routes(ALL);
    });
  },
);
