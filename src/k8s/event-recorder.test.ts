import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { KubernetesObject } from '@kubernetes/client-node';
import { memoryLogger } from '../daemon/test-logger.ts';
import { startApiServer, type TestApiServer } from '../../test/support/api-server/index.ts';
import { serviceManifest, nameOf } from '../../test/support/controller-fixtures.ts';
import { EventRecorder } from './event-recorder.ts';

interface StoredEvent {
  metadata: { name: string; namespace: string };
  involvedObject: Record<string, unknown>;
  type: string;
  reason: string;
  message: string;
  count: number;
  source: Record<string, unknown>;
  reportingComponent?: string;
  reportingInstance?: string;
  firstTimestamp: string;
  lastTimestamp: string;
}

describe('EventRecorder against the test API server', () => {
  let server: TestApiServer;
  let service: KubernetesObject;
  let clock: Date;

  before(async () => {
    server = await startApiServer();
    service = server.store.put(serviceManifest('web'));
  });
  after(async () => {
    await server.close();
  });
  beforeEach(() => {
    for (const event of server.store.list('v1', 'Event', 'default')) {
      server.store.delete('v1', 'Event', nameOf(event), 'default');
    }
    clock = new Date('2025-03-01T10:00:00Z');
  });

  const events = (): StoredEvent[] =>
    server.store.list('v1', 'Event', 'default') as unknown as StoredEvent[];

  function recorder(errors?: { count: number }): {
    recorder: EventRecorder;
    lines: () => Array<Record<string, unknown>>;
  } {
    const { logger, lines } = memoryLogger();
    return {
      lines,
      recorder: new EventRecorder({
        kubeConfig: server.kubeConfig(),
        component: 'ironlb-controller',
        host: 'replica-1',
        logger,
        now: () => clock,
        aggregationWindowMs: 60_000,
        ...(errors === undefined ? {} : { onError: () => errors.count++ }),
      }),
    };
  }

  it('creates a core/v1 Event about the object', async () => {
    const { recorder: r } = recorder();
    await r.record(service, {
      type: 'Normal',
      reason: 'IPAllocated',
      message: 'Assigned IP [192.0.2.1]',
    });
    const [event, ...rest] = events();
    assert.equal(rest.length, 0);
    assert.match(event!.metadata.name, /^web\.[0-9a-f]{16}$/);
    assert.equal(event!.metadata.namespace, 'default');
    assert.deepEqual(
      {
        kind: event!.involvedObject.kind,
        name: event!.involvedObject.name,
        namespace: event!.involvedObject.namespace,
        uid: event!.involvedObject.uid,
        apiVersion: event!.involvedObject.apiVersion,
      },
      {
        kind: 'Service',
        name: 'web',
        namespace: 'default',
        uid: service.metadata?.uid,
        apiVersion: 'v1',
      },
    );
    assert.equal(event!.type, 'Normal');
    assert.equal(event!.reason, 'IPAllocated');
    assert.equal(event!.message, 'Assigned IP [192.0.2.1]');
    assert.equal(event!.count, 1);
    assert.deepEqual(event!.source, { component: 'ironlb-controller', host: 'replica-1' });
    assert.equal(event!.reportingComponent, 'ironlb-controller');
    assert.equal(event!.reportingInstance, 'replica-1');
    assert.equal(new Date(event!.firstTimestamp).toISOString(), clock.toISOString());
  });

  it('aggregates repeats within the window into one Event with a count', async () => {
    const { recorder: r } = recorder();
    const failed = {
      type: 'Warning',
      reason: 'AllocationFailed',
      message: 'pool exhausted',
    } as const;
    await r.record(service, failed);
    clock = new Date(clock.getTime() + 5000);
    await r.record(service, failed);
    clock = new Date(clock.getTime() + 5000);
    await r.record(service, failed);
    const stored = events();
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.count, 3);
    assert.equal(new Date(stored[0]!.lastTimestamp).toISOString(), '2025-03-01T10:00:10.000Z');
    // A different message is a different Event; so is the same one after the window.
    await r.record(service, { ...failed, message: 'something else' });
    clock = new Date(clock.getTime() + 61_000);
    await r.record(service, failed);
    assert.equal(events().length, 3);
  });

  it('writes a new Event when the aggregated one has gone', async () => {
    const { recorder: r } = recorder();
    const event = { type: 'Normal', reason: 'IPAllocated', message: 'again' } as const;
    await r.record(service, event);
    const first = events()[0]!;
    server.store.delete('v1', 'Event', first.metadata.name, 'default');
    await r.record(service, event);
    const stored = events();
    assert.equal(stored.length, 1);
    assert.notEqual(stored[0]!.metadata.name, first.metadata.name);
    assert.equal(stored[0]!.count, 1);
  });

  it('never throws: a failed write is logged and counted', async () => {
    const errors = { count: 0 };
    const { recorder: r, lines } = recorder(errors);
    server.faults.failRequests({ verb: 'create', resource: 'events', code: 500 });
    await r.record(service, { type: 'Normal', reason: 'IPAllocated', message: 'lost' });
    assert.equal(events().length, 0);
    assert.equal(errors.count, 1);
    const warning = lines().find((l) => l.msg === 'could not write event');
    assert.ok(warning);
    assert.match(String(warning.err), /^HTTP 500/);
  });

  it('forgets events older than the window in amortised passes (bounded memory)', async () => {
    const { logger } = memoryLogger();
    const small = new EventRecorder({
      kubeConfig: server.kubeConfig(),
      component: 'ironlb-speaker',
      logger,
      now: () => clock,
      aggregationWindowMs: 60_000,
      pruneMinEntries: 8,
    });
    const services = Array.from({ length: 12 }, (_, i) =>
      server.store.put(serviceManifest(`prune-${i}`)),
    );
    // 12 fresh events: one pass at 8 finds nothing old; the next is due at 16.
    for (const s of services) await small.record(s, { type: 'Normal', reason: 'A', message: 'a' });
    assert.equal(small.remembered, 12);
    // Past the window: the pass at 16 forgets the 12 old ones, keeping the 4 new.
    clock = new Date(clock.getTime() + 61_000);
    for (const s of services.slice(0, 4)) {
      await small.record(s, { type: 'Normal', reason: 'B', message: 'b' });
    }
    assert.equal(small.remembered, 4);
    for (const s of services) server.store.delete('v1', 'Service', nameOf(s), 'default');
  });
});
