import { compareStrings, propertyPath } from './field-path.ts';
import type { LabelSelectorSpec } from './schema/label-selector.ts';
import {
  labelKeyProblem,
  labelValueProblem,
  matchesLabelSelector,
  type LabelSelectorOperator,
  type Labels,
} from '../common/label-selector.ts';

// The grammar and the evaluator are src/common's (one for the project); this module adds the
// normal form the configuration is compared and reasoned about in.
export { labelKeyProblem, labelValueProblem, type LabelSelectorOperator, type Labels };

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelSelectorOperator;
  /** Sorted, without duplicates; empty for Exists and DoesNotExist. */
  readonly values: readonly string[];
}

/**
 * A label selector in canonical form: matchLabels became `In` requirements,
 * and the requirements are sorted and deduplicated, so two selectors that
 * mean the same have equal `requirements` (and equal `canonicalSelector()`).
 */
export interface LabelSelector {
  readonly requirements: readonly LabelRequirement[];
}

export interface SelectorProblem {
  /** Path relative to the selector, e.g. `matchExpressions[0].values`. */
  readonly field: string;
  readonly reason: string;
}

/**
 * Normalises a selector from its CRD form, or lists what is wrong with it
 * (field paths relative to the selector).
 */
export function normaliseLabelSelector(
  spec: LabelSelectorSpec,
): { ok: true; value: LabelSelector } | { ok: false; problems: SelectorProblem[] } {
  const problems: SelectorProblem[] = [];
  const requirements: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(spec.matchLabels ?? {})) {
    const field = `matchLabels${propertyPath(key)}`;
    const keyProblem = labelKeyProblem(key);
    if (keyProblem !== undefined) problems.push({ field, reason: keyProblem });
    const valueProblem = labelValueProblem(value);
    if (valueProblem !== undefined) problems.push({ field, reason: valueProblem });
    requirements.push({ key, operator: 'In', values: [value] });
  }
  (spec.matchExpressions ?? []).forEach((expression, index) => {
    const base = `matchExpressions[${index}]`;
    const keyProblem = labelKeyProblem(expression.key);
    if (keyProblem !== undefined) problems.push({ field: `${base}.key`, reason: keyProblem });
    const values = [...new Set(expression.values ?? [])].sort();
    const operator = expression.operator;
    if ((operator === 'In' || operator === 'NotIn') && values.length === 0) {
      problems.push({
        field: `${base}.values`,
        reason: `operator ${operator} needs at least one value`,
      });
    }
    if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0) {
      problems.push({ field: `${base}.values`, reason: `operator ${operator} takes no values` });
    }
    for (const value of values) {
      const valueProblem = labelValueProblem(value);
      if (valueProblem !== undefined)
        problems.push({ field: `${base}.values`, reason: valueProblem });
    }
    requirements.push({ key: expression.key, operator, values });
  });
  if (problems.length > 0) return { ok: false, problems };
  const unique = new Map<string, LabelRequirement>();
  for (const requirement of requirements) unique.set(requirementText(requirement), requirement);
  const sorted = [...unique.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, r]) => r);
  return { ok: true, value: { requirements: sorted } };
}

/** Whether `labels` satisfy the selector (Kubernetes semantics, src/common's evaluator). */
export function selectorMatches(selector: LabelSelector, labels: Labels): boolean {
  return matchesLabelSelector({ matchExpressions: selector.requirements }, labels);
}

/** Whether any selector of the list matches; an empty list matches everything. */
export function anySelectorMatches(selectors: readonly LabelSelector[], labels: Labels): boolean {
  return selectors.length === 0 || selectors.some((selector) => selectorMatches(selector, labels));
}

function requirementText(requirement: LabelRequirement): string {
  return `${requirement.key}\u0000${requirement.operator}\u0000${requirement.values.join('\u0000')}`;
}

/** A stable text form of a selector, equal for selectors that mean the same. */
export function canonicalSelector(selector: LabelSelector): string {
  return JSON.stringify(selector.requirements.map((r) => [r.key, r.operator, r.values]));
}

/**
 * True when every object matching `narrow` also matches `wide` (the
 * requirements of `wide` are a subset of those of `narrow`). Used to decide
 * statically that two selector lists certainly overlap.
 */
export function selectorImplies(narrow: LabelSelector, wide: LabelSelector): boolean {
  const narrowSet = new Set(narrow.requirements.map(requirementText));
  return wide.requirements.every((requirement) => narrowSet.has(requirementText(requirement)));
}

/**
 * True when two selector lists certainly select a common object, assuming
 * some object matches each selector: one list matches everything, or one
 * selector of a list implies one of the other. False means "not provably".
 */
export function selectorListsCertainlyOverlap(
  a: readonly LabelSelector[],
  b: readonly LabelSelector[],
): boolean {
  if (a.length === 0 || b.length === 0) return true;
  return a.some((x) => b.some((y) => selectorImplies(x, y) || selectorImplies(y, x)));
}
