import { compareStrings, propertyPath } from './field-path.ts';
import type { LabelSelectorSpec } from './schema/label-selector.ts';

export type LabelSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

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

export type Labels = Readonly<Record<string, string>>;

const nameRegex = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const dnsSubdomainRegex = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a valid label key (Kubernetes qualified name), or undefined. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !dnsSubdomainRegex.test(prefix))) {
    return `label key "${key}": the prefix must be a DNS subdomain`;
  }
  if (name.length === 0 || name.length > 63 || !nameRegex.test(name)) {
    return `label key "${key}": the name must be 1-63 characters, alphanumeric at both ends, with -, _ or . between`;
  }
  return undefined;
}

/** Why `value` is not a valid label value, or undefined. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !nameRegex.test(value)) {
    return `label value "${value}" must be at most 63 characters, alphanumeric at both ends, with -, _ or . between`;
  }
  return undefined;
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

/** Whether `labels` satisfy the selector (Kubernetes semantics). */
export function selectorMatches(selector: LabelSelector, labels: Labels): boolean {
  return selector.requirements.every((requirement) => {
    const has = Object.hasOwn(labels, requirement.key);
    const value = has ? labels[requirement.key] : undefined;
    switch (requirement.operator) {
      case 'In':
        return value !== undefined && requirement.values.includes(value);
      case 'NotIn':
        return value === undefined || !requirement.values.includes(value);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
    }
  });
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
