import { compareStrings } from './field-path.ts';

/** One reason a configuration is refused, pointing at the object and field to fix. */
export interface ConfigError {
  /** Stable code from the `config` catalogue (ConfigErrors), e.g. IRONLB_ERR_CONFIG_POOL_OVERLAP. */
  readonly code: string;
  readonly kind: string;
  /** '' when the object has no (readable) namespace. */
  readonly namespace: string;
  /** '' when the object has no (readable) name. */
  readonly name: string;
  /** Path inside the object, kubectl style: `spec.addresses[1]`; '' for the whole object. */
  readonly field: string;
  /** What is wrong, for a human. */
  readonly reason: string;
}

/** The object an error is about. */
export interface ObjectIdentity {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export function configError(
  identity: ObjectIdentity,
  code: { readonly code: string },
  field: string,
  reason: string,
): ConfigError {
  return {
    code: code.code,
    kind: identity.kind,
    namespace: identity.namespace,
    name: identity.name,
    field,
    reason,
  };
}

export function compareConfigErrors(a: ConfigError, b: ConfigError): number {
  return (
    compareStrings(a.kind, b.kind) ||
    compareStrings(a.namespace, b.namespace) ||
    compareStrings(a.name, b.name) ||
    compareStrings(a.field, b.field) ||
    compareStrings(a.reason, b.reason) ||
    compareStrings(a.code, b.code)
  );
}

/** Sorted, without exact duplicates: the order never depends on the input order. */
export function sortConfigErrors(errors: readonly ConfigError[]): ConfigError[] {
  const sorted = [...errors].sort(compareConfigErrors);
  return sorted.filter((error, i) => i === 0 || compareConfigErrors(error, sorted[i - 1]!) !== 0);
}

/** `ns/name`, or just `name` outside any namespace. */
export function objectRef(namespace: string, name: string): string {
  return namespace === '' ? name : `${namespace}/${name}`;
}

/** "IPAddressPool ironlb-system/default spec.addresses[0]: reason" */
export function formatConfigError(error: ConfigError): string {
  const where = error.field === '' ? '' : ` ${error.field}`;
  return `${error.kind} ${objectRef(error.namespace, error.name) || '(unnamed)'}${where}: ${error.reason}`;
}
