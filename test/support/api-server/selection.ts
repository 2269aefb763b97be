import { nameOf, namespaceOf, stringMapOf, type KubeObject } from './json.ts';
import type { ResourceDefinition } from './resource-definition.ts';
import {
  parseFieldSelector,
  parseLabelSelector,
  type FieldSelector,
  type LabelSelector,
} from './selectors.ts';
import { badRequest } from './status.ts';

/**
 * Which objects a list, watch or deletecollection addresses: the URL's
 * namespace plus `labelSelector` and `fieldSelector`.
 */
export interface Selection {
  readonly namespace: string | undefined;
  matches(obj: KubeObject): boolean;
}

export function fieldsOf(definition: ResourceDefinition, obj: KubeObject): Record<string, string> {
  const fields: Record<string, string> = {
    'metadata.name': nameOf(obj),
    ...definition.selectableFields(obj),
  };
  if (definition.namespaced) fields['metadata.namespace'] = namespaceOf(obj);
  return fields;
}

export function selectionFromQuery(
  definition: ResourceDefinition,
  namespace: string | undefined,
  query: URLSearchParams,
): Selection {
  const labelText = query.get('labelSelector');
  const fieldText = query.get('fieldSelector');
  const labels: LabelSelector | undefined =
    labelText === null || labelText === '' ? undefined : parseLabelSelector(labelText);
  const fields: FieldSelector | undefined =
    fieldText === null || fieldText === '' ? undefined : parseFieldSelector(fieldText);
  if (fields !== undefined) {
    const known = new Set([
      'metadata.name',
      ...(definition.namespaced ? ['metadata.namespace'] : []),
      ...Object.keys(definition.selectableFields({})),
    ]);
    for (const r of fields.requirements) {
      if (!known.has(r.field)) throw badRequest(`field label not supported: ${r.field}`);
    }
  }
  return {
    namespace,
    matches(obj) {
      if (namespace !== undefined && namespaceOf(obj) !== namespace) return false;
      if (labels !== undefined && !labels.matches(stringMapOf(obj, 'labels'))) return false;
      if (fields !== undefined && !fields.matches(fieldsOf(definition, obj))) return false;
      return true;
    },
  };
}
