import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from './json.ts';
import { applyStructuralSchema } from './structural-schema.ts';

const schema: JsonObject = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['addresses'],
      properties: {
        addresses: {
          type: 'array',
          minItems: 1,
          items: { type: 'string', pattern: '^[0-9./:a-f-]+$' },
        },
        autoAssign: { type: 'boolean', default: true },
        mode: { type: 'string', enum: ['L2', 'BGP'], default: 'BGP' },
        port: { 'x-kubernetes-int-or-string': true },
        priority: { type: 'integer', minimum: 0, maximum: 10 },
        name: { type: 'string', maxLength: 5 },
        selectors: {
          type: 'array',
          items: { type: 'object', properties: { match: { type: 'string' } } },
        },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        optional: { type: 'string', nullable: true },
        tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
      },
    },
  },
};

function run(spec: JsonObject): { obj: JsonObject; errors: string[]; unknown: string[] } {
  const obj: JsonObject = {
    apiVersion: 'x/v1',
    kind: 'X',
    metadata: { name: 'n', anything: 1 },
    spec,
  };
  const outcome = applyStructuralSchema(obj, schema);
  return {
    obj,
    errors: outcome.errors.map((e) => `${e.field}: ${e.detail}`),
    unknown: outcome.unknownFields,
  };
}

describe('structural schema (custom resources)', () => {
  it('fills in defaults and keeps metadata', () => {
    const { obj, errors } = run({ addresses: ['192.0.2.0/28'] });
    assert.deepEqual(errors, []);
    assert.deepEqual(obj.spec, { addresses: ['192.0.2.0/28'], autoAssign: true, mode: 'BGP' });
    assert.deepEqual(obj.metadata, { name: 'n', anything: 1 });
  });

  it('prunes unknown fields and reports them, except where unknown fields are preserved', () => {
    const { obj, unknown } = run({
      addresses: ['192.0.2.1'],
      typo: 1,
      selectors: [{ match: 'a', extra: true }],
      labels: { any: 'x' },
      free: { whatever: { deep: 1 } },
    });
    assert.deepEqual(unknown, ['spec.typo', 'spec.selectors[0].extra']);
    assert.deepEqual(obj.spec, {
      addresses: ['192.0.2.1'],
      autoAssign: true,
      mode: 'BGP',
      selectors: [{ match: 'a' }],
      labels: { any: 'x' },
      free: { whatever: { deep: 1 } },
    });
  });

  it('validates types, required fields, enums, patterns, bounds and sets', () => {
    const { errors } = run({
      autoAssign: 'yes',
      mode: 'ARP',
      port: 1.5,
      priority: 11,
      name: 'toolong',
      tags: ['a', 'a'],
      optional: null,
      labels: { n: 1 },
    });
    assert.deepEqual(errors, [
      'spec.addresses: Required value',
      'spec.autoAssign: Invalid value: "string": spec.autoAssign in body must be of type boolean: "string"',
      'spec.mode: Unsupported value: "ARP": supported values: "L2", "BGP"',
      'spec.port: Invalid value: 1.5: spec.port in body must be of type integer or string: "number"',
      'spec.priority: Invalid value: 11: spec.priority in body should be less than or equal to 10',
      'spec.name: Too long: may not be more than 5 bytes',
      'spec.tags[1]: Duplicate value: "a"',
      'spec.labels.n: Invalid value: "integer": spec.labels.n in body must be of type string: "integer"',
    ]);
    assert.deepEqual(run({ addresses: [] }).errors, [
      'spec.addresses: Invalid value: 0: spec.addresses in body should have at least 1 items',
    ]);
    assert.deepEqual(run({ addresses: ['not an address'] }).errors, [
      `spec.addresses[0]: Invalid value: "not an address": spec.addresses[0] in body should match '^[0-9./:a-f-]+$'`,
    ]);
    assert.deepEqual(run({ addresses: ['::1'], port: 'http' }).errors, []);
  });

  it('drops a null that is not nullable, then defaults it', () => {
    const { obj, errors } = run({ addresses: ['10.0.0.1'], autoAssign: null });
    assert.deepEqual(errors, []);
    assert.equal((obj.spec as JsonObject).autoAssign, true);
  });
});
