import {
  deepClone,
  deepEqual,
  isJsonObject,
  scalarText,
  type JsonObject,
  type JsonValue,
} from './json.ts';
import type { FieldError } from './status.ts';

/**
 * What the real server does with a custom resource against its CRD's
 * openAPIV3Schema, in the same order: drop unknown fields (pruning), fill in
 * `default`s, then validate. CEL rules (`x-kubernetes-validations`) and
 * `format` are not evaluated.
 */

export interface SchemaOutcome {
  readonly errors: FieldError[];
  /** Paths of fields that pruning removed (for fieldValidation Warn/Strict). */
  readonly unknownFields: string[];
}

const ROOT_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

export function applyStructuralSchema(obj: JsonObject, schema: JsonObject): SchemaOutcome {
  const outcome: SchemaOutcome = { errors: [], unknownFields: [] };
  prune(obj, schema, '', outcome.unknownFields, true);
  applyDefaults(obj, schema);
  validate(obj, schema, '', outcome.errors, true);
  return outcome;
}

function child(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function subSchema(schema: JsonObject, key: string): JsonObject | undefined {
  const properties = schema.properties;
  if (isJsonObject(properties) && isJsonObject(properties[key])) return properties[key];
  if (isJsonObject(schema.additionalProperties)) return schema.additionalProperties;
  return undefined;
}

function preservesUnknown(schema: JsonObject): boolean {
  return (
    schema['x-kubernetes-preserve-unknown-fields'] === true || schema.additionalProperties === true
  );
}

function prune(
  value: JsonValue,
  schema: JsonObject,
  path: string,
  unknown: string[],
  root: boolean,
): void {
  if (Array.isArray(value)) {
    const items = schema.items;
    if (isJsonObject(items))
      value.forEach((item, i) => prune(item, items, `${path}[${i}]`, unknown, false));
    return;
  }
  if (!isJsonObject(value)) return;
  const embedded = schema['x-kubernetes-embedded-resource'] === true;
  for (const key of Object.keys(value)) {
    if ((root || embedded) && ROOT_FIELDS.has(key)) continue;
    const sub = subSchema(schema, key);
    const item = value[key];
    if (sub !== undefined) {
      if (item !== undefined) prune(item, sub, child(path, key), unknown, false);
    } else if (!preservesUnknown(schema)) {
      unknown.push(child(path, key));
      delete value[key];
    }
  }
}

function applyDefaults(value: JsonValue, schema: JsonObject): void {
  if (Array.isArray(value)) {
    const items = schema.items;
    if (isJsonObject(items)) for (const item of value) applyDefaults(item, items);
    return;
  }
  if (!isJsonObject(value)) return;
  const properties = isJsonObject(schema.properties) ? schema.properties : {};
  for (const [key, sub] of Object.entries(properties)) {
    if (!isJsonObject(sub)) continue;
    if (value[key] === null && sub.nullable !== true) delete value[key];
    if (value[key] === undefined && sub.default !== undefined) value[key] = deepClone(sub.default);
    const item = value[key];
    if (item !== undefined) applyDefaults(item, sub);
  }
  if (isJsonObject(schema.additionalProperties)) {
    const additional = schema.additionalProperties;
    for (const [key, item] of Object.entries(value)) {
      if (!Object.hasOwn(properties, key)) applyDefaults(item, additional);
    }
  }
}

function typeOf(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Go RE2 patterns; most are valid JS with the `u` flag, a few only without it. */
function compilePattern(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    return new RegExp(pattern);
  }
}

function show(value: JsonValue): string {
  return JSON.stringify(value);
}

function validate(
  value: JsonValue,
  schema: JsonObject,
  path: string,
  errors: FieldError[],
  root: boolean,
): void {
  const field = path === '' ? '<root>' : path;
  if (value === null) {
    if (schema.nullable !== true && !root) {
      errors.push({
        type: 'FieldValueTypeInvalid',
        field,
        detail: `Invalid value: "null": ${field} in body must be of type ${scalarText(schema.type ?? 'object')}: "null"`,
      });
    }
    return;
  }
  const actual = typeOf(value);
  const expected = schema.type;
  if (schema['x-kubernetes-int-or-string'] === true) {
    if (actual !== 'integer' && actual !== 'string') {
      errors.push({
        type: 'FieldValueTypeInvalid',
        field,
        detail: `Invalid value: ${show(value)}: ${field} in body must be of type integer or string: "${actual}"`,
      });
      return;
    }
  } else if (typeof expected === 'string') {
    const ok = expected === actual || (expected === 'number' && actual === 'integer');
    if (!ok) {
      errors.push({
        type: 'FieldValueTypeInvalid',
        field,
        detail: `Invalid value: "${actual}": ${field} in body must be of type ${expected}: "${actual}"`,
      });
      return;
    }
  }

  if (Array.isArray(schema.enum) && !schema.enum.some((allowed) => deepEqual(allowed, value))) {
    errors.push({
      type: 'FieldValueNotSupported',
      field,
      detail: `Unsupported value: ${show(value)}: supported values: ${schema.enum.map(show).join(', ')}`,
    });
  }

  if (typeof value === 'string') {
    const length = [...value].length;
    if (typeof schema.maxLength === 'number' && length > schema.maxLength) {
      errors.push({
        type: 'FieldValueTooLong',
        field,
        detail: `Too long: may not be more than ${schema.maxLength} bytes`,
      });
    }
    if (typeof schema.minLength === 'number' && length < schema.minLength) {
      errors.push({
        type: 'FieldValueInvalid',
        field,
        detail: `Invalid value: ${show(value)}: ${field} in body should be at least ${schema.minLength} chars long`,
      });
    }
    if (typeof schema.pattern === 'string' && !compilePattern(schema.pattern).test(value)) {
      errors.push({
        type: 'FieldValueInvalid',
        field,
        detail: `Invalid value: ${show(value)}: ${field} in body should match '${schema.pattern}'`,
      });
    }
  }

  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number') {
      const exclusive = schema.exclusiveMinimum === true;
      if (exclusive ? value <= schema.minimum : value < schema.minimum) {
        errors.push({
          type: 'FieldValueInvalid',
          field,
          detail: `Invalid value: ${value}: ${field} in body should be greater than ${exclusive ? '' : 'or equal to '}${schema.minimum}`,
        });
      }
    }
    if (typeof schema.maximum === 'number') {
      const exclusive = schema.exclusiveMaximum === true;
      if (exclusive ? value >= schema.maximum : value > schema.maximum) {
        errors.push({
          type: 'FieldValueInvalid',
          field,
          detail: `Invalid value: ${value}: ${field} in body should be less than ${exclusive ? '' : 'or equal to '}${schema.maximum}`,
        });
      }
    }
  }

  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
      errors.push({
        type: 'FieldValueInvalid',
        field,
        detail: `Invalid value: ${value.length}: ${field} in body should have at least ${schema.minItems} items`,
      });
    }
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) {
      errors.push({
        type: 'FieldValueTooLong',
        field,
        detail: `Too many: ${value.length}: must have at most ${schema.maxItems} items`,
      });
    }
    if (schema['x-kubernetes-list-type'] === 'set' || schema.uniqueItems === true) {
      value.forEach((item, i) => {
        if (value.slice(0, i).some((earlier) => deepEqual(earlier, item))) {
          errors.push({
            type: 'FieldValueDuplicate',
            field: `${path}[${i}]`,
            detail: `Duplicate value: ${show(item)}`,
          });
        }
      });
    }
    const items = schema.items;
    if (isJsonObject(items))
      value.forEach((item, i) => validate(item, items, `${path}[${i}]`, errors, false));
    return;
  }

  if (isJsonObject(value)) {
    const required = Array.isArray(schema.required) ? schema.required : [];
    for (const key of required) {
      if (typeof key === 'string' && value[key] === undefined) {
        errors.push({
          type: 'FieldValueRequired',
          field: child(path, key),
          detail: 'Required value',
        });
      }
    }
    const keyCount = Object.keys(value).length;
    if (typeof schema.maxProperties === 'number' && keyCount > schema.maxProperties) {
      errors.push({
        type: 'FieldValueTooLong',
        field,
        detail: `Too many: ${keyCount}: must have at most ${schema.maxProperties} items`,
      });
    }
    if (typeof schema.minProperties === 'number' && keyCount < schema.minProperties) {
      errors.push({
        type: 'FieldValueInvalid',
        field,
        detail: `Invalid value: ${keyCount}: ${field} in body should have at least ${schema.minProperties} properties`,
      });
    }
    for (const [key, item] of Object.entries(value)) {
      if (root && ROOT_FIELDS.has(key)) continue;
      const sub = subSchema(schema, key);
      if (sub !== undefined) validate(item, sub, child(path, key), errors, false);
    }
  }
}
