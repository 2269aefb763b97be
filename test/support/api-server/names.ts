import { randomInt } from 'node:crypto';
import type { ResourceDefinition } from './resource-definition.ts';
import type { FieldError } from './status.ts';

/** Name, label and annotation rules of k8s.io/apimachinery's validation package. */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
export const QUALIFIED_NAME =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
export const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function nameProblem(
  format: ResourceDefinition['nameFormat'],
  name: string,
): string | undefined {
  switch (format) {
    case 'dns-subdomain':
      return name.length <= 253 && DNS1123_SUBDOMAIN.test(name)
        ? undefined
        : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')";
    case 'dns-label':
      return name.length <= 63 && DNS1123_LABEL.test(name)
        ? undefined
        : "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc')";
    case 'dns-1035-label':
      return name.length <= 63 && DNS1035_LABEL.test(name)
        ? undefined
        : "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123')";
    case 'path-segment':
      return name === '.' || name === '..' || name.includes('/') || name.includes('%')
        ? 'may not be "." or ".." and may not contain "/" or "%"'
        : undefined;
  }
}

/** Problems with metadata.labels and metadata.annotations keys and values. */
export function metadataMapProblems(
  labels: Record<string, string>,
  annotations: Record<string, string>,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(labels)) {
    if (!QUALIFIED_NAME.test(key)) {
      errors.push({
        type: 'FieldValueInvalid',
        field: 'metadata.labels',
        detail: `Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
      });
    }
    if (value.length > 63 || !LABEL_VALUE.test(value)) {
      errors.push({
        type: 'FieldValueInvalid',
        field: 'metadata.labels',
        detail: `Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
      });
    }
  }
  for (const key of Object.keys(annotations)) {
    if (!QUALIFIED_NAME.test(key)) {
      errors.push({
        type: 'FieldValueInvalid',
        field: 'metadata.annotations',
        detail: `Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
      });
    }
  }
  return errors;
}

const GENERATED_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** `generateName` plus five random characters, as the real name generator. */
export function generateName(base: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++)
    suffix += GENERATED_ALPHABET.charAt(randomInt(GENERATED_ALPHABET.length));
  return `${base.slice(0, 58)}${suffix}`;
}
