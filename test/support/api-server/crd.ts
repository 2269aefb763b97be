import {
  isJsonObject,
  nameOf,
  objectAt,
  optionalArray,
  optionalObject,
  optionalString,
  type JsonObject,
  type JsonValue,
  type KubeObject,
} from './json.ts';
import type {
  ResourceDefinition,
  TableColumn,
  VersionView,
  WriteContext,
} from './resource-definition.ts';
import type { FieldError } from './status.ts';
import { AGE_COLUMN, evaluateJsonPath, NAME_COLUMN, timestampAge } from './tables.ts';

/**
 * CustomResourceDefinitions: validating one, the status the real
 * apiextensions controllers would give it (Established at once), and the
 * ResourceDefinition that makes its kind served.
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Orders versions the way Kubernetes prefers them: v2 > v1 > v1beta2 > v1beta1 > v1alpha1 > others. */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string): [number, number, number] | undefined => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (m === null) return undefined;
    const stability = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
    return [stability, Number(m[1]), Number(m[3] ?? 0)];
  };
  const pa = parse(a);
  const pb = parse(b);
  if (pa === undefined || pb === undefined) {
    if (pa !== undefined) return -1;
    if (pb !== undefined) return 1;
    return a.localeCompare(b);
  }
  for (let i = 0; i < 3; i++) {
    const diff = (pb[i] ?? 0) - (pa[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

function required(field: string): FieldError {
  return { type: 'FieldValueRequired', field, detail: 'Required value' };
}

export function validateCrd(obj: KubeObject, ctx: WriteContext): FieldError[] {
  if (ctx.subresource === 'status') return [];
  const errors: FieldError[] = [];
  const spec = optionalObject(obj, 'spec');
  const group = optionalString(spec, 'group') ?? '';
  const names = optionalObject(spec, 'names');
  const plural = optionalString(names, 'plural') ?? '';
  const kind = optionalString(names, 'kind') ?? '';
  if (group === '') errors.push(required('spec.group'));
  else if (!group.includes('.')) {
    errors.push({
      type: 'FieldValueInvalid',
      field: 'spec.group',
      detail: `Invalid value: "${group}": should be a domain with at least one dot`,
    });
  }
  if (plural === '') errors.push(required('spec.names.plural'));
  else if (!DNS_LABEL.test(plural)) {
    errors.push({
      type: 'FieldValueInvalid',
      field: 'spec.names.plural',
      detail: `Invalid value: "${plural}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'`,
    });
  }
  if (kind === '') errors.push(required('spec.names.kind'));
  if (group !== '' && plural !== '' && nameOf(obj) !== `${plural}.${group}`) {
    errors.push({
      type: 'FieldValueInvalid',
      field: 'metadata.name',
      detail: `Invalid value: "${nameOf(obj)}": must be spec.names.plural+"."+spec.group`,
    });
  }
  const scope = optionalString(spec, 'scope');
  if (scope !== 'Namespaced' && scope !== 'Cluster') {
    errors.push({
      type: 'FieldValueNotSupported',
      field: 'spec.scope',
      detail: `Unsupported value: ${JSON.stringify(scope ?? '')}: supported values: "Cluster", "Namespaced"`,
    });
  }
  const versions = (optionalArray(spec, 'versions') ?? []).filter(isJsonObject);
  if (versions.length === 0) errors.push(required('spec.versions'));
  const storage = versions.filter((v) => v.storage === true).length;
  if (versions.length > 0 && storage !== 1) {
    errors.push({
      type: 'FieldValueInvalid',
      field: 'spec.versions',
      detail: `Invalid value: ${JSON.stringify(versions.map((v) => v.name))}: must have exactly one version marked as storage version`,
    });
  }
  versions.forEach((v, i) => {
    if (typeof v.name !== 'string' || !DNS_LABEL.test(v.name))
      errors.push(required(`spec.versions[${i}].name`));
    if (!isJsonObject(optionalObject(v, 'schema')?.openAPIV3Schema)) {
      errors.push({
        type: 'FieldValueRequired',
        field: `spec.versions[${i}].schema.openAPIV3Schema`,
        detail: 'Required value: schemas are required',
      });
    }
    for (const [j, c] of (optionalArray(v, 'additionalPrinterColumns') ?? []).entries()) {
      const path = isJsonObject(c) ? optionalString(c, 'jsonPath') : undefined;
      try {
        evaluateJsonPath({}, path ?? '');
      } catch (err) {
        errors.push({
          type: 'FieldValueInvalid',
          field: `spec.versions[${i}].additionalPrinterColumns[${j}].jsonPath`,
          detail: `Invalid value: ${JSON.stringify(path ?? '')}: ${(err as Error).message}`,
        });
      }
    }
  });
  return errors;
}

/** Fills in names defaults and the status the apiextensions controllers would set. */
export function establishCrd(obj: KubeObject, now: Date): void {
  const spec = objectAt(obj, 'spec');
  const names = objectAt(spec, 'names');
  const kind = optionalString(names, 'kind') ?? '';
  names.singular ??= kind.toLowerCase();
  names.listKind ??= `${kind}List`;
  spec.conversion ??= { strategy: 'None' };
  const versions = (optionalArray(spec, 'versions') ?? []).filter(isJsonObject);
  const storageVersion =
    optionalString(
      versions.find((v) => v.storage === true),
      'name',
    ) ?? '';
  const status = objectAt(obj, 'status');
  const stored = (optionalArray(status, 'storedVersions') ?? []).filter(
    (v) => typeof v === 'string',
  );
  if (!stored.includes(storageVersion)) stored.push(storageVersion);
  const at = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  status.acceptedNames = names;
  status.storedVersions = stored;
  status.conditions = [
    {
      type: 'NamesAccepted',
      status: 'True',
      lastTransitionTime: at,
      reason: 'NoConflicts',
      message: 'no conflicts found',
    },
    {
      type: 'Established',
      status: 'True',
      lastTransitionTime: at,
      reason: 'InitialNamesAccepted',
      message: 'the initial names have been accepted',
    },
  ];
}

function printerColumn(spec: JsonObject): TableColumn {
  const type = optionalString(spec, 'type');
  const jsonPath = optionalString(spec, 'jsonPath') ?? '';
  const columnType: TableColumn['type'] =
    type === 'integer' || type === 'number' || type === 'boolean' || type === 'date'
      ? type
      : 'string';
  const column: TableColumn = {
    name: optionalString(spec, 'name') ?? jsonPath,
    type: columnType,
    description:
      optionalString(spec, 'description') ??
      `Custom resource definition column (in JSONPath format): ${jsonPath}`,
    priority: typeof spec.priority === 'number' ? spec.priority : 0,
    cell: (obj, now): JsonValue => {
      const found = evaluateJsonPath(obj, jsonPath)[0];
      if (found === undefined) return null;
      switch (columnType) {
        case 'date':
          return timestampAge(found, now);
        case 'string':
          return typeof found === 'string' ? found : JSON.stringify(found);
        case 'integer':
          return typeof found === 'number' && Number.isInteger(found) ? found : null;
        case 'number':
          return typeof found === 'number' ? found : null;
        case 'boolean':
          return typeof found === 'boolean' ? found : null;
      }
    },
  };
  const format = optionalString(spec, 'format');
  return format === undefined ? column : { ...column, format };
}

/** The served kind a (valid, established) CRD describes. */
export function definitionFromCrd(crd: KubeObject): ResourceDefinition {
  const spec = optionalObject(crd, 'spec') ?? {};
  const names = optionalObject(spec, 'names') ?? {};
  const kind = optionalString(names, 'kind') ?? '';
  const versions: (VersionView & { selectableFields: string[] })[] = (
    optionalArray(spec, 'versions') ?? []
  )
    .filter(isJsonObject)
    .filter((v) => v.served !== false)
    .map((v) => {
      const printerColumns = (optionalArray(v, 'additionalPrinterColumns') ?? []).filter(
        isJsonObject,
      );
      return {
        name: optionalString(v, 'name') ?? '',
        statusSubresource: isJsonObject(optionalObject(v, 'subresources')?.status),
        schema: optionalObject(optionalObject(v, 'schema'), 'openAPIV3Schema'),
        columns: [
          NAME_COLUMN,
          ...(printerColumns.length === 0 ? [AGE_COLUMN] : printerColumns.map(printerColumn)),
        ],
        selectableFields: (optionalArray(v, 'selectableFields') ?? [])
          .filter(isJsonObject)
          .map((f) => optionalString(f, 'jsonPath') ?? '')
          .filter((p) => p !== ''),
      };
    })
    .sort((a, b) => compareKubeVersions(a.name, b.name));
  const selectable = [...new Set(versions.flatMap((v) => v.selectableFields))];
  return {
    group: optionalString(spec, 'group') ?? '',
    versions,
    kind,
    listKind: optionalString(names, 'listKind') ?? `${kind}List`,
    plural: optionalString(names, 'plural') ?? '',
    singular: optionalString(names, 'singular') ?? kind.toLowerCase(),
    namespaced: optionalString(spec, 'scope') === 'Namespaced',
    shortNames: (optionalArray(names, 'shortNames') ?? []).filter((v) => typeof v === 'string'),
    categories: (optionalArray(names, 'categories') ?? []).filter((v) => typeof v === 'string'),
    custom: true,
    tracksGeneration: true,
    allowCreateOnUpdate: false,
    allowUnconditionalUpdate: false,
    resetStatusOnCreate: true,
    nameFormat: 'dns-subdomain',
    listStrategies: {},
    selectableFields: (obj) =>
      Object.fromEntries(
        selectable.map((path) => {
          const found = evaluateJsonPath(obj, path)[0];
          return [
            path.replace(/^\./, ''),
            found === undefined || found === null
              ? ''
              : typeof found === 'string'
                ? found
                : JSON.stringify(found),
          ];
        }),
      ),
    prepare: undefined,
  };
}
