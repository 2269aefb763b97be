import {
  CoordinationV1Api,
  V1MicroTime,
  type KubeConfig,
  type V1Lease,
} from '@kubernetes/client-node';
import type { Logger } from '../daemon/logger.ts';
import { describeError } from '../common/errors.ts';
import { apiStatusCode } from './kubeconfig.ts';
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
  /** How long a lease stays valid without renewal (client-go default 15 s). */
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
 * Runs for the life of the process: campaigns for the Lease, and while it
 * holds it, gives the caller an AbortSignal that aborts the moment leadership
 * is lost (renewal failed past the deadline, or someone else holds the lease),
 * so the old leader stops writing at once.
 */
export class LeaderElector {
  readonly #options: Required<Omit<LeaderElectionOptions, 'onLeadershipChange'>> &
    Pick<LeaderElectionOptions, 'onLeadershipChange'>;
  readonly #api: CoordinationV1Api;
  #observation: LeaseObservation | undefined;
  #leading: AbortController | undefined;
  #lastRenewAt = 0;

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

  /** True only while this replica holds an unexpired lease. */
  isLeader(): boolean {
    return (
      this.#leading !== undefined &&
      !this.#leading.signal.aborted &&
      this.#options.now() - this.#lastRenewAt < this.#options.renewDeadlineMs
    );
  }

  /**
   * Campaigns until `signal` aborts. Each time leadership is won, `lead` runs
   * with a signal that aborts when it is lost; it may be won again later.
   * On shutdown a held lease is released so a successor takes over at once.
   */
  async run(signal: AbortSignal, lead: (leaderSignal: AbortSignal) => void): Promise<void> {
    const { retryPeriodMs, logger } = this.#options;
    while (!signal.aborted) {
      const acquired = await this.#tryAcquireOrRenew();
      if (acquired && this.#leading === undefined) {
        this.#leading = new AbortController();
        logger.info({ identity: this.#options.identity }, 'became leader');
        this.#options.onLeadershipChange?.(true);
        lead(this.#leading.signal);
      } else if (!acquired && this.#leading !== undefined) {
        const sinceRenew = this.#options.now() - this.#lastRenewAt;
        const someoneElse =
          this.#observation !== undefined &&
          this.#observation.record.holderIdentity !== this.#options.identity;
        if (someoneElse || sinceRenew >= this.#options.renewDeadlineMs) {
          this.#stepDown(
            someoneElse ? 'another replica holds the lease' : 'could not renew in time',
          );
        }
      }
      await sleep(retryPeriodMs, signal);
    }
    if (this.#leading !== undefined) {
      this.#stepDown('shutting down');
      await this.#release();
    }
  }

  #stepDown(reason: string): void {
    this.#options.logger.warn({ reason }, 'lost leadership');
    this.#leading?.abort(new Error(`lost leadership: ${reason}`));
    this.#leading = undefined;
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
      const nowIso = new V1MicroTime();
      const durationSeconds = Math.ceil(this.#options.leaseDurationMs / 1000);
      if (decision.action === 'create') {
        const created = await this.#api.createNamespacedLease({
          namespace,
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name, namespace },
            spec: {
              holderIdentity: identity,
              leaseDurationSeconds: durationSeconds,
              acquireTime: nowIso,
              renewTime: nowIso,
              leaseTransitions: 0,
            },
          },
        });
        this.#observe(created);
      } else {
        if (current === undefined) return false;
        const takingOver = decision.action === 'takeOver';
        const spec = current.spec ?? {};
        const updated = await this.#api.replaceNamespacedLease({
          name,
          namespace,
          body: {
            ...current,
            spec: {
              ...spec,
              holderIdentity: identity,
              leaseDurationSeconds: durationSeconds,
              renewTime: nowIso,
              ...(takingOver
                ? { acquireTime: nowIso, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 }
                : {}),
            },
          },
        });
        this.#observe(updated);
      }
      this.#lastRenewAt = this.#options.now();
      return true;
    } catch (err) {
      // 409: another candidate wrote first; the next round re-reads.
      const status = apiStatusCode(err);
      if (status !== 409) logger.warn({ err: describeError(err) }, 'lease request failed');
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
      renewTime: lease.spec?.renewTime?.toISOString(),
      leaseTransitions: lease.spec?.leaseTransitions ?? 0,
      resourceVersion: lease.metadata?.resourceVersion ?? '',
    };
    if (leaseRecordChanged(this.#observation?.record, record)) {
      this.#observation = { record, observedAt: this.#options.now() };
    }
  }

  /** Gives the lease up (holder cleared) so the next candidate need not wait for expiry. */
  async #release(): Promise<void> {
    const { namespace, name, logger } = this.#options;
    try {
      const current = await this.#api.readNamespacedLease({ name, namespace });
      if (current.spec?.holderIdentity !== this.#options.identity) return;
      await this.#api.replaceNamespacedLease({
        name,
        namespace,
        body: {
          ...current,
          spec: { ...current.spec, holderIdentity: '', leaseDurationSeconds: 1 },
        },
      });
      logger.info('released leader lease');
    } catch (err) {
      logger.warn({ err: describeError(err) }, 'could not release the lease');
    }
  }
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
