import {
  CoordinationV1Api,
  V1MicroTime,
  type KubeConfig,
  type V1Lease,
} from '@kubernetes/client-node';
import type { Logger } from '../daemon/logger.ts';
import { apiErrorText, apiStatusCode } from './kubeconfig.ts';
import {
  decideLease,
  leaseRecordChanged,
  type LeaseObservation,
  type LeaseRecord,
} from './lease-decision.ts';

export interface LeaderElectionOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly logger: Logger;
  /** How long a lease stays valid without renewal (client-go default 15 s). Whole seconds on the wire. */
  readonly leaseDurationMs?: number;
  /** The leader gives up when it could not renew for this long (client-go default 10 s). */
  readonly renewDeadlineMs?: number;
  /** How often candidates retry and the leader renews (client-go default 2 s). */
  readonly retryPeriodMs?: number;
  /** Monotonic milliseconds; injected for tests. */
  readonly now?: () => number;
  readonly onLeadershipChange?: (leading: boolean) => void;
}

/**
 * What the caller runs while it leads. It must stop writing when `signal`
 * aborts; the promise it returns says when it has stopped (in-flight writes
 * done). The elector waits for it before it releases the lease or leads
 * again, so two terms of the same replica never overlap either.
 */
export type LeaderTerm = (signal: AbortSignal) => Promise<void> | void;

/**
 * Runs for the life of the process: campaigns for the Lease, and while it
 * holds it, gives the caller an AbortSignal that aborts the moment leadership
 * is lost (renewal failed past the deadline, or someone else holds the lease),
 * so the old leader stops writing at once. The deadline is a timer, not a
 * check in the renewal loop: a renewal request that hangs cannot extend it.
 *
 * The renew deadline is shorter than the lease duration (as in client-go), so
 * a leader that cannot renew stops before any other replica may take over.
 */
export class LeaderElector {
  readonly #options: Required<Omit<LeaderElectionOptions, 'onLeadershipChange'>> &
    Pick<LeaderElectionOptions, 'onLeadershipChange'>;
  readonly #api: CoordinationV1Api;
  #observation: LeaseObservation | undefined;
  #leading: AbortController | undefined;
  #deadline: NodeJS.Timeout | undefined;
  #term: Promise<void> = Promise.resolve();

  constructor(options: LeaderElectionOptions) {
    this.#options = {
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      now: () => performance.now(),
      ...options,
    };
    this.#api = options.kubeConfig.makeApiClient(CoordinationV1Api);
  }

  /** True only while this replica leads (its leader signal is not aborted). */
  isLeader(): boolean {
    return this.#leading !== undefined && !this.#leading.signal.aborted;
  }

  /** The identity in the lease, as last observed (undefined before the first read). */
  get observedHolder(): string | undefined {
    return this.#observation?.record.holderIdentity;
  }

  /**
   * Campaigns until `signal` aborts. Each time leadership is won, `lead` runs
   * with a signal that aborts when it is lost; it may be won again later.
   * On shutdown a held lease is released (after the term has stopped) so a
   * successor takes over at once.
   */
  async run(signal: AbortSignal, lead: LeaderTerm): Promise<void> {
    const { retryPeriodMs, logger, identity } = this.#options;
    while (!signal.aborted) {
      // Measured before the request: the deadline never stretches by the request's own latency.
      const renewedAt = this.#options.now();
      const acquired = await this.#tryAcquireOrRenew();
      if (signal.aborted) break;
      if (acquired) {
        if (this.#leading === undefined) {
          // A previous term of this replica must have stopped writing first.
          await this.#term;
          if (signal.aborted) break;
          // That took too long to count on this renewal: renew again first.
          if (this.#options.now() - renewedAt >= this.#options.renewDeadlineMs) continue;
          const leading = new AbortController();
          this.#leading = leading;
          logger.info({ identity }, 'became leader');
          this.#options.onLeadershipChange?.(true);
          this.#term = Promise.resolve()
            .then(() => lead(leading.signal))
            .catch((err: unknown) => {
              logger.error({ err: apiErrorText(err) }, 'leader term failed');
            });
        }
        this.#armDeadline(this.#options.renewDeadlineMs - (this.#options.now() - renewedAt));
      } else if (this.#leading !== undefined) {
        const holder = this.#observation?.record.holderIdentity;
        if (holder !== undefined && holder !== '' && holder !== identity) {
          this.#stepDown(`${holder} holds the lease`);
        }
      }
      await sleep(retryPeriodMs, signal);
    }
    const held = this.#leading !== undefined;
    if (held) this.#stepDown('shutting down');
    await this.#term;
    if (held) await this.#release();
  }

  /** Leadership ends `renewDeadlineMs` after the last successful renewal unless renewed again. */
  #armDeadline(remainingMs: number): void {
    clearTimeout(this.#deadline);
    this.#deadline = setTimeout(
      () => {
        if (this.#leading !== undefined) this.#stepDown('could not renew the lease in time');
      },
      Math.max(0, remainingMs),
    );
  }

  #stepDown(reason: string): void {
    clearTimeout(this.#deadline);
    const leading = this.#leading;
    if (leading === undefined) return;
    this.#leading = undefined;
    this.#options.logger.warn({ reason }, 'lost leadership');
    leading.abort(new Error(`lost leadership: ${reason}`));
    this.#options.onLeadershipChange?.(false);
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity, logger } = this.#options;
    try {
      const current = await this.#read();
      const decision = decideLease({
        identity,
        lease: this.#observation,
        now: this.#options.now(),
      });
      if (decision.action === 'wait') {
        logger.debug({ holder: decision.holder }, decision.reason);
        return false;
      }
      const now = new V1MicroTime();
      const durationSeconds = Math.max(1, Math.ceil(this.#options.leaseDurationMs / 1000));
      if (decision.action === 'create' || current === undefined) {
        const created = await this.#api.createNamespacedLease({
          namespace,
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name, namespace },
            spec: {
              holderIdentity: identity,
              leaseDurationSeconds: durationSeconds,
              acquireTime: now,
              renewTime: now,
              leaseTransitions: 0,
            },
          },
        });
        this.#observe(created);
      } else {
        const takingOver = decision.action === 'takeOver';
        const spec = current.spec ?? {};
        // A replace carrying the resourceVersion read: if anyone wrote in between, 409.
        const updated = await this.#api.replaceNamespacedLease({
          name,
          namespace,
          body: {
            ...current,
            spec: {
              ...spec,
              holderIdentity: identity,
              leaseDurationSeconds: durationSeconds,
              renewTime: now,
              ...(takingOver
                ? { acquireTime: now, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 }
                : {}),
            },
          },
        });
        this.#observe(updated);
        if (takingOver) {
          logger.info(
            { previousHolder: decision.previousHolder ?? '(none)' },
            'took over the lease',
          );
        }
      }
      return true;
    } catch (err) {
      // 409: another candidate wrote first; the next round reads again.
      if (apiStatusCode(err) !== 409) {
        logger.warn({ err: apiErrorText(err) }, 'lease request failed');
      }
      return false;
    }
  }

  async #read(): Promise<V1Lease | undefined> {
    const { namespace, name } = this.#options;
    try {
      const lease = await this.#api.readNamespacedLease({ name, namespace });
      this.#observe(lease);
      return lease;
    } catch (err) {
      if (apiStatusCode(err) === 404) {
        this.#observation = undefined;
        return undefined;
      }
      throw err;
    }
  }

  #observe(lease: V1Lease): void {
    const record: LeaseRecord = {
      holderIdentity: lease.spec?.holderIdentity,
      leaseDurationSeconds: lease.spec?.leaseDurationSeconds ?? 15,
      renewTime: timeText(lease.spec?.renewTime),
      leaseTransitions: lease.spec?.leaseTransitions ?? 0,
      resourceVersion: lease.metadata?.resourceVersion ?? '',
    };
    if (leaseRecordChanged(this.#observation?.record, record)) {
      this.#observation = { record, observedAt: this.#options.now() };
    }
  }

  /** Gives the lease up (holder cleared) so the next candidate need not wait for expiry. */
  async #release(): Promise<void> {
    const { namespace, name, logger, identity } = this.#options;
    try {
      const current = await this.#api.readNamespacedLease({ name, namespace });
      if (current.spec?.holderIdentity !== identity) return;
      const now = new V1MicroTime();
      await this.#api.replaceNamespacedLease({
        name,
        namespace,
        body: {
          ...current,
          spec: { ...current.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now },
        },
      });
      logger.info('released the leader lease');
    } catch (err) {
      logger.warn({ err: apiErrorText(err) }, 'could not release the lease');
    }
  }
}

/**
 * MicroTime fields come back from the client as the wire string (the client
 * has no model for them) and go out as V1MicroTime; accept either.
 */
function timeText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
