import type { TSchema } from 'typebox';
import { METALLB_NOTE } from './schema/common.ts';

/**
 * Turns a TypeBox schema into a Kubernetes structural openAPIV3Schema, and
 * checks the structural rules (KEP-2335 and the apiextensions validation).
 *
 * The TypeBox schema is also the runtime validator, so it says what we mean
 * in plain JSON Schema (`additionalProperties: false` to report unknown
 * fields, `Type.Record` maps, `Type.Enum`). The conversion rewrites exactly
 * those forms into what the API server accepts, and refuses anything it does
 * not know, so a new construct cannot slip into a CRD unnoticed.
 */

export type JsonObject = { [key: string]: JsonValue };
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/** JSONSchemaProps fields the API server accepts and we use as they are. */
const passThroughKeys = new Set([
  'description',
  'type',
  'format',
  'title',
  'default',
  'maximum',
  'minimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'multipleOf',
  'enum',
  'maxProperties',
  'minProperties',
  'required',
  'items',
  'properties',
  'additionalProperties',
  'nullable',
  'example',
  'anyOf',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
]);

/** Our documentation-only keys, dropped from the CRD. */
const documentationKeys = new Set([METALLB_NOTE]);

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function enumType(values: readonly JsonValue[]): string | undefined {
  if (values.every((v) => typeof v === 'string')) return 'string';
  if (values.every((v) => Number.isInteger(v))) return 'integer';
  if (values.every((v) => typeof v === 'number')) return 'number';
  if (values.every((v) => typeof v === 'boolean')) return 'boolean';
  return undefined;
}

function isIntOrStringUnion(node: JsonObject): boolean {
  const anyOf = node['anyOf'];
  if (!Array.isArray(anyOf) || anyOf.length !== 2) return false;
  const types = anyOf.map((member) => (isObject(member) ? member['type'] : undefined)).sort();
  return types[0] === 'integer' && types[1] === 'string';
}

function convertNode(input: JsonObject, path: string, isRoot: boolean): JsonObject {
  const node: JsonObject = {};
  for (const [key, value] of Object.entries(input)) {
    if (documentationKeys.has(key)) continue;
    if (key === 'const') {
      node['enum'] = [value];
      continue;
    }
    if (key === 'patternProperties') {
      const entries = isObject(value) ? Object.entries(value) : [];
      const [only] = entries;
      if (entries.length !== 1 || only === undefined || only[0] !== '^.*$' || !isObject(only[1])) {
        throw new Error(`${path}: only Type.Record(Type.String(), …) maps can become CRD maps`);
      }
      node['additionalProperties'] = convertNode(only[1], `${path}.additionalProperties`, false);
      continue;
    }
    if (!passThroughKeys.has(key)) {
      throw new Error(`${path}: "${key}" has no place in a structural schema`);
    }
    node[key] = value;
  }

  if (isIntOrStringUnion(node)) {
    node['anyOf'] = [{ type: 'integer' }, { type: 'string' }];
    node['x-kubernetes-int-or-string'] = true;
  } else if (node['anyOf'] !== undefined) {
    throw new Error(`${path}: anyOf is only allowed as an integer-or-string union`);
  }

  if (node['type'] === undefined && Array.isArray(node['enum'])) {
    const type = enumType(node['enum']);
    if (type !== undefined) node['type'] = type;
  }

  const properties = node['properties'];
  if (isObject(properties)) {
    // Unknown fields are pruned by the API server; `additionalProperties`
    // next to `properties` is forbidden there.
    if (typeof node['additionalProperties'] === 'boolean') delete node['additionalProperties'];
    const converted: JsonObject = {};
    for (const [name, child] of Object.entries(properties)) {
      if (!isObject(child)) throw new Error(`${path}.properties.${name}: not a schema`);
      converted[name] =
        isRoot && name === 'metadata'
          ? { type: 'object' } // the API server owns ObjectMeta
          : convertNode(child, `${path}.properties.${name}`, false);
    }
    if (Object.keys(converted).length === 0) delete node['properties'];
    else node['properties'] = converted;
  } else if (node['additionalProperties'] === false) {
    delete node['additionalProperties'];
  } else if (isObject(node['additionalProperties'])) {
    node['additionalProperties'] = convertNode(
      node['additionalProperties'],
      `${path}.additionalProperties`,
      false,
    );
  }
  if (Array.isArray(node['required']) && isRoot) {
    // Type and object metadata are the API server's business, not ours to require.
    node['required'] = node['required'].filter(
      (name) => typeof name !== 'string' || !rootMetaFields.has(name),
    );
  }
  if (Array.isArray(node['required']) && node['required'].length === 0) delete node['required'];
  if (isObject(node['items'])) node['items'] = convertNode(node['items'], `${path}.items`, false);
  return readableOrder(node);
}

const rootMetaFields = new Set(['apiVersion', 'kind', 'metadata']);
const leadingKeys = ['description', 'type'];

/** description and type first, so the YAML reads well; the rest as written. */
function readableOrder(node: JsonObject): JsonObject {
  const ordered: JsonObject = {};
  for (const key of leadingKeys) if (key in node) ordered[key] = node[key]!;
  for (const [key, value] of Object.entries(node)) if (!(key in ordered)) ordered[key] = value;
  return ordered;
}

/** The openAPIV3Schema for a CRD version, from the kind's TypeBox schema. */
export function toStructuralSchema(schema: TSchema): JsonObject {
  // The JSON round trip drops TypeBox's non-enumerable internals (`~kind`).
  const plain = JSON.parse(JSON.stringify(schema)) as unknown;
  if (!isObject(plain)) throw new Error('a CRD schema must be an object schema');
  return convertNode(plain, 'openAPIV3Schema', true);
}

/** Every key apiextensions.k8s.io/v1 JSONSchemaProps has; anything else is dropped or refused. */
const jsonSchemaPropsKeys = new Set([
  ...passThroughKeys,
  'id',
  '$schema',
  '$ref',
  'exclusiveMaximum',
  'exclusiveMinimum',
  'uniqueItems',
  'allOf',
  'oneOf',
  'not',
  'patternProperties',
  'dependencies',
  'additionalItems',
  'definitions',
  'externalDocs',
  'x-kubernetes-embedded-resource',
]);

/** Keys the API server refuses in a structural schema, or that we never want in ours. */
const forbiddenKeys = new Map([
  ['id', 'id is not supported'],
  ['$schema', '$schema is not supported'],
  ['$ref', '$ref is not supported'],
  ['patternProperties', 'patternProperties is not supported'],
  ['dependencies', 'dependencies is not supported'],
  ['additionalItems', 'additionalItems is not supported'],
  ['definitions', 'definitions is not supported'],
  ['oneOf', 'oneOf is not used (value validation only, and we need none)'],
  ['allOf', 'allOf is not used (value validation only, and we need none)'],
  ['not', 'not is not used (value validation only, and we need none)'],
]);

const openApiTypes = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);
/** Inside anyOf/allOf/oneOf/not these must not appear (structural rule 3). */
const junctorForbidden = ['type', 'description', 'default', 'additionalProperties', 'nullable'];

function defaultMatchesType(type: unknown, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
    default:
      return false;
  }
}

function checkNode(
  node: unknown,
  path: string,
  where: 'root' | 'metadata' | 'value',
  problems: string[],
): void {
  if (!isObject(node)) {
    problems.push(`${path}: must be a schema object`);
    return;
  }
  for (const key of Object.keys(node)) {
    if (!jsonSchemaPropsKeys.has(key)) problems.push(`${path}: unknown key "${key}"`);
    const forbidden = forbiddenKeys.get(key);
    if (forbidden !== undefined) problems.push(`${path}.${key}: ${forbidden}`);
  }
  if (node['uniqueItems'] === true) problems.push(`${path}.uniqueItems: cannot be true`);
  for (const key of ['exclusiveMinimum', 'exclusiveMaximum']) {
    // OpenAPI 3.0 has booleans here; JSON Schema 2020's numbers would be refused.
    if (key in node && typeof node[key] !== 'boolean')
      problems.push(`${path}.${key}: must be a boolean`);
  }
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  const preserve = node['x-kubernetes-preserve-unknown-fields'];
  if (preserve === false)
    problems.push(`${path}: x-kubernetes-preserve-unknown-fields must be true or unset`);
  const type = node['type'];
  if (type === undefined) {
    if (!intOrString && preserve !== true) problems.push(`${path}: every node needs a type`);
  } else if (typeof type !== 'string' || !openApiTypes.has(type)) {
    problems.push(`${path}.type: ${JSON.stringify(type)} is not an OpenAPI type`);
  }
  if (intOrString) {
    if (type !== undefined) problems.push(`${path}: an int-or-string node has no type`);
    const anyOf = node['anyOf'];
    const expected = JSON.stringify([{ type: 'integer' }, { type: 'string' }]);
    if (anyOf !== undefined && JSON.stringify(anyOf) !== expected) {
      problems.push(
        `${path}.anyOf: with x-kubernetes-int-or-string only [integer, string] is allowed`,
      );
    }
  } else if (node['anyOf'] !== undefined) {
    problems.push(`${path}.anyOf: only allowed together with x-kubernetes-int-or-string`);
  }
  for (const junctor of ['anyOf', 'allOf', 'oneOf']) {
    const members = node[junctor];
    if (members === undefined) continue;
    if (!Array.isArray(members)) {
      problems.push(`${path}.${junctor}: must be a list`);
      continue;
    }
    members.forEach((member, index) => {
      if (!isObject(member)) return;
      for (const key of junctorForbidden) {
        // The int-or-string form itself is the one exception (it needs the types).
        if (key in member && !(intOrString && key === 'type' && junctor === 'anyOf')) {
          problems.push(`${path}.${junctor}[${index}]: "${key}" is not allowed inside ${junctor}`);
        }
      }
    });
  }

  if (where === 'metadata') {
    const extra = Object.keys(node).filter((key) => key !== 'type');
    if (type !== 'object' || extra.length > 0) {
      problems.push(`${path}: metadata must be just {type: object} (the API server owns it)`);
    }
    return;
  }

  if ('default' in node) {
    if (where === 'root') problems.push(`${path}.default: not allowed at the root`);
    else if (type !== undefined && !defaultMatchesType(type, node['default'])) {
      problems.push(
        `${path}.default: ${JSON.stringify(node['default'])} is not of type ${JSON.stringify(type)}`,
      );
    } else if (Array.isArray(node['enum']) && !node['enum'].includes(node['default'])) {
      problems.push(`${path}.default: not one of the enum values`);
    } else if (typeof node['pattern'] === 'string' && typeof node['default'] === 'string') {
      if (!new RegExp(node['pattern']).test(node['default'])) {
        problems.push(`${path}.default: does not match the pattern`);
      }
    }
  }
  if (typeof node['pattern'] === 'string') {
    try {
      new RegExp(node['pattern']);
    } catch {
      problems.push(`${path}.pattern: not a valid regular expression`);
    }
  }
  if (Array.isArray(node['enum']) && type !== undefined) {
    for (const value of node['enum']) {
      if (!defaultMatchesType(type, value))
        problems.push(
          `${path}.enum: ${JSON.stringify(value)} is not of type ${JSON.stringify(type)}`,
        );
    }
  }

  const properties = node['properties'];
  const additional = node['additionalProperties'];
  if (properties !== undefined && !isObject(properties))
    problems.push(`${path}.properties: must be a map`);
  const propertyMap = isObject(properties) ? properties : {};
  if ((properties !== undefined || additional !== undefined) && type !== 'object') {
    problems.push(`${path}: properties/additionalProperties need type object`);
  }
  if (additional !== undefined) {
    if (where === 'root') problems.push(`${path}.additionalProperties: not allowed at the root`);
    if (Object.keys(propertyMap).length > 0) {
      problems.push(`${path}: additionalProperties and properties are mutually exclusive`);
    }
    if (!isObject(additional)) problems.push(`${path}.additionalProperties: must be a schema`);
    else checkNode(additional, `${path}.additionalProperties`, 'value', problems);
  }
  const required = node['required'];
  if (required !== undefined) {
    if (!Array.isArray(required)) problems.push(`${path}.required: must be a list`);
    else {
      for (const name of required) {
        if (typeof name !== 'string' || !(name in propertyMap)) {
          problems.push(`${path}.required: ${JSON.stringify(name)} is not a property`);
        }
      }
    }
  }
  for (const [name, child] of Object.entries(propertyMap)) {
    checkNode(
      child,
      `${path}.properties.${name}`,
      where === 'root' && name === 'metadata' ? 'metadata' : 'value',
      problems,
    );
  }

  const items = node['items'];
  if (type === 'array') {
    if (!isObject(items)) problems.push(`${path}.items: an array needs one items schema`);
    else checkNode(items, `${path}.items`, 'value', problems);
  } else if (items !== undefined) {
    problems.push(`${path}.items: only arrays have items`);
  }

  const listType = node['x-kubernetes-list-type'];
  const mapKeys = node['x-kubernetes-list-map-keys'];
  if (listType !== undefined) {
    if (type !== 'array') problems.push(`${path}: x-kubernetes-list-type needs type array`);
    if (listType !== 'atomic' && listType !== 'set' && listType !== 'map') {
      problems.push(`${path}.x-kubernetes-list-type: must be atomic, set or map`);
    }
  }
  if (listType === 'map') {
    const itemSchema = isObject(items) ? items : {};
    const itemProperties = isObject(itemSchema['properties']) ? itemSchema['properties'] : {};
    const itemRequired = Array.isArray(itemSchema['required']) ? itemSchema['required'] : [];
    if (!Array.isArray(mapKeys) || mapKeys.length === 0) {
      problems.push(`${path}.x-kubernetes-list-map-keys: required for a map list`);
    } else {
      for (const key of mapKeys) {
        const keySchema = typeof key === 'string' ? itemProperties[key] : undefined;
        if (!isObject(keySchema)) {
          problems.push(
            `${path}.x-kubernetes-list-map-keys: ${JSON.stringify(key)} is not an item property`,
          );
        } else {
          if (keySchema['type'] === 'object' || keySchema['type'] === 'array') {
            problems.push(
              `${path}.x-kubernetes-list-map-keys: ${JSON.stringify(key)} must be a scalar`,
            );
          }
          if (!itemRequired.includes(key) && !('default' in keySchema)) {
            problems.push(
              `${path}.x-kubernetes-list-map-keys: ${JSON.stringify(key)} must be required or have a default`,
            );
          }
        }
      }
    }
  } else if (mapKeys !== undefined) {
    problems.push(`${path}.x-kubernetes-list-map-keys: only for x-kubernetes-list-type map`);
  }
  const mapType = node['x-kubernetes-map-type'];
  if (mapType !== undefined) {
    if (type !== 'object') problems.push(`${path}: x-kubernetes-map-type needs type object`);
    if (mapType !== 'atomic' && mapType !== 'granular') {
      problems.push(`${path}.x-kubernetes-map-type: must be atomic or granular`);
    }
  }
}

/**
 * Problems that would make the API server refuse `schema` as a CRD's
 * openAPIV3Schema, or make it non-structural; empty when it is fine.
 */
export function structuralSchemaProblems(schema: unknown): string[] {
  const problems: string[] = [];
  checkNode(schema, 'openAPIV3Schema', 'root', problems);
  if (isObject(schema) && schema['type'] !== 'object') {
    problems.push('openAPIV3Schema: the root must be of type object');
  }
  return problems;
}
