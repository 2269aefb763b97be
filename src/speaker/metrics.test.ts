import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { SpeakerMetrics, type SessionSample } from './metrics.ts';

async function value(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const metric = await registry.getSingleMetric(name)?.get();
  return metric?.values.find((v) =>
    Object.entries(labels).every(([k, l]) => String(v.labels[k]) === l),
  )?.value;
}

describe('SpeakerMetrics', () => {
  it('reads sessions at scrape time; UPDATEs of replaced sessions stay counted, never twice', async () => {
    const registry = new Registry();
    const metrics = new SpeakerMetrics(registry);
    const first = {};
    let samples: SessionSample[] = [
      { peer: 'p', session: first, up: true, updatesSent: 5, announced: 4, pending: 1 },
    ];
    metrics.sampleSessions(() => samples);
    await registry.metrics();
    assert.equal(await value(registry, 'ironlb_bgp_updates_total', { peer: 'p' }), 5);
    await registry.metrics();
    assert.equal(await value(registry, 'ironlb_bgp_updates_total', { peer: 'p' }), 5, 'not twice');
    assert.equal(await value(registry, 'ironlb_bgp_session_up', { peer: 'p' }), 1);
    assert.equal(await value(registry, 'ironlb_bgp_announced_prefixes_total', { peer: 'p' }), 4);
    assert.equal(await value(registry, 'ironlb_bgp_pending_prefixes_total', { peer: 'p' }), 1);

    // The session sent 2 more, then was replaced; the new one starts at 0.
    metrics.sessionEnded('p', first, 7);
    const second = {};
    samples = [{ peer: 'p', session: second, up: false, updatesSent: 1, announced: 0, pending: 4 }];
    await registry.metrics();
    assert.equal(await value(registry, 'ironlb_bgp_updates_total', { peer: 'p' }), 8);
    assert.equal(await value(registry, 'ironlb_bgp_session_up', { peer: 'p' }), 0);

    samples = [];
    await registry.metrics();
    assert.equal(await value(registry, 'ironlb_bgp_session_up', { peer: 'p' }), undefined);
    assert.equal(await value(registry, 'ironlb_bgp_updates_total', { peer: 'p' }), 8, 'kept');
  });

  it('one series per announced address and per Service with unknown-node endpoints', async () => {
    const registry = new Registry();
    const metrics = new SpeakerMetrics(registry);
    metrics.setAnnounced([
      { service: 'default/web', node: 'n1', ip: '10.0.0.1' },
      { service: 'default/web', node: 'n1', ip: '2001:db8::1' },
    ]);
    metrics.setAnnounced([{ service: 'default/web', node: 'n1', ip: '2001:db8::1' }]);
    const announced = await registry.getSingleMetric('ironlb_speaker_announced')!.get();
    assert.deepEqual(
      announced.values.map((v) => [v.labels.ip, v.labels.protocol, v.value]),
      [['2001:db8::1', 'bgp', 1]],
    );
    metrics.setUnknownNodeEndpoints(new Map([['default/web', 2]]));
    assert.equal(
      await value(registry, 'ironlb_speaker_endpoints_unknown_node', { service: 'default/web' }),
      2,
    );
    metrics.setUnknownNodeEndpoints(new Map());
    assert.equal(
      await value(registry, 'ironlb_speaker_endpoints_unknown_node', { service: 'default/web' }),
      undefined,
    );
  });
});
