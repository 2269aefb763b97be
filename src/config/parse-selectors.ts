import { configError, type ConfigError, type ObjectIdentity } from './config-error.ts';
import { ConfigErrors } from './errors.ts';
import { fieldPath } from './field-path.ts';
import { normaliseLabelSelector, type LabelSelector } from './label-selector.ts';
import type { LabelSelectorSpec } from './schema/label-selector.ts';

/** Normalises a selector list field, adding an error per problem (paths from the object root). */
export function normaliseSelectors(
  identity: ObjectIdentity,
  path: readonly (string | number)[],
  specs: readonly LabelSelectorSpec[] | undefined,
  errors: ConfigError[],
): LabelSelector[] {
  const selectors: LabelSelector[] = [];
  (specs ?? []).forEach((spec, index) => {
    const result = normaliseLabelSelector(spec);
    if (result.ok) {
      selectors.push(result.value);
      return;
    }
    for (const problem of result.problems) {
      errors.push(
        configError(
          identity,
          ConfigErrors.IRONLB_ERR_CONFIG_LABEL_SELECTOR,
          `${fieldPath([...path, index])}.${problem.field}`,
          problem.reason,
        ),
      );
    }
  });
  return selectors;
}
