import { Type, type Static } from 'typebox';
import { metallb } from './common.ts';

/** metav1.LabelSelectorRequirement. */
export const LabelSelectorRequirementSchema = Type.Object(
  {
    key: Type.String({ minLength: 1, description: 'The label key the requirement applies to.' }),
    operator: Type.Enum(['In', 'NotIn', 'Exists', 'DoesNotExist'], {
      description: 'How the key relates to the values: In, NotIn, Exists or DoesNotExist.',
    }),
    values: Type.Optional(
      Type.Array(Type.String(), {
        description:
          'The values for In and NotIn (at least one); must be empty for Exists and DoesNotExist.',
      }),
    ),
  },
  { additionalProperties: false },
);

/**
 * metav1.LabelSelector, shared by every selector field. The requirements are
 * ANDed; an empty selector matches everything.
 */
export const LabelSelectorSchema = Type.Object(
  {
    matchLabels: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'Labels that must all be present with exactly these values.',
      }),
    ),
    matchExpressions: Type.Optional(
      Type.Array(LabelSelectorRequirementSchema, {
        description: 'Requirements that must all hold.',
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'A Kubernetes label selector (matchLabels and matchExpressions, ANDed).',
    'x-kubernetes-map-type': 'atomic',
  },
);

export type LabelSelectorSpec = Static<typeof LabelSelectorSchema>;

/** A list of selectors, ORed; an empty or absent list matches everything. */
export function selectorList(description: string, metallbNote = 'same') {
  return Type.Optional(Type.Array(LabelSelectorSchema, { description, ...metallb(metallbNote) }));
}
