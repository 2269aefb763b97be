import {
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import {
  API_GROUP,
  API_GROUP_VERSION,
  API_VERSION,
  formatConfigError,
  type ConfigState,
  type ConfigurationStateStatus,
} from '../config/index.ts';
import type { Logger } from '../daemon/logger.ts';
import type { EventRecorder, RecordedEvent } from './event-recorder.ts';
import { apiErrorText, apiStatusCode } from './kubeconfig.ts';

/** The writes a configuration report makes (the controller gates them on leadership). */
export interface ConfigReportWrites {
  /** The ConfigurationState object, or undefined when it does not exist. */
  readConfigurationState(name: string): Promise<KubernetesObject | undefined>;
  /** Creates the object if `exists` is false, then merge-patches its status. */
  configurationState(
    name: string,
    status: ConfigurationStateStatus,
    exists: boolean,
  ): Promise<KubernetesObject>;
  /** Best effort. */
  event(object: KubernetesObject, event: RecordedEvent): Promise<void>;
}

export interface ConfigReportOptions {
  readonly writes: ConfigReportWrites;
  /** The ConfigurationState object's name (`controller`, `speaker-<node>`). */
  readonly name: string;
  /** The ironlb namespace (configuration objects, ConfigurationState). */
  readonly namespace: string;
  readonly configState: ConfigState;
  /** A configuration object from the cache, for the events' references. */
  readonly configObject: (kind: string, name: string) => KubernetesObject | undefined;
  readonly logger: Logger;
  /** True once no more reports should be written (shutdown, leadership lost). */
  readonly stopped: () => boolean;
  /** Errors that end a report silently (e.g. not leader any more). */
  readonly quietError?: (err: unknown) => boolean;
  readonly retryMs?: number;
}

/**
 * Reports whether a component accepted the configuration: its
 * ConfigurationState (created if missing, status written only when it
 * differs) and an `InvalidConfiguration` Warning event on the offending
 * object once per error. One write at a time; reports asked for meanwhile
 * coalesce; a failed write is retried.
 */
export class ConfigReport {
  readonly #options: ConfigReportOptions;
  #chain: Promise<void> = Promise.resolve();
  #queued = false;
  #writtenText: string | undefined;
  #exists: boolean | undefined;
  readonly #reportedErrors = new Set<string>();
  #retry: NodeJS.Timeout | undefined;

  constructor(options: ConfigReportOptions) {
    this.#options = options;
  }

  /** Writes the current state (soon, once). */
  report(): void {
    if (this.#queued) return;
    this.#queued = true;
    this.#chain = this.#chain
      .then(async () => {
        this.#queued = false;
        await this.#write();
      })
      .catch((err: unknown) => {
        this.#options.logger.error({ err: apiErrorText(err) }, 'configuration report failed');
      });
  }

  /** Resolves when the writes asked for so far are done; stops retries. */
  async settle(): Promise<void> {
    clearTimeout(this.#retry);
    await this.#chain;
  }

  async #write(): Promise<void> {
    const { writes, name, namespace, configState: state, stopped } = this.#options;
    if (stopped()) return;
    const status: ConfigurationStateStatus = state.status();
    const text = JSON.stringify(status);
    try {
      if (this.#exists === undefined) {
        const existing = (await writes.readConfigurationState(name)) as
          (KubernetesObject & { status?: ConfigurationStateStatus }) | undefined;
        this.#exists = existing !== undefined;
        if (existing?.status !== undefined)
          this.#writtenText = JSON.stringify(pickStatus(existing.status));
      }
      if (this.#writtenText !== text) {
        await writes.configurationState(name, status, this.#exists);
        this.#exists = true;
        this.#writtenText = text;
      }
      for (const error of state.errors) {
        const message = formatConfigError(error);
        if (this.#reportedErrors.has(message)) continue;
        this.#reportedErrors.add(message);
        const object = this.#options.configObject(error.kind, error.name);
        await writes.event(
          object ?? {
            apiVersion: API_GROUP_VERSION,
            kind: error.kind,
            metadata: { name: error.name, namespace: error.namespace || namespace },
          },
          {
            type: 'Warning',
            reason: 'InvalidConfiguration',
            message: `${message}${state.stale ? ' (the last valid configuration stays in force)' : ''}`,
          },
        );
      }
      if (state.errors.length === 0) this.#reportedErrors.clear();
    } catch (err) {
      if (this.#options.quietError?.(err) === true) return;
      this.#exists = undefined;
      this.#options.logger.warn(
        { err: apiErrorText(err) },
        'ConfigurationState write failed; will retry',
      );
      if (stopped()) return;
      clearTimeout(this.#retry);
      this.#retry = setTimeout(() => this.report(), this.#options.retryMs ?? 1000);
      this.#retry.unref();
    }
  }
}

/** The fields ConfigState.status() sets, in its order (for comparing JSON texts). */
function pickStatus(status: ConfigurationStateStatus): Record<string, unknown> {
  return {
    result: status.result,
    stale: status.stale,
    errorCount: status.errorCount,
    errorSummary: status.errorSummary,
  };
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/**
 * ConfigReportWrites straight to the API (no leadership): for a component
 * that owns its ConfigurationState alone, like the speaker of one node.
 * Failed requests are counted by `onApiError(resource)` and rethrown.
 */
export function directConfigReportWrites(options: {
  kubeConfig: KubeConfig;
  namespace: string;
  recorder: EventRecorder;
  onApiError: (resource: string) => void;
}): ConfigReportWrites {
  const custom = options.kubeConfig.makeApiClient(CustomObjectsApi);
  const { namespace } = options;
  const counted = async <T>(resource: string, request: () => Promise<T>): Promise<T> => {
    try {
      return await request();
    } catch (err) {
      options.onApiError(resource);
      throw err;
    }
  };
  const target = { group: API_GROUP, version: API_VERSION, namespace };
  return {
    async readConfigurationState(name) {
      try {
        return (await counted('configurationstates', () =>
          custom.getNamespacedCustomObject({ ...target, plural: 'configurationstates', name }),
        )) as KubernetesObject;
      } catch (err) {
        if (apiStatusCode(err) === 404) return undefined;
        throw err;
      }
    },
    async configurationState(name, status, exists) {
      if (!exists) {
        try {
          await counted('configurationstates', () =>
            custom.createNamespacedCustomObject({
              ...target,
              plural: 'configurationstates',
              body: {
                apiVersion: API_GROUP_VERSION,
                kind: 'ConfigurationState',
                metadata: { name, namespace },
                spec: {},
              },
            }),
          );
        } catch (err) {
          if (apiStatusCode(err) !== 409) throw err;
        }
      }
      return (await counted('configurationstates/status', () =>
        custom.patchNamespacedCustomObjectStatus(
          { ...target, plural: 'configurationstates', name, body: { status } },
          mergePatch,
        ),
      )) as KubernetesObject;
    },
    event: (object, event) => options.recorder.record(object, event),
  };
}
