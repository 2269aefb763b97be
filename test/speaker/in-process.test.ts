/**
 * The speaker in-process (startSpeaker, what `ironlb speaker` runs) against
 * the test API server, without a BGP peer: the peer address is a closed
 * loopback port, so sessions never come up, and the tests read what each
 * session is asked to carry (its desired routes) and the speaker's reports.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { TestApiServer } from '../support/api-server/index.ts';
import { poolManifest, waitFor } from '../support/controller-fixtures.ts';
import { startCluster } from '../controller/harness.ts';
import {
  advertisementManifest,
  loadBalancer,
  nodeManifest,
  peerManifest,
  sliceManifest,
} from './fixtures.ts';
import { NAMESPACE, startSpeakerInProcess, type InProcessSpeaker } from './harness.ts';

const PEER = { myASN: 64698, peerASN: 64699, peerAddress: '127.0.33.1', peerPort: 12999 };
const REF = `${NAMESPACE}/bird`;

async function metric(
  running: InProcessSpeaker,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const found = await running.registry.getSingleMetric(name)?.get();
  return found?.values.find((v) =>
    Object.entries(labels).every(([k, l]) => String(v.labels[k]) === l),
  )?.value;
}

/** The routes the speaker asks the session with the peer to carry. */
function desired(running: InProcessSpeaker): number | undefined {
  return running.speaker.sessions.session(REF)?.stats().prefixes.desired;
}

function failing(running: InProcessSpeaker): string[] {
  return running.readiness.report().failing.map((f) => `${f.name}: ${f.reason}`);
}

describe('speaker (in-process)', () => {
  let server: TestApiServer;
  let running: InProcessSpeaker | undefined;

  before(async () => {
    server = await startCluster();
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });
  after(async () => {
    await server.close();
  });

  it('is not ready before a valid configuration and without its Node; says why', async () => {
    const { store } = server;
    store.put(poolManifest('default', ['10.92.0.0/24']));
    store.put(poolManifest('overlapping', ['10.92.0.128/25']));
    store.put(peerManifest('bird', PEER));
    store.put(advertisementManifest('all', {}));
    running = startSpeakerInProcess(server.kubeConfig(), 'ghost');
    const speaker = running;
    await waitFor('the first decision', () => speaker.speaker.rounds() > 0);
    const reasons = failing(speaker);
    assert.ok(reasons.some((r) => /^speaker-config: no valid configuration loaded/.test(r)));
    assert.ok(reasons.some((r) => /^speaker-node: no Node is named ghost/.test(r)));
    assert.equal(await metric(speaker, 'ironlb_k8s_client_config_loaded_bool'), 0);
    await waitFor('ConfigurationState speaker-ghost Invalid', () => {
      const state = store.get(
        'ironlb.dev/v1beta1',
        'ConfigurationState',
        'speaker-ghost',
        NAMESPACE,
      );
      return (state?.status as { result?: string } | undefined)?.result === 'Invalid';
    });

    store.delete('ironlb.dev/v1beta1', 'IPAddressPool', 'overlapping', NAMESPACE);
    await waitFor(
      'configuration loaded',
      () => !failing(speaker).some((r) => r.startsWith('speaker-config')),
    );
    store.put(nodeManifest('ghost'));
    await waitFor('ready', () => speaker.readiness.report().ready);
  });

  it('keeps the last valid configuration (and its routes) while a change is invalid; stale is reported', async () => {
    const { store } = server;
    store.put(nodeManifest('n1', { internalIP: '192.0.2.41' }));
    store.put(loadBalancer('web', '10.92.0.5'));
    store.put(sliceManifest('web', ['n1']));
    running = startSpeakerInProcess(server.kubeConfig(), 'n1');
    const speaker = running;
    await waitFor('the route is desired', () => desired(speaker) === 1);

    store.put(poolManifest('overlapping', ['10.92.0.128/25']));
    await waitFor(
      'stale',
      async () => (await metric(speaker, 'ironlb_k8s_client_config_stale_bool')) === 1,
    );
    assert.equal(desired(speaker), 1, 'the last valid configuration still announces');
    assert.ok(speaker.readiness.report().ready, 'a stale configuration keeps the speaker ready');
    await waitFor('ConfigurationState says stale', () => {
      const state = store.get('ironlb.dev/v1beta1', 'ConfigurationState', 'speaker-n1', NAMESPACE);
      return (state?.status as { stale?: boolean } | undefined)?.stale === true;
    });
    store.delete('ironlb.dev/v1beta1', 'IPAddressPool', 'overlapping', NAMESPACE);
    await waitFor(
      'valid again',
      async () => (await metric(speaker, 'ironlb_k8s_client_config_stale_bool')) === 0,
    );
  });

  it('a burst of EndpointSlice changes makes few decision rounds, and the last state wins', async () => {
    const { store } = server;
    store.put(loadBalancer('web', '10.92.0.5', { policy: 'Local' }));
    running = startSpeakerInProcess(server.kubeConfig(), 'n1');
    const speaker = running;
    await waitFor('the route is desired', () => desired(speaker) === 1);
    const before = speaker.speaker.rounds();
    const incremental = () =>
      metric(speaker, 'ironlb_speaker_decision_rounds_total', { kind: 'incremental' });
    const metricBefore = (await incremental()) ?? 0;
    // A rollout: 60 changes of the Service's slice, as fast as the API takes them.
    for (let i = 0; i < 60; i++) {
      store.put(sliceManifest('web', i % 2 === 0 ? ['n2'] : ['n1', 'n2']));
    }
    store.put(sliceManifest('web', ['n2']));
    await waitFor('withdrawn (no local endpoint left)', () => desired(speaker) === 0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const rounds = speaker.speaker.rounds() - before;
    assert.ok(rounds >= 1 && rounds < 30, `${rounds} rounds for 61 changes`);
    assert.equal(desired(speaker), 0);
    assert.equal(((await incremental()) ?? 0) - metricBefore, rounds);
  });

  it('a peer whose nodeSelectors stop matching the node closes its session and clears its status entry', async () => {
    const { store } = server;
    store.put(sliceManifest('web', ['n1']));
    running = startSpeakerInProcess(server.kubeConfig(), 'n1');
    const speaker = running;
    await waitFor('the session exists', () => speaker.speaker.sessions.session(REF) !== undefined);
    const entry = () =>
      (
        store.get('ironlb.dev/v1beta1', 'BGPPeer', 'bird', NAMESPACE) as
          { status?: { sessions?: Array<{ node: string }> } } | undefined
      )?.status?.sessions?.find((s) => s.node === 'n1');
    await waitFor('the status entry', () => entry() !== undefined);
    store.put(
      peerManifest('bird', { ...PEER, nodeSelectors: [{ matchLabels: { rack: 'other' } }] }),
    );
    await waitFor('the session closed', () => speaker.speaker.sessions.session(REF) === undefined);
    await waitFor('the status entry removed', () => entry() === undefined);
    store.put(peerManifest('bird', PEER));
    await waitFor('the session is back', () => speaker.speaker.sessions.session(REF) !== undefined);
  });
});
