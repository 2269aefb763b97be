import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ObjectStore, type StoreEvent } from './object-store.ts';

function cm(
  name: string,
  namespace = 'default',
  data: Record<string, string> = {},
): Record<string, never> {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace },
    data,
  } as unknown as Record<string, never>;
}

describe('object store', () => {
  it('scan visits one kind (one namespace when given) without copying', () => {
    const store = new ObjectStore({ historyLimit: 10 });
    store.create('configmaps', cm('a'));
    store.create('configmaps', cm('b', 'other'));
    store.create('secrets', cm('s'));
    const seen: unknown[] = [];
    store.scan('configmaps', 'default', (object) => seen.push(object));
    assert.deepEqual(
      seen.map((o) => (o as { metadata: { name: string } }).metadata.name),
      ['a'],
    );
    const again: unknown[] = [];
    store.scan('configmaps', undefined, (object) => again.push(object));
    assert.equal(again.length, 2);
    assert.equal(again[0], seen[0], 'the stored object itself, not a copy');
  });

  it('shares one revision counter across kinds and stamps resourceVersion', () => {
    const store = new ObjectStore({ historyLimit: 10 });
    const a = store.create('configmaps', cm('a'));
    const lease = store.create('leases.coordination.k8s.io', cm('l'));
    const b = store.replace('configmaps', cm('a', 'default', { x: 'y' }));
    assert.deepEqual(
      [a, lease, b].map((o) => (o.metadata as { resourceVersion: string }).resourceVersion),
      ['1', '2', '3'],
    );
    assert.equal(store.revision, 3);
  });

  it('returns copies, lists in key order and by namespace', () => {
    const store = new ObjectStore({ historyLimit: 10 });
    store.create('configmaps', cm('b', 'ns2'));
    store.create('configmaps', cm('b', 'ns1'));
    store.create('configmaps', cm('a', 'ns2'));
    const got = store.get('configmaps', 'ns1', 'b')!;
    (got.metadata as { name: string }).name = 'mutated';
    assert.equal((store.get('configmaps', 'ns1', 'b')!.metadata as { name: string }).name, 'b');
    const names = (ns?: string): string[] =>
      store.list('configmaps', ns).map((o) => {
        const m = o.metadata as { namespace: string; name: string };
        return `${m.namespace}/${m.name}`;
      });
    assert.deepEqual(names(), ['ns1/b', 'ns2/a', 'ns2/b']);
    assert.deepEqual(names('ns2'), ['ns2/a', 'ns2/b']);
    assert.deepEqual(store.list('secrets'), []);
  });

  it('records events with the previous state, and DELETED at the deletion revision', () => {
    const store = new ObjectStore({ historyLimit: 10 });
    const seen: StoreEvent[] = [];
    const unsubscribe = store.subscribe((e) => seen.push(e));
    store.create('configmaps', cm('a'));
    store.replace('configmaps', cm('a', 'default', { v: '2' }));
    const last = store.remove('configmaps', 'default', 'a');
    unsubscribe();
    store.create('configmaps', cm('after'));
    assert.deepEqual(
      seen.map((e) => `${e.revision} ${e.type}`),
      ['1 ADDED', '2 MODIFIED', '3 DELETED'],
    );
    assert.deepEqual(seen[1]?.previous?.data, {});
    assert.equal((last?.metadata as { resourceVersion: string }).resourceVersion, '3');
    assert.equal(store.remove('configmaps', 'default', 'a'), undefined);
  });

  it('replays events after a revision until they leave the window or are compacted', () => {
    const store = new ObjectStore({ historyLimit: 3 });
    for (const name of ['a', 'b', 'c']) store.create('configmaps', cm(name));
    store.create('secrets', cm('s'));
    assert.deepEqual(
      store.eventsAfter(1, 'configmaps')?.map((e) => e.revision),
      [2, 3],
    );
    assert.equal(store.eventsAfter(0, 'configmaps'), undefined, 'revision 1 left the window');
    store.compact();
    assert.equal(store.eventsAfter(3, 'configmaps'), undefined);
    assert.deepEqual(store.eventsAfter(store.revision, 'configmaps'), []);
  });

  it('removes every object of a kind', () => {
    const store = new ObjectStore({ historyLimit: 10 });
    store.create('widgets.example.test', cm('a'));
    store.create('widgets.example.test', cm('b', 'other'));
    store.removeAll('widgets.example.test');
    assert.deepEqual(store.list('widgets.example.test'), []);
    assert.equal(store.revision, 4);
  });
});
