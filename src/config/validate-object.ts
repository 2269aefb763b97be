import { Type, type Static, type TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';
import type { TLocalizedValidationError } from 'typebox/error';
import { COMMUNITY_PATTERN } from './community.ts';
import { configError, type ConfigError, type ObjectIdentity } from './config-error.ts';
import { DURATION_PATTERN } from './duration.ts';
import { ConfigErrors } from './errors.ts';
import { fieldPath, pointerSegments } from './field-path.ts';
import { API_GROUP_VERSION, ObjectMetaSchema, typeMetaProperties } from './schema/common.ts';

/**
 * Checks one configuration object against its kind's schema and turns the
 * validator's findings into readable errors with kubectl-style field paths.
 * Only apiVersion, kind, metadata and spec are checked: status belongs to
 * the daemons, and other metadata belongs to the API server.
 */
export interface ObjectValidator<Spec> {
  readonly kind: string;
  /** The object's identity, as far as it can be read (also for invalid objects). */
  identify(object: unknown): ObjectIdentity;
  /** The spec when the object is valid, else the errors (never both, never neither). */
  validate(object: unknown):
    | {
        readonly ok: true;
        readonly identity: ObjectIdentity;
        readonly spec: Spec;
        readonly labels: Readonly<Record<string, string>>;
      }
    | { readonly ok: false; readonly identity: ObjectIdentity; readonly errors: ConfigError[] };
}

const patternHints = new Map<string, string>([
  [DURATION_PATTERN, 'must be a duration such as "90s", "1m30s" or "500ms"'],
  [COMMUNITY_PATTERN, 'must be a community such as "65000:100" or "large:65000:1:2"'],
]);

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}

const typeNames: Readonly<Record<string, string>> = {
  object: 'an object',
  array: 'a list',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
};

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function valueAt(root: unknown, segments: readonly (string | number)[]): unknown {
  let current = root;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

function schemaAt(schema: TSchema, schemaPath: string): Record<string, unknown> {
  let current: unknown = schema;
  for (const raw of schemaPath
    .replace(/^#\/?/, '')
    .split('/')
    .filter((s) => s !== '')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    current =
      current !== null && typeof current === 'object'
        ? (current as Record<string, unknown>)[token]
        : undefined;
  }
  return current !== null && typeof current === 'object'
    ? (current as Record<string, unknown>)
    : {};
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** Readable errors for one validator error (several for required/additionalProperties). */
function translate(
  error: TLocalizedValidationError,
  schema: TSchema,
  root: unknown,
): { field: string; reason: string }[] {
  const segments = pointerSegments(error.instancePath, root);
  const field = fieldPath(segments);
  const value = valueAt(root, segments);
  const node = schemaAt(schema, error.schemaPath);
  switch (error.keyword) {
    case 'boolean':
      // `additionalProperties: false` reports each extra key twice; the
      // additionalProperties error below is the readable one.
      return error.schemaPath.endsWith('/additionalProperties')
        ? []
        : [{ field, reason: error.message }];
    case 'additionalProperties':
      return error.params.additionalProperties.map((key) => ({
        field: fieldPath([...segments, key]),
        reason: 'unknown field',
      }));
    case 'required': {
      const present = value !== null && typeof value === 'object' ? value : {};
      return error.params.requiredProperties
        .filter((key) => !Object.hasOwn(present, key))
        .map((key) => ({ field: fieldPath([...segments, key]), reason: 'is required' }));
    }
    case 'type': {
      const expected = Array.isArray(error.params.type)
        ? error.params.type.join(' or ')
        : error.params.type;
      return [
        { field, reason: `must be ${typeNames[expected] ?? expected}, not ${describeType(value)}` },
      ];
    }
    case 'minimum':
    case 'maximum': {
      const min = node['minimum'];
      const max = node['maximum'];
      const range =
        typeof min === 'number' && typeof max === 'number'
          ? `must be between ${min} and ${max}`
          : error.keyword === 'minimum'
            ? `must be at least ${String(error.params.limit)}`
            : `must be at most ${String(error.params.limit)}`;
      return [{ field, reason: `${range} (got ${shown(value)})` }];
    }
    case 'pattern': {
      const pattern = String(
        error.params.pattern instanceof RegExp ? error.params.pattern.source : error.params.pattern,
      );
      const hint = patternHints.get(pattern) ?? `must match ${pattern}`;
      return [{ field, reason: `${hint} (got ${shown(value)})` }];
    }
    case 'enum':
      return [
        {
          field,
          reason: `must be one of ${error.params.allowedValues.map((v) => String(v)).join(', ')} (got ${shown(value)})`,
        },
      ];
    case 'minItems':
      return [
        { field, reason: `must have at least ${plural(error.params.limit, 'entry', 'entries')}` },
      ];
    case 'maxItems':
      return [
        { field, reason: `must have at most ${plural(error.params.limit, 'entry', 'entries')}` },
      ];
    case 'minLength':
      return [
        {
          field,
          reason:
            error.params.limit === 1
              ? 'must not be empty'
              : `must be at least ${plural(error.params.limit, 'character', 'characters')}`,
        },
      ];
    case 'maxLength':
      return [
        {
          field,
          reason: `must be at most ${plural(error.params.limit, 'character', 'characters')}`,
        },
      ];
    case 'format':
      return [{ field, reason: `must be a ${error.params.format} (got ${shown(value)})` }];
    default:
      return [{ field, reason: error.message }];
  }
}

function readString(object: unknown, ...path: string[]): string {
  const value = valueAt(object, path);
  return typeof value === 'string' ? value : '';
}

/** A validator for one configuration kind, given that kind's spec schema. */
export function objectValidator<const Spec extends TSchema>(
  kind: string,
  specSchema: Spec,
): ObjectValidator<Static<Spec>> {
  const inputSchema = Type.Object({
    ...typeMetaProperties,
    metadata: ObjectMetaSchema,
    spec: specSchema,
  });
  const validator: Validator = Compile(inputSchema);
  const identify = (object: unknown): ObjectIdentity => ({
    kind,
    namespace: readString(object, 'metadata', 'namespace'),
    name: readString(object, 'metadata', 'name'),
  });
  return {
    kind,
    identify,
    validate(object) {
      const identity = identify(object);
      const errors: ConfigError[] = [];
      if (!validator.Check(object)) {
        for (const error of validator.Errors(object)) {
          for (const { field, reason } of translate(error, inputSchema, object)) {
            errors.push(
              configError(identity, ConfigErrors.IRONLB_ERR_CONFIG_SCHEMA, field, reason),
            );
          }
        }
        if (errors.length === 0) {
          // The validator disagreed with itself; never let an invalid object through silently.
          errors.push(
            configError(
              identity,
              ConfigErrors.IRONLB_ERR_CONFIG_SCHEMA,
              '',
              'does not match the schema',
            ),
          );
        }
        return { ok: false, identity, errors };
      }
      const typed = object as {
        apiVersion?: string;
        kind?: string;
        metadata: { labels?: Record<string, string> };
        spec: Static<Spec>;
      };
      if (typed.apiVersion !== undefined && typed.apiVersion !== API_GROUP_VERSION) {
        errors.push(
          configError(
            identity,
            ConfigErrors.IRONLB_ERR_CONFIG_SCHEMA,
            'apiVersion',
            `must be ${API_GROUP_VERSION} (got ${shown(typed.apiVersion)})`,
          ),
        );
      }
      if (typed.kind !== undefined && typed.kind !== kind) {
        errors.push(
          configError(
            identity,
            ConfigErrors.IRONLB_ERR_CONFIG_SCHEMA,
            'kind',
            `must be ${kind} (got ${shown(typed.kind)})`,
          ),
        );
      }
      if (errors.length > 0) return { ok: false, identity, errors };
      return { ok: true, identity, spec: typed.spec, labels: typed.metadata.labels ?? {} };
    },
  };
}
