import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { JsonObject, JsonValue } from './json.ts';
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  createMergePatch,
  MERGE_PRIMITIVES,
} from './patch.ts';
import { ApiError } from './status.ts';

/** JSON without nulls (a merge patch cannot set a member to null). */
const jsonWithoutNull: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string(),
    fc.integer(),
    fc.boolean(),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), tie('value'), {
      maxKeys: 4,
      noNullPrototype: true,
    }),
  ),
})).value;
const objectWithoutNull = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), jsonWithoutNull, {
  maxKeys: 4,
  noNullPrototype: true,
});

function rejectsWith(code: number): (err: unknown) => boolean {
  return (err) => err instanceof ApiError && err.code === code;
}

describe('JSON merge patch (RFC 7386)', () => {
  it('merges objects, removes members set to null, replaces everything else', () => {
    const target = { a: { b: 1, c: [1, 2] }, d: 'x', e: true };
    const result = applyMergePatch(target, { a: { b: null, c: [3] }, d: null, f: { g: 1 } });
    assert.deepEqual(result, { a: { c: [3] }, e: true, f: { g: 1 } });
    assert.deepEqual(
      target,
      { a: { b: 1, c: [1, 2] }, d: 'x', e: true },
      'the input is not modified',
    );
  });

  it('applying the patch between two documents yields the second', () => {
    fc.assert(
      fc.property(objectWithoutNull, objectWithoutNull, (from, to) => {
        assert.deepEqual(applyMergePatch(from, createMergePatch(from, to)), to);
      }),
    );
  });
});

describe('JSON patch (RFC 6902)', () => {
  const doc = { metadata: { labels: { a: '1' } }, list: [1, 2, 3], 'we/ird~key': 'x' };

  it('applies add, remove, replace, move, copy and test', () => {
    const result = applyJsonPatch(doc, [
      { op: 'test', path: '/metadata/labels/a', value: '1' },
      { op: 'add', path: '/metadata/labels/b', value: '2' },
      { op: 'add', path: '/list/-', value: 4 },
      { op: 'add', path: '/list/0', value: 0 },
      { op: 'remove', path: '/list/1' },
      { op: 'replace', path: '/metadata/labels/a', value: 'one' },
      { op: 'copy', from: '/metadata/labels/b', path: '/copied' },
      { op: 'move', from: '/we~1ird~0key', path: '/moved' },
    ]);
    assert.deepEqual(result, {
      metadata: { labels: { a: 'one', b: '2' } },
      list: [0, 2, 3, 4],
      copied: '2',
      moved: 'x',
    });
    assert.deepEqual(doc.list, [1, 2, 3], 'the input is not modified');
  });

  it('answers 422 to a failed test or a missing path, 400 to a malformed patch', () => {
    assert.throws(
      () => applyJsonPatch(doc, [{ op: 'test', path: '/list/0', value: 9 }]),
      rejectsWith(422),
    );
    assert.throws(() => applyJsonPatch(doc, [{ op: 'remove', path: '/nope' }]), rejectsWith(422));
    assert.throws(
      () => applyJsonPatch(doc, [{ op: 'replace', path: '/a/b/c', value: 1 }]),
      rejectsWith(422),
    );
    assert.throws(
      () => applyJsonPatch(doc, [{ op: 'add', path: '/list/9', value: 1 }]),
      rejectsWith(422),
    );
    assert.throws(() => applyJsonPatch(doc, { op: 'add' }), rejectsWith(400));
    assert.throws(() => applyJsonPatch(doc, [{ op: 'frobnicate', path: '/x' }]), rejectsWith(400));
    assert.throws(() => applyJsonPatch(doc, [{ op: 'add', path: '/x' }]), rejectsWith(400));
  });
});

describe('strategic merge patch', () => {
  const strategies = {
    'spec.ports': 'port',
    'metadata.finalizers': MERGE_PRIMITIVES,
    'spec.containers': 'name',
    'spec.containers[].env': 'name',
  };
  const service: JsonObject = {
    metadata: { labels: { app: 'web', tier: 'front' }, finalizers: ['a'] },
    spec: {
      ports: [
        { port: 80, name: 'http', targetPort: 8080 },
        { port: 443, name: 'https' },
      ],
      selector: { app: 'web' },
      externalIPs: ['192.0.2.1'],
    },
  };

  it('merges maps like merge patch (kubectl label/annotate)', () => {
    const result = applyStrategicMergePatch(
      service,
      { metadata: { labels: { tier: null, zone: 'a' } } },
      strategies,
    );
    assert.deepEqual(result.metadata, { labels: { app: 'web', zone: 'a' }, finalizers: ['a'] });
  });

  it('merges keyed lists element by element and deletes with $patch', () => {
    const result = applyStrategicMergePatch(
      service,
      {
        spec: {
          ports: [
            { port: 80, targetPort: 9090 },
            { port: 8443, name: 'alt' },
            { port: 443, $patch: 'delete' },
          ],
        },
      },
      strategies,
    );
    assert.deepEqual((result.spec as JsonObject).ports, [
      { port: 80, name: 'http', targetPort: 9090 },
      { port: 8443, name: 'alt' },
    ]);
  });

  it('orders keyed lists by $setElementOrder', () => {
    const result = applyStrategicMergePatch(
      service,
      { spec: { '$setElementOrder/ports': [{ port: 443 }, { port: 80 }] } },
      strategies,
    );
    assert.deepEqual(
      ((result.spec as JsonObject).ports as JsonObject[]).map((p) => p.port),
      [443, 80],
    );
  });

  it('unions merged primitive lists and removes with $deleteFromPrimitiveList', () => {
    const added = applyStrategicMergePatch(
      service,
      { metadata: { finalizers: ['b', 'a'] } },
      strategies,
    );
    assert.deepEqual((added.metadata as JsonObject).finalizers, ['a', 'b']);
    const removed = applyStrategicMergePatch(
      added,
      { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } },
      strategies,
    );
    assert.deepEqual((removed.metadata as JsonObject).finalizers, ['b']);
  });

  it('replaces unkeyed lists, and maps or lists marked $patch: replace', () => {
    const result = applyStrategicMergePatch(
      service,
      {
        spec: {
          externalIPs: ['192.0.2.2'],
          selector: { $patch: 'replace', run: 'x' },
          ports: [{ $patch: 'replace' }, { port: 1 }],
        },
      },
      strategies,
    );
    assert.deepEqual(result.spec, {
      ports: [{ port: 1 }],
      selector: { run: 'x' },
      externalIPs: ['192.0.2.2'],
    });
  });

  it('keeps only $retainKeys and deletes a map marked $patch: delete', () => {
    const retained = applyStrategicMergePatch(
      service,
      { spec: { $retainKeys: ['ports', 'type'], type: 'ClusterIP' } },
      strategies,
    );
    assert.deepEqual(Object.keys(retained.spec as JsonObject).sort(), ['ports', 'type']);
    const deleted = applyStrategicMergePatch(
      service,
      { spec: { selector: { $patch: 'delete' } } },
      strategies,
    );
    assert.equal((deleted.spec as JsonObject).selector, undefined);
  });

  it('merges nested keyed lists', () => {
    const pod: JsonObject = {
      spec: { containers: [{ name: 'a', image: 'x', env: [{ name: 'A', value: '1' }] }] },
    };
    const result = applyStrategicMergePatch(
      pod,
      { spec: { containers: [{ name: 'a', env: [{ name: 'B', value: '2' }] }] } },
      strategies,
    );
    assert.deepEqual(result.spec, {
      containers: [
        {
          name: 'a',
          image: 'x',
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ],
        },
      ],
    });
  });

  it('without list strategies or directives it is a merge patch', () => {
    fc.assert(
      fc.property(objectWithoutNull, objectWithoutNull, (target, patch) => {
        assert.deepEqual(
          applyStrategicMergePatch(target, patch, {}),
          applyMergePatch(target, patch),
        );
      }),
    );
  });

  it('rejects unknown $patch directives', () => {
    assert.throws(
      () => applyStrategicMergePatch(service, { spec: { $patch: 'explode' } }, strategies),
      rejectsWith(400),
    );
  });
});
