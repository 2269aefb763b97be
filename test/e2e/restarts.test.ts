import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { V1Service } from '@kubernetes/client-node';
import type { LabCluster } from '../lab/cluster.ts';
import type { LabDeployment } from '../lab/deployment.ts';
import { waitFor } from '../lab/processes.ts';
import {
  fabricReport,
  skipUnlessRoot,
  speakerKind,
  startCluster,
  traffic,
  type E2eCluster,
} from './e2e-support.ts';

/**
 * Restarts that must not disturb traffic, with graceful restart (RFC 4724)
 * toward the node's BIRD, as a speaker DaemonSet rollout would run them:
 * on SIGTERM the speaker closes its session without NOTIFICATION, BIRD keeps
 * its routes (stale) for the restart time, the new speaker announces the same
 * routes and BIRD ends the restart — the ToR's routes never change, so the
 * ECMP hash never moves a connection. And a restarted controller keeps every
 * Service's address.
 */

const ALL = ['node-1', 'node-2', 'node-3'];

describe(
  'restarts end to end',
  { skip: skipUnlessRoot || (speakerKind() === 'stand-in' ? 'needs ironlb speakers' : false) },
  () => {
    let e2e: E2eCluster;
    let cluster: LabCluster;
    let web: LabDeployment;
    let vips: string[];

    before(async () => {
      e2e = await startCluster({ gracefulRestartTime: '30s' });
      cluster = e2e.cluster;
      web = cluster.deployment('web');
      await web.scale({ 'node-1': 1, 'node-2': 1, 'node-3': 1 });
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

    async function routes(nodes: readonly string[], since?: number) {
      for (const vip of vips) {
        try {
          await cluster.lab.waitForTorRoute(vip, nodes, {
            timeoutMs: 10_000,
            ...(since === undefined ? {} : { since }),
          });
        } catch (err) {
          assert.fail(`${String(err)}${await fabricReport(cluster, vips)}`);
        }
      }
      await cluster.settled();
    }

    it('restarts every speaker, one after the other, under continuous load: no route change at the ToR, no failed request, idle connections survive', async (t) => {
      const changes = vips.map((vip) => cluster.lab.torRouteChanges(vip));
      // Established connections, held idle through the restarts: each stays on its node.
      const held = await cluster.lab.client.holdConnections(vips[0]!, 80, 30);
      const loads = await Promise.all(
        vips.map((vip) => cluster.lab.client.startLoad(vip, 80, { concurrency: 2 })),
      );
      await sleep(300);
      for (const node of ALL) {
        const stoppedAt = performance.now();
        const status = await cluster.stopSpeaker(node, 'SIGTERM');
        assert.equal(status?.code, 0, cluster.speaker(node)?.output().slice(-2000));
        await cluster.startSpeaker(node);
        t.diagnostic(
          `speaker on ${node}: SIGTERM, exit 0, new speaker established in ${Math.round(performance.now() - stoppedAt)} ms`,
        );
      }
      await sleep(300);
      const results = await Promise.all(loads.map((load) => load.stop()));
      for (const [i, result] of results.entries()) {
        t.diagnostic(`${vips[i]}: ${traffic(result)}`);
        if (result.failures > 0) {
          assert.fail(
            `${traffic(result)} at ms ${JSON.stringify(result.failureTimesMs)}${await fabricReport(cluster, vips)}`,
          );
        }
        assert.deepEqual(Object.keys(result.byNode).sort(), ALL, traffic(result));
      }
      assert.deepEqual(
        vips.map((vip) => cluster.lab.torRouteChanges(vip)),
        changes,
        `the ToR's routes changed during the restarts${await fabricReport(cluster, vips)}`,
      );
      const survivors = await held.answer();
      t.diagnostic(`30 connections held open through the restarts: ${traffic(survivors)}`);
      assert.equal(survivors.ok, 30, traffic(survivors));
    });

    it('the restarted speakers own the routes again: a pod change still moves them', async () => {
      const down = await web.scale({ 'node-1': 0 });
      await routes(['node-2', 'node-3'], down.apiChangeAt);
      await web.scale({ 'node-1': 1 });
      await routes(ALL);
    });

    /** The Services once the controller is done with them (status and pool annotation written). */
    async function services(): Promise<V1Service[]> {
      return waitFor(
        async () => {
          const list = await cluster.core.listNamespacedService({ namespace: 'default' });
          const done = list.items.every(
            (s) =>
              (s.status?.loadBalancer?.ingress ?? []).length > 0 &&
              s.metadata?.annotations?.['ironlb.dev/ip-allocated-from-pool'] !== undefined,
          );
          return done ? list.items : undefined;
        },
        { timeoutMs: 10_000, what: 'every Service to show its address and pool' },
      );
    }

    function addresses(list: readonly V1Service[]): Record<string, string> {
      return Object.fromEntries(
        list.map((s) => [
          s.metadata?.name ?? '',
          `${(s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).join(',')} @${s.metadata?.resourceVersion}`,
        ]),
      );
    }

    it("keeps every Service's address when the controller restarts (SIGTERM, then SIGKILL)", async (t) => {
      await cluster.createService({ name: 'v4', selector: { app: 'web' } });
      await cluster.createService({ name: 'v6', selector: { app: 'web' }, ipFamilies: ['IPv6'] });
      await cluster.waitForServiceIPs('v4');
      await cluster.waitForServiceIPs('v6');
      const before = addresses(await services());

      for (const [signal, next] of [
        ['SIGTERM', 'after-term'],
        ['SIGKILL', 'after-kill'],
      ] as const) {
        const status = await cluster.stopController(signal);
        assert.ok(status?.code === 0 || status?.signal === 'SIGKILL', JSON.stringify(status));
        const controller = await cluster.startController();
        await controller.waitForLine(/leader term started/, 20_000);
        // A new Service is served by the new leader: its queue runs, after the existing ones.
        await cluster.createService({ name: next, selector: { app: 'web' } });
        const [ip] = await cluster.waitForServiceIPs(next);
        t.diagnostic(`controller ${signal}, restarted: new Service ${next} got ${ip}`);
        const now = addresses(await services());
        for (const [name, value] of Object.entries(before)) {
          // Same addresses and the same resourceVersion: the controller did not even rewrite them.
          assert.equal(now[name], value, `Service ${name} after the ${signal} restart`);
        }
        before[next] = now[next] ?? '';
      }
    });
  },
);
