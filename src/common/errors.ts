/**
 * The error catalogue pattern (after undici's `UND_ERR_*`): every error the
 * project raises on purpose has a stable `code` string that operators can grep
 * for and tests can match on, independent of the human-readable message.
 */

export interface ErrorSpec<Code extends string = string> {
  readonly code: Code;
  /** One sentence for docs and `--help` output: when this error happens. */
  readonly description: string;
}

export type Catalogue = Readonly<Record<string, ErrorSpec>>;

/**
 * Declares a catalogue. The keys must equal the codes (checked by a test over
 * every registered catalogue), so `catalogue.X.code === 'X'` always holds.
 */
export function defineCatalogue<const C extends { [K in keyof C]: ErrorSpec<K & string> }>(
  name: string,
  catalogue: C,
): C {
  registeredCatalogues.set(name, catalogue);
  return catalogue;
}

const registeredCatalogues = new Map<string, Catalogue>();

/** Every catalogue declared so far (by modules that have been imported). */
export function allCatalogues(): ReadonlyMap<string, Catalogue> {
  return registeredCatalogues;
}

export class IronlbError extends Error {
  readonly code: string;

  constructor(spec: ErrorSpec, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'IronlbError';
    this.code = spec.code;
  }
}

/** True when `err` is an IronlbError carrying the given catalogue entry. */
export function isIronlbError(err: unknown, spec?: ErrorSpec): err is IronlbError {
  return err instanceof IronlbError && (spec === undefined || err.code === spec.code);
}

/** A readable one-line message for any thrown value, including its cause chain. */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && depth < 8; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      parts.push(typeof code === 'string' ? `${code}: ${current.message}` : current.message);
      current = current.cause;
    } else {
      parts.push(typeof current === 'string' ? current : JSON.stringify(current));
      current = undefined;
    }
  }
  return parts.join(' <- ');
}
