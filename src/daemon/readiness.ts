import { DaemonErrors } from './errors.ts';
import { IronlbError } from '../common/errors.ts';

/**
 * A readiness check answers `true` when ready, or a reason string a human can
 * read when not ("config not loaded", "node object missing", …).
 */
export type ReadinessCheck = () => true | string;

export interface ReadinessReport {
  readonly ready: boolean;
  readonly failing: ReadonlyArray<{ readonly name: string; readonly reason: string }>;
}

/** Named readiness checks that components register; `/readyz` reports them. */
export class Readiness {
  readonly #checks = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    if (this.#checks.has(name)) {
      throw new IronlbError(
        DaemonErrors.IRONLB_ERR_DUPLICATE_CHECK,
        `readiness check "${name}" is already registered`,
      );
    }
    this.#checks.set(name, check);
  }

  unregister(name: string): void {
    this.#checks.delete(name);
  }

  /** A check that throws counts as failing, with the error as its reason. */
  report(): ReadinessReport {
    const failing: Array<{ name: string; reason: string }> = [];
    for (const [name, check] of this.#checks) {
      let result: true | string;
      try {
        result = check();
      } catch (err) {
        result = err instanceof Error ? err.message : String(err);
      }
      if (result !== true) failing.push({ name, reason: result });
    }
    return { ready: failing.length === 0, failing };
  }
}
