/**
 * Kubernetes label selectors (metav1.LabelSelector), evaluated purely.
 *
 * Semantics follow apimachinery: `matchLabels` and every `matchExpressions`
 * requirement must all hold; an empty selector matches everything. `NotIn`
 * and `DoesNotExist` hold for objects that lack the key. A selector that
 * Kubernetes would refuse to convert (say `In` without values) matches
 * nothing here, so a broken selector never widens who gets something;
 * `validateLabelSelector` tells the config layer why it is broken.
 */

export type Labels = Readonly<Record<string, string>>;

export const LabelSelectorOperators = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
export type LabelSelectorOperator = (typeof LabelSelectorOperators)[number];

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: LabelSelectorOperator;
  readonly values?: readonly string[] | undefined;
}

export interface LabelSelector {
  readonly matchLabels?: Labels | undefined;
  readonly matchExpressions?: readonly LabelSelectorRequirement[] | undefined;
}

// Own-property lookups only: labels are plain objects and "constructor" is a valid label key.
function labelValue(labels: Labels, key: string): string | undefined {
  return Object.hasOwn(labels, key) ? labels[key] : undefined;
}

function requirementHolds(requirement: LabelSelectorRequirement, labels: Labels): boolean {
  const value = labelValue(labels, requirement.key);
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case 'In':
      return values.length > 0 && value !== undefined && values.includes(value);
    case 'NotIn':
      return values.length > 0 && (value === undefined || !values.includes(value));
    case 'Exists':
      return values.length === 0 && value !== undefined;
    case 'DoesNotExist':
      return values.length === 0 && value === undefined;
    default:
      // An operator from a newer Kubernetes (or a typo that slipped past the schema).
      return false;
  }
}

/** True when `labels` satisfy `selector`. */
export function matchesLabelSelector(selector: LabelSelector, labels: Labels): boolean {
  for (const [key, expected] of Object.entries(selector.matchLabels ?? {})) {
    if (labelValue(labels, key) !== expected) return false;
  }
  for (const requirement of selector.matchExpressions ?? []) {
    if (!requirementHolds(requirement, labels)) return false;
  }
  return true;
}

/** True when at least one selector matches; an empty list matches nothing. */
export function matchesAnyLabelSelector(
  selectors: readonly LabelSelector[],
  labels: Labels,
): boolean {
  return selectors.some((selector) => matchesLabelSelector(selector, labels));
}

// One label grammar for the whole project (src/config's normal form uses it too).
const labelNamePattern = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const dnsSubdomainPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a valid label key ("prefix/name" or "name"), or undefined when it is. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !dnsSubdomainPattern.test(prefix))) {
    return `label key "${key}": the prefix must be a DNS subdomain of at most 253 characters`;
  }
  if (name.length === 0 || name.length > 63 || !labelNamePattern.test(name)) {
    return `label key "${key}": the name must be 1-63 characters, alphanumeric at both ends, with -, _ or . between`;
  }
  return undefined;
}

/** Why `value` is not a valid label value, or undefined when it is (the empty value is valid). */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63 || !labelNamePattern.test(value)) {
    return `label value "${value}" must be at most 63 characters, alphanumeric at both ends, with -, _ or . between`;
  }
  return undefined;
}

/** Every reason Kubernetes would refuse this selector; empty when it is valid. */
export function validateLabelSelector(selector: LabelSelector): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem !== undefined) problems.push(`matchLabels: ${keyProblem}`);
    const valueProblem = labelValueProblem(value);
    if (valueProblem !== undefined) problems.push(`matchLabels: ${valueProblem}`);
  }
  (selector.matchExpressions ?? []).forEach((requirement, index) => {
    const where = `matchExpressions[${index}]`;
    const keyProblem = labelKeyProblem(requirement.key);
    if (keyProblem !== undefined) problems.push(`${where}: ${keyProblem}`);
    const values = requirement.values ?? [];
    switch (requirement.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) {
          problems.push(`${where}: operator ${requirement.operator} needs at least one value`);
        }
        for (const value of values) {
          const valueProblem = labelValueProblem(value);
          if (valueProblem !== undefined) problems.push(`${where}: ${valueProblem}`);
        }
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) {
          problems.push(`${where}: operator ${requirement.operator} takes no values`);
        }
        break;
      default:
        problems.push(
          `${where}: unknown operator "${String(requirement.operator)}" (expected ${LabelSelectorOperators.join(', ')})`,
        );
    }
  });
  return problems;
}

/** The selector in kubectl's text form ("app=web,tier in (a,b),!legacy"); "<all>" when empty. */
export function formatLabelSelector(selector: LabelSelector): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {}).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  )) {
    parts.push(`${key}=${value}`);
  }
  for (const requirement of selector.matchExpressions ?? []) {
    const values = [...(requirement.values ?? [])].sort().join(',');
    switch (requirement.operator) {
      case 'In':
        parts.push(`${requirement.key} in (${values})`);
        break;
      case 'NotIn':
        parts.push(`${requirement.key} notin (${values})`);
        break;
      case 'Exists':
        parts.push(requirement.key);
        break;
      case 'DoesNotExist':
        parts.push(`!${requirement.key}`);
        break;
      default:
        parts.push(`${requirement.key} ${String(requirement.operator)} (${values})`);
    }
  }
  return parts.length === 0 ? '<all>' : parts.join(',');
}
