import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LabCluster } from '../lab/cluster.ts';
import { EXCLUDE_LABEL } from '../lab/cluster-objects.ts';
import type { LabDeployment } from '../lab/deployment.ts';
import {
  fabricReport,
  ms,
  skipUnlessRoot,
  startCluster,
  traffic,
  type E2eCluster,
} from './e2e-support.ts';

/**
 * The whole system end to end (docs/lab.md): Services, pods and node labels
 * change through the Kubernetes API; the real controller assigns the IPs, the
 * real speakers announce them to their node's BIRD, the ToR's kernel routes
 * follow, and the client's requests land on the pods the policy allows.
 * Every Service is dual-stack, so each check runs for the /32 and the /128.
 */

const PORT = 80;

describe('externalTrafficPolicy end to end', { skip: skipUnlessRoot }, () => {
  let e2e: E2eCluster;
  let cluster: LabCluster;

  before(async () => {
    e2e = await startCluster();
    cluster = e2e.cluster;
  });

  after(async (t) => {
    await cluster?.destroy();
    for (const line of e2e?.progress ?? []) t.diagnostic(line);
  });

  async function expectRoutes(vips: readonly string[], nodes: readonly string[], since?: number) {
    const elapsed: number[] = [];
    for (const vip of vips) {
      try {
        const { elapsedMs } = await cluster.lab.waitForTorRoute(vip, nodes, {
          timeoutMs: 10_000,
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

  async function send(vip: string, count: number) {
    return cluster.lab.client.request(vip, PORT, count, { concurrency: 4 });
  }

  describe('Local', () => {
    let web: LabDeployment;
    let vips: string[];

    it('announces only from the nodes with pods, and the pods there answer', async (t) => {
      web = cluster.deployment('web');
      await web.scale({ 'node-1': 2, 'node-2': 1 });
      await cluster.createService({
        name: 'web',
        selector: { app: 'web' },
        externalTrafficPolicy: 'Local',
        ipFamilies: ['IPv4', 'IPv6'],
      });
      vips = await cluster.waitForServiceIPs('web', { count: 2 });
      assert.equal(vips.length, 2);
      await expectRoutes(vips, ['node-1', 'node-2']);
      for (const vip of vips) {
        const result = await send(vip, 60);
        t.diagnostic(`${vip}: ${traffic(result)}`);
        assert.equal(result.failures, 0, traffic(result));
        assert.deepEqual(Object.keys(result.byNode).sort(), ['node-1', 'node-2'], traffic(result));
        assert.ok(
          Object.keys(result.byPod).every((pod) => web.pods.some((p) => p.name === pod)),
          traffic(result),
        );
        // Local keeps the client's address: nothing was masqueraded.
        assert.deepEqual(Object.keys(result.byClientAddress), [
          vip.includes(':') ? cluster.lab.client.address6 : cluster.lab.client.address,
        ]);
      }
    });

    it('adds a node when a pod lands on it, and removes a node when its last pod goes', async (t) => {
      const up = await web.scale({ 'node-3': 1 });
      const added = await expectRoutes(vips, ['node-1', 'node-2', 'node-3'], up.apiChangeAt);
      t.diagnostic(
        `pod created on node-3 → ToR route includes node-3: IPv4 ${ms(added[0]!)}, IPv6 ${ms(added[1]!)} (from the Pod write to the ToR's kernel route change)`,
      );
      for (const vip of vips) {
        const result = await send(vip, 60);
        assert.ok((result.byNode['node-3'] ?? 0) > 0, traffic(result));
        assert.equal(result.failures, 0, traffic(result));
      }

      const down = await web.scale({ 'node-1': 0 });
      const removed = await expectRoutes(vips, ['node-2', 'node-3'], down.apiChangeAt);
      t.diagnostic(
        `last pods of node-1 deleted → ToR route without node-1: IPv4 ${ms(removed[0]!)}, IPv6 ${ms(removed[1]!)} (from the Pod delete to the ToR's kernel route change)`,
      );
      for (const vip of vips) {
        const result = await send(vip, 60);
        t.diagnostic(`${vip}: ${traffic(result)}`);
        assert.equal(result.failures, 0, traffic(result));
        assert.deepEqual(Object.keys(result.byNode).sort(), ['node-2', 'node-3'], traffic(result));
      }
    });
  });

  describe('Cluster', () => {
    let api: LabDeployment;
    let vips: string[];

    it('announces from every eligible node, and every pod answers', async (t) => {
      api = cluster.deployment('api');
      await api.scale({ 'node-1': 1, 'node-3': 1 });
      await cluster.createService({
        name: 'api',
        selector: { app: 'api' },
        externalTrafficPolicy: 'Cluster',
        ipFamilies: ['IPv4', 'IPv6'],
      });
      vips = await cluster.waitForServiceIPs('api', { count: 2 });
      await expectRoutes(vips, ['node-1', 'node-2', 'node-3']);
      for (const vip of vips) {
        const result = await send(vip, 90);
        t.diagnostic(
          `${vip}: ${traffic(result)}; client addresses seen ${JSON.stringify(result.byClientAddress)}`,
        );
        assert.equal(result.failures, 0, traffic(result));
        assert.deepEqual(
          Object.keys(result.byPod).sort(),
          api.pods.map((p) => p.name).sort(),
          traffic(result),
        );
        // node-2 has no pod: what entered there was forwarded and masqueraded with its address.
        const node2 = cluster.lab.node('node-2');
        const node2Address = vip.includes(':') ? node2.nodeAddress6 : node2.nodeAddress;
        assert.ok(
          (result.byClientAddress[node2Address] ?? 0) > 0,
          JSON.stringify(result.byClientAddress),
        );
      }
    });

    it('withdraws a node labelled exclude-from-external-load-balancers, and returns it without the label', async (t) => {
      const labelled = await cluster.labelNode('node-2', EXCLUDE_LABEL, '');
      const gone = await expectRoutes(vips, ['node-1', 'node-3'], labelled);
      t.diagnostic(
        `node-2 labelled excluded → withdrawn: IPv4 ${ms(gone[0]!)}, IPv6 ${ms(gone[1]!)}`,
      );
      const result = await send(vips[0]!, 60);
      assert.equal(result.failures, 0, traffic(result));
      assert.equal(result.byClientAddress[cluster.lab.node('node-2').nodeAddress], undefined);

      const unlabelled = await cluster.labelNode('node-2', EXCLUDE_LABEL, null);
      const back = await expectRoutes(vips, ['node-1', 'node-2', 'node-3'], unlabelled);
      t.diagnostic(`label removed → node-2 back: IPv4 ${ms(back[0]!)}, IPv6 ${ms(back[1]!)}`);
    });

    it('withdraws everywhere when the last pod is gone (no endpoints) and when the Service is deleted', async () => {
      const drained = await api.scale({ 'node-1': 0, 'node-3': 0 });
      await expectRoutes(vips, [], drained.apiChangeAt);
      await api.scale({ 'node-2': 1 });
      await expectRoutes(vips, ['node-1', 'node-2', 'node-3']);
      await cluster.core.deleteNamespacedService({ name: 'api', namespace: 'default' });
      await expectRoutes(vips, []);
      // The Local Service is untouched by all of this.
      const [webVip] = await cluster.waitForServiceIPs('web');
      const hops = await cluster.lab.torRoutes(webVip!);
      assert.deepEqual(
        hops.map((h) => h.node),
        ['node-2', 'node-3'],
      );
    });
  });
});
