import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareKubeVersions } from './crd.ts';
import { negotiate } from './representation.ts';
import { route } from './router.ts';
import { ApiError } from './status.ts';
import { buildTable, evaluateJsonPath, humanDuration, NAME_COLUMN } from './tables.ts';

describe('kubectl-style ages', () => {
  const cases: [number, string][] = [
    [-5000, '<invalid>'],
    [-500, '0s'],
    [0, '0s'],
    [119_000, '119s'],
    [120_000, '2m'],
    [303_000, '5m3s'],
    [3_600_000, '60m'],
    [3 * 3_600_000 + 20 * 60_000, '3h20m'],
    [5 * 3_600_000, '5h'],
    [30 * 3_600_000, '30h'],
    [4 * 86_400_000 + 2 * 3_600_000, '4d2h'],
    [100 * 86_400_000, '100d'],
    [(2 * 365 + 10) * 86_400_000, '2y10d'],
    [9 * 365 * 86_400_000, '9y'],
  ];
  for (const [ms, text] of cases)
    it(`${ms} ms is ${text}`, () => assert.equal(humanDuration(ms), text));
});

describe('printer-column JSONPath', () => {
  const obj = {
    spec: { addresses: ['a', 'b'], nested: { 'odd.key': 1 } },
    status: {
      conditions: [
        { type: 'Ready', status: 'True' },
        { type: 'Synced', status: 'False' },
      ],
    },
  };
  it('follows fields, indexes, wildcards, quoted keys and equality filters', () => {
    assert.deepEqual(evaluateJsonPath(obj, '.spec.addresses'), [['a', 'b']]);
    assert.deepEqual(evaluateJsonPath(obj, '.spec.addresses[1]'), ['b']);
    assert.deepEqual(evaluateJsonPath(obj, '.spec.addresses[-1]'), ['b']);
    assert.deepEqual(evaluateJsonPath(obj, '.spec.addresses[*]'), ['a', 'b']);
    assert.deepEqual(evaluateJsonPath(obj, "{.spec.nested['odd.key']}"), [1]);
    assert.deepEqual(evaluateJsonPath(obj, '.status.conditions[?(@.type=="Ready")].status'), [
      'True',
    ]);
    assert.deepEqual(evaluateJsonPath(obj, ".status.conditions[?(@.type!='Ready')].type"), [
      'Synced',
    ]);
    assert.deepEqual(evaluateJsonPath(obj, '.spec.missing.deeper'), []);
  });
  it('rejects what it does not understand', () => {
    assert.throws(() => evaluateJsonPath(obj, 'spec'));
    assert.throws(() => evaluateJsonPath(obj, '.spec[?(@.a>1)]'));
    assert.throws(() => evaluateJsonPath(obj, '.spec[0'));
  });
});

describe('tables and representations', () => {
  it('builds rows with partial metadata by default', () => {
    const table = buildTable(
      [{ metadata: { name: 'x', uid: 'u' } }],
      [NAME_COLUMN],
      new Date(),
      'Metadata',
      { resourceVersion: '7' },
    );
    assert.deepEqual(table.rows, [
      {
        cells: ['x'],
        object: {
          kind: 'PartialObjectMetadata',
          apiVersion: 'meta.k8s.io/v1',
          metadata: { name: 'x', uid: 'u' },
        },
      },
    ]);
    assert.deepEqual(
      buildTable([{ metadata: { name: 'x' } }], [NAME_COLUMN], new Date(), 'None', {}).rows,
      [{ cells: ['x'] }],
    );
  });

  it('negotiates by the first acceptable media range', () => {
    assert.deepEqual(negotiate(undefined, null), { as: 'object' });
    assert.deepEqual(negotiate('application/json, */*', null), { as: 'object' });
    assert.deepEqual(
      negotiate('application/json;as=Table;v=v1;g=meta.k8s.io,application/json', 'Object'),
      { as: 'table', includeObject: 'Object' },
    );
    assert.deepEqual(
      negotiate('application/json;as=Table;v=v2;g=meta.k8s.io,application/json', null),
      { as: 'object' },
    );
    assert.deepEqual(
      negotiate(
        'application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1',
        null,
      ),
      { as: 'metadata' },
    );
    assert.throws(
      () => negotiate('application/vnd.kubernetes.protobuf', null),
      (e: unknown) => e instanceof ApiError && e.code === 406,
    );
  });
});

describe('routing', () => {
  it('tells core and group paths, namespaces, subresources and legacy watches apart', () => {
    assert.deepEqual(route('/api/v1/namespaces/default/services/web/status'), {
      type: 'resource',
      group: '',
      version: 'v1',
      namespace: 'default',
      plural: 'services',
      name: 'web',
      subresource: 'status',
      legacyWatch: false,
    });
    assert.deepEqual(route('/api/v1/namespaces/default'), {
      type: 'resource',
      group: '',
      version: 'v1',
      namespace: undefined,
      plural: 'namespaces',
      name: 'default',
      subresource: undefined,
      legacyWatch: false,
    });
    assert.deepEqual(route('/api/v1/namespaces/default/status'), {
      type: 'resource',
      group: '',
      version: 'v1',
      namespace: undefined,
      plural: 'namespaces',
      name: 'default',
      subresource: 'status',
      legacyWatch: false,
    });
    assert.deepEqual(route('/apis/coordination.k8s.io/v1/watch/namespaces/kube-system/leases'), {
      type: 'resource',
      group: 'coordination.k8s.io',
      version: 'v1',
      namespace: 'kube-system',
      plural: 'leases',
      name: undefined,
      subresource: undefined,
      legacyWatch: true,
    });
    assert.deepEqual(route('/apis/ironlb.dev/v1beta1/ipaddresspools'), {
      type: 'resource',
      group: 'ironlb.dev',
      version: 'v1beta1',
      namespace: undefined,
      plural: 'ipaddresspools',
      name: undefined,
      subresource: undefined,
      legacyWatch: false,
    });
    assert.deepEqual(route('/apis/ironlb.dev'), { type: 'group', group: 'ironlb.dev' });
    assert.deepEqual(route('/apis/ironlb.dev/v1beta1'), {
      type: 'resource-list',
      group: 'ironlb.dev',
      version: 'v1beta1',
    });
    assert.deepEqual(route('/openapi/v3/apis/ironlb.dev/v1beta1'), {
      type: 'openapi',
      path: ['v3', 'apis', 'ironlb.dev', 'v1beta1'],
    });
    assert.deepEqual(route('/api/v1/namespaces/a/services/b/status/extra'), { type: 'unknown' });
    assert.deepEqual(route('/metrics'), { type: 'unknown' });
  });
});

describe('version priority', () => {
  it('orders GA before beta before alpha, newer first, others last', () => {
    const sorted = ['v1alpha1', 'foo', 'v1', 'v2beta1', 'v1beta2', 'v2', 'v1beta1', 'bar'].sort(
      compareKubeVersions,
    );
    assert.deepEqual(sorted, [
      'v2',
      'v1',
      'v2beta1',
      'v1beta2',
      'v1beta1',
      'v1alpha1',
      'bar',
      'foo',
    ]);
  });
});
