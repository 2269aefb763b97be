import { formatConfigError, type ConfigError } from './config-error.ts';
import type { IronlbConfig } from './config-types.ts';
import { parseConfig, type ConfigObjects } from './parse-config.ts';
import type { ConfigurationStateStatus } from './schema/status-kinds.ts';

export type ApplyResult =
  /** The new configuration is valid and now in force. */
  | {
      readonly ok: true;
      readonly config: IronlbConfig;
      readonly stale: false;
      readonly errors: readonly [];
    }
  /**
   * The new configuration is invalid. `config` is the last valid one, still
   * in force (`stale: true`), or undefined when none was ever valid.
   */
  | {
      readonly ok: false;
      readonly config: IronlbConfig | undefined;
      readonly stale: boolean;
      readonly errors: readonly ConfigError[];
    };

/** At most this many errors are spelled out in a status summary. */
const SUMMARY_MAX_ERRORS = 10;
/** Keeps the status object small (it is written to the API on every change). */
const SUMMARY_MAX_CHARS = 4096;

/**
 * "The last good configuration stays in force": holds the configuration a
 * daemon runs with, replaced only by a valid one. Pure; the daemons turn its
 * results into events, metrics (`config_loaded`, `config_stale`) and the
 * ConfigurationState status.
 */
export class ConfigState {
  #config: IronlbConfig | undefined;
  #errors: readonly ConfigError[] = [];

  apply(objects: ConfigObjects): ApplyResult {
    const result = parseConfig(objects);
    if (result.ok) {
      this.#config = result.config;
      this.#errors = [];
      return { ok: true, config: result.config, stale: false, errors: [] };
    }
    this.#errors = result.errors;
    return {
      ok: false,
      config: this.#config,
      stale: this.#config !== undefined,
      errors: result.errors,
    };
  }

  /** The configuration in force, or undefined before the first valid one. */
  get config(): IronlbConfig | undefined {
    return this.#config;
  }

  /** Whether a valid configuration was ever loaded. */
  get loaded(): boolean {
    return this.#config !== undefined;
  }

  /** Whether the newest configuration is invalid while an older one is in force. */
  get stale(): boolean {
    return this.#config !== undefined && this.#errors.length > 0;
  }

  /** The errors of the newest configuration (empty when it is valid). */
  get errors(): readonly ConfigError[] {
    return this.#errors;
  }

  /** The status of this component's ConfigurationState object. */
  status(): ConfigurationStateStatus {
    if (this.#errors.length === 0) {
      return this.#config === undefined
        ? { result: 'Unknown', stale: false, errorCount: 0, errorSummary: '' }
        : { result: 'Valid', stale: false, errorCount: 0, errorSummary: '' };
    }
    return {
      result: 'Invalid',
      stale: this.stale,
      errorCount: this.#errors.length,
      errorSummary: this.summary(),
    };
  }

  /** One line per error (the first few), and what is in force instead. */
  summary(): string {
    if (this.#errors.length === 0)
      return this.#config === undefined ? 'no configuration yet' : 'valid';
    const lines = this.#errors.slice(0, SUMMARY_MAX_ERRORS).map(formatConfigError);
    const more = this.#errors.length - lines.length;
    if (more > 0) lines.push(`... and ${more} more`);
    lines.push(
      this.#config === undefined
        ? 'no valid configuration has been loaded yet'
        : 'the last valid configuration stays in force',
    );
    const text = lines.join('\n');
    return text.length <= SUMMARY_MAX_CHARS ? text : `${text.slice(0, SUMMARY_MAX_CHARS - 3)}...`;
  }
}
