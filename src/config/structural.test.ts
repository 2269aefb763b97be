import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from 'typebox';
import { customResourceDefinition } from './crd.ts';
import { allKinds } from './kinds.ts';
import { structuralSchemaProblems, toStructuralSchema, type JsonObject } from './structural.ts';

type Visit = (node: JsonObject, path: string) => void;

/** Visits every schema node that describes a value (root, properties, items, map values). */
function walk(node: JsonObject, path: string, visit: Visit): void {
  visit(node, path);
  const properties = node['properties'] as Record<string, JsonObject> | undefined;
  for (const [name, child] of Object.entries(properties ?? {}))
    walk(child, `${path}.${name}`, visit);
  if (node['items'] !== undefined) walk(node['items'] as JsonObject, `${path}[]`, visit);
  const additional = node['additionalProperties'];
  if (additional !== undefined && typeof additional === 'object') {
    walk(additional as JsonObject, `${path}{}`, visit);
  }
}

describe('generated openAPIV3Schemas are structural', () => {
  for (const definition of allKinds) {
    describe(definition.kind, () => {
      const schema = toStructuralSchema(definition.schema);

      it('passes every structural rule', () => {
        assert.deepEqual(structuralSchemaProblems(schema), []);
      });

      it('has a type on every node, no TypeBox internals, no JSON Schema constructs Kubernetes refuses', () => {
        walk(schema, definition.kind, (node, path) => {
          assert.equal(typeof node['type'], 'string', `${path} has a type`);
          for (const key of Object.keys(node)) {
            assert.ok(!key.startsWith('~') && !key.startsWith('$'), `${path}: ${key}`);
            assert.ok(
              ![
                'const',
                'patternProperties',
                'anyOf',
                'oneOf',
                'allOf',
                'not',
                'x-ironlb-metallb',
              ].includes(key),
              `${path}: ${key}`,
            );
          }
          if (node['properties'] !== undefined) {
            assert.equal(
              node['additionalProperties'],
              undefined,
              `${path}: properties and additionalProperties`,
            );
          }
        });
      });

      it('describes every field under spec and status (kubectl explain, the docs)', () => {
        const properties = schema['properties'] as Record<string, JsonObject>;
        for (const part of ['spec', 'status']) {
          if (properties[part] === undefined) continue;
          walk(properties[part], `${definition.kind}.${part}`, (node, path) => {
            if (path.endsWith('[]') || path.endsWith('{}')) return; // list items and map values
            assert.equal(typeof node['description'], 'string', `${path} has a description`);
          });
        }
      });

      it('leaves metadata to the API server', () => {
        const properties = schema['properties'] as Record<string, JsonObject>;
        assert.deepEqual(properties['metadata'], { type: 'object' });
        assert.ok(!(schema['required'] as string[] | undefined)?.includes('metadata'));
      });

      it('is wrapped in a CRD with status subresource and printer columns that exist', () => {
        const crd = customResourceDefinition(definition) as {
          metadata: { name: string };
          spec: {
            versions: {
              subresources?: unknown;
              additionalPrinterColumns?: { jsonPath: string }[];
            }[];
          };
        };
        assert.equal(crd.metadata.name, `${definition.plural}.ironlb.dev`);
        const [version] = crd.spec.versions;
        assert.equal(version!.subresources !== undefined, definition.hasStatus);
        for (const column of version!.additionalPrinterColumns ?? []) {
          if (column.jsonPath.startsWith('.metadata.')) continue;
          let node: JsonObject | undefined = schema;
          for (const part of column.jsonPath.slice(1).split('.')) {
            node = (node?.['properties'] as Record<string, JsonObject> | undefined)?.[part];
          }
          assert.ok(
            node !== undefined,
            `${definition.kind}: column ${column.jsonPath} names a field`,
          );
        }
      });
    });
  }
});

describe('toStructuralSchema', () => {
  it('turns an integer-or-string union into x-kubernetes-int-or-string', () => {
    const schema = toStructuralSchema(
      Type.Object({ port: Type.Union([Type.Integer(), Type.String()], { description: 'a port' }) }),
    );
    const port = (schema['properties'] as Record<string, JsonObject>)['port'];
    assert.deepEqual(port, {
      description: 'a port',
      anyOf: [{ type: 'integer' }, { type: 'string' }],
      'x-kubernetes-int-or-string': true,
    });
    assert.deepEqual(structuralSchemaProblems(schema), []);
  });

  it('turns const into a one-value enum, maps into additionalProperties, and drops additionalProperties: false', () => {
    const schema = toStructuralSchema(
      Type.Object(
        { mode: Type.Literal('fast'), tags: Type.Record(Type.String(), Type.Integer()) },
        { additionalProperties: false },
      ),
    );
    assert.deepEqual(schema, {
      type: 'object',
      required: ['mode', 'tags'],
      properties: {
        mode: { type: 'string', enum: ['fast'] },
        tags: { type: 'object', additionalProperties: { type: 'integer' } },
      },
    });
  });

  it('refuses constructs a CRD cannot express', () => {
    assert.throws(
      () => toStructuralSchema(Type.Object({ a: Type.Union([Type.String(), Type.Boolean()]) })),
      /anyOf/,
    );
    assert.throws(
      () => toStructuralSchema(Type.Object({ a: Type.String({ $id: 'x' }) })),
      /"\$id" has no place/,
    );
    assert.throws(
      () =>
        toStructuralSchema(
          Type.Object({ a: Type.Record(Type.String({ pattern: '^a' }), Type.String()) }),
        ),
      /only Type.Record/,
    );
  });
});

describe('structuralSchemaProblems catches each rule', () => {
  const ok = {
    type: 'object',
    properties: { spec: { type: 'object', properties: { a: { type: 'string' } } } },
  };

  const cases: [string, unknown, RegExp][] = [
    [
      'a node without type',
      { type: 'object', properties: { a: { description: 'x' } } },
      /every node needs a type/,
    ],
    [
      'an unknown type',
      { type: 'object', properties: { a: { type: 'null' } } },
      /is not an OpenAPI type/,
    ],
    [
      '$ref',
      { type: 'object', properties: { a: { type: 'string', $ref: '#/x' } } },
      /\$ref is not supported/,
    ],
    [
      'patternProperties',
      { type: 'object', properties: { a: { type: 'object', patternProperties: {} } } },
      /patternProperties/,
    ],
    [
      'const (not a JSONSchemaProps key)',
      { type: 'object', properties: { a: { type: 'string', const: 'x' } } },
      /unknown key "const"/,
    ],
    [
      'uniqueItems',
      {
        type: 'object',
        properties: { a: { type: 'array', items: { type: 'string' }, uniqueItems: true } },
      },
      /uniqueItems/,
    ],
    [
      'properties with additionalProperties',
      {
        type: 'object',
        properties: {
          a: {
            type: 'object',
            properties: { b: { type: 'string' } },
            additionalProperties: { type: 'string' },
          },
        },
      },
      /mutually exclusive/,
    ],
    [
      'additionalProperties false',
      { type: 'object', properties: { a: { type: 'object', additionalProperties: false } } },
      /must be a schema/,
    ],
    [
      'an array without items',
      { type: 'object', properties: { a: { type: 'array' } } },
      /needs one items schema/,
    ],
    [
      'anyOf without int-or-string',
      { type: 'object', properties: { a: { type: 'string', anyOf: [{ pattern: 'a' }] } } },
      /only allowed together with x-kubernetes-int-or-string/,
    ],
    [
      'a type inside anyOf',
      {
        type: 'object',
        properties: {
          a: {
            'x-kubernetes-int-or-string': true,
            anyOf: [{ type: 'integer' }, { type: 'string', description: 'd' }],
          },
        },
      },
      /"description" is not allowed inside anyOf/,
    ],
    [
      'oneOf',
      { type: 'object', properties: { a: { type: 'string', oneOf: [] } } },
      /oneOf is not used/,
    ],
    [
      'a default of the wrong type',
      { type: 'object', properties: { a: { type: 'integer', default: 'x' } } },
      /is not of type "integer"/,
    ],
    [
      'a default outside the enum',
      { type: 'object', properties: { a: { type: 'string', enum: ['a'], default: 'b' } } },
      /not one of the enum values/,
    ],
    [
      'a default not matching the pattern',
      { type: 'object', properties: { a: { type: 'string', pattern: '^a$', default: 'b' } } },
      /does not match the pattern/,
    ],
    [
      'numeric exclusiveMinimum',
      { type: 'object', properties: { a: { type: 'integer', exclusiveMinimum: 1 } } },
      /must be a boolean/,
    ],
    [
      'required naming no property',
      { type: 'object', required: ['b'], properties: { a: { type: 'string' } } },
      /"b" is not a property/,
    ],
    [
      'metadata with properties',
      {
        type: 'object',
        properties: { metadata: { type: 'object', properties: { name: { type: 'string' } } } },
      },
      /metadata must be just/,
    ],
    [
      'a map list without keys',
      {
        type: 'object',
        properties: {
          a: { type: 'array', items: { type: 'object' }, 'x-kubernetes-list-type': 'map' },
        },
      },
      /required for a map list/,
    ],
    [
      'a map list key that is optional',
      {
        type: 'object',
        properties: {
          a: {
            type: 'array',
            items: { type: 'object', properties: { k: { type: 'string' } } },
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['k'],
          },
        },
      },
      /must be required or have a default/,
    ],
    [
      'a map type on a string',
      { type: 'object', properties: { a: { type: 'string', 'x-kubernetes-map-type': 'atomic' } } },
      /needs type object/,
    ],
    ['a root that is not an object', { type: 'string' }, /root must be of type object/],
    ['a default at the root', { type: 'object', default: {} }, /not allowed at the root/],
  ];

  it('accepts a minimal good schema', () => assert.deepEqual(structuralSchemaProblems(ok), []));
  for (const [rule, schema, expected] of cases) {
    it(rule, () => {
      const problems = structuralSchemaProblems(schema);
      assert.ok(
        problems.some((p) => expected.test(p)),
        `expected ${String(expected)} in ${JSON.stringify(problems)}`,
      );
    });
  }
});
