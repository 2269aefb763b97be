import type { KubernetesObject } from '@kubernetes/client-node';
import { type ApplyResult, type IronlbConfig } from '../config/index.ts';
import { isIronlbError } from '../common/errors.ts';
import type { Logger } from '../daemon/logger.ts';
import { IpAllocator } from '../ipam/allocator.ts';
import type { Refusal } from '../ipam/errors.ts';
import { K8sErrors } from '../k8s/errors.ts';
import { apiErrorText, apiStatusCode } from '../k8s/kubeconfig.ts';
import type { ClusterView } from './cluster-view.ts';
import type { LeaderWrites } from './leader-writes.ts';
import type { ControllerMetrics } from './metrics.ts';
import { poolStatusBody, poolStatusCurrent } from './pool-status.ts';
import {
  ingressAddresses,
  ingressTexts,
  poolSetFingerprint,
  serviceIntent,
  serviceKey,
  toIpamPool,
  type ServiceObject,
} from './service-mapping.ts';
import {
  outcomeOf,
  planServiceWrites,
  writesNeeded,
  type ServiceOutcome,
  type ServiceState,
} from './service-plan.ts';
import { WorkQueue, type ProcessResult } from './work-queue.ts';
import { ConfigReport } from '../k8s/config-report.ts';
import { ServiceAnnotations } from '../ipam/service-request.ts';

export interface AllocationTermOptions {
  readonly view: ClusterView;
  readonly writes: LeaderWrites;
  readonly metrics: ControllerMetrics;
  readonly logger: Logger;
  /** The leader signal: aborted when leadership is lost or on shutdown. */
  readonly signal: AbortSignal;
  /** The controller's namespace (pools, ConfigurationState). */
  readonly namespace: string;
  readonly loadBalancerClass: string | undefined;
  /** Name of this controller's ConfigurationState object. */
  readonly configurationStateName: string;
  readonly workers?: number;
  readonly minRetryMs?: number;
  readonly maxRetryMs?: number;
  /** Delay that batches pool status writes. */
  readonly poolStatusDelayMs?: number;
  readonly now?: () => number;
}

/**
 * What the controller writes after its own write, until the watch shows it:
 * the resourceVersions that are ours (the one the decision was based on, and
 * the ones our writes produced), and the values written. While the cached
 * Service is one of those versions but not the last, the cache is merely
 * behind; any other version means someone else wrote, and the cache counts.
 */
interface Written {
  readonly state: ServiceState;
  readonly versions: Set<string>;
  readonly last: string | undefined;
}

/**
 * One leadership term: the allocator, rebuilt from the Services' status (the
 * status is the record), and the work queue that brings every Service to its
 * allocation. Start-up order: a fresh list of Services (to see the previous
 * leader's last writes), the configuration, every Service's existing
 * addresses registered (oldest Service first), and only then allocation for
 * the Services without. A restart never moves an address.
 */
export class AllocationTerm {
  readonly #options: AllocationTermOptions;
  readonly #allocator: IpAllocator;
  readonly #queue: WorkQueue;
  readonly #logger: Logger;
  readonly #written = new Map<string, Written>();
  readonly #lastFailure = new Map<string, string>();
  /** Why addresses a Service showed were not kept (start-up, pool edits): said in its next IPAllocated. */
  readonly #notKept = new Map<string, Refusal>();
  #poolFingerprint: string | undefined;
  #started = false;
  #poolTimer: NodeJS.Timeout | undefined;
  #poolWrite: Promise<void> = Promise.resolve();
  #poolFailures = 0;
  readonly #poolWritten = new Map<string, { text: string; versions: Set<string> }>();
  #configWaiter: (() => void) | undefined;
  readonly #configReport: ConfigReport;

  constructor(options: AllocationTermOptions) {
    this.#options = options;
    this.#logger = options.logger;
    this.#allocator = new IpAllocator({ now: options.now ?? (() => performance.now()) });
    this.#queue = new WorkQueue({
      process: (key) => this.#process(key),
      concurrency: options.workers ?? 8,
      minRetryMs: options.minRetryMs ?? 200,
      maxRetryMs: options.maxRetryMs ?? 60_000,
      onError: (key, err) =>
        this.#logger.error({ key, err: apiErrorText(err) }, 'reconcile failed; retrying'),
    });
    this.#configReport = new ConfigReport({
      writes: options.writes,
      name: options.configurationStateName,
      namespace: options.namespace,
      configState: options.view.configState,
      configObject: (kind, name) => options.view.configObject(kind, name),
      logger: this.#logger,
      stopped: () => options.signal.aborted,
      quietError: (err) => isIronlbError(err, K8sErrors.IRONLB_ERR_NOT_LEADER),
    });
  }

  /** Resolves when nothing is left to do (tests, and logs). */
  idle(): Promise<void> {
    return this.#queue.idle();
  }

  get allocator(): IpAllocator {
    return this.#allocator;
  }

  /** Runs the term until the leader signal aborts; resolves once its writes have stopped. */
  async run(): Promise<void> {
    const { view, signal } = this.#options;
    const unsubscribe = view.subscribe({
      service: (key) => {
        if (this.#started) this.#queue.add(key);
      },
      namespace: (name) => {
        if (this.#started) this.#enqueueNamespace(name);
      },
      config: (result) => this.#onConfig(result),
    });
    const stopped = new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    try {
      await Promise.race([view.services.resync().catch(() => undefined), stopped]);
      // Whether the configuration is usable is reported even while nothing can be assigned.
      if (view.lastResult !== undefined) this.#configReport.report();
      // Before the first valid configuration nothing is assigned (nor taken away).
      while (!signal.aborted && !view.configState.loaded) {
        await Promise.race([new Promise<void>((r) => (this.#configWaiter = r)), stopped]);
      }
      if (signal.aborted) return;
      this.#begin(view.configState.config!);
      await stopped;
    } finally {
      unsubscribe();
      clearTimeout(this.#poolTimer);
      await this.#queue.stop();
      await this.#poolWrite;
      await this.#configReport.settle();
      this.#options.metrics.clearPools();
    }
  }

  #begin(config: IronlbConfig): void {
    const { view, loadBalancerClass } = this.#options;
    const logger = this.#logger;
    const pools = config.pools.map(toIpamPool);
    this.#allocator.setPools(pools);
    this.#poolFingerprint = poolSetFingerprint(pools);
    // Oldest first: if two Services claim one address, the one that had it first keeps it.
    const services = view.services.list().sort(byAge);
    let registered = 0;
    for (const service of services) {
      const addresses = ingressAddresses(service);
      if (addresses.length === 0) continue;
      const intent = serviceIntent(
        service,
        view.namespaceLabels(service.metadata?.namespace ?? ''),
        loadBalancerClass,
      );
      if (intent.kind !== 'allocate') continue;
      const outcome = this.#allocator.registerExisting(intent.request, addresses);
      const refused = outcome.ok ? outcome.dropped[0]?.refusal : outcome.refusal;
      if (refused !== undefined) this.#notKept.set(intent.request.key, refused);
      if (outcome.ok) {
        registered++;
        for (const dropped of outcome.dropped) {
          logger.warn(
            { service: intent.request.key, reason: dropped.refusal.reason },
            `existing address not kept: ${dropped.refusal.message}`,
          );
        }
      } else {
        logger.warn(
          { service: intent.request.key, reason: outcome.refusal.reason },
          `existing addresses not kept: ${outcome.refusal.message}`,
        );
      }
    }
    logger.info(
      { services: services.length, registered, pools: pools.length },
      'leader term started: existing addresses registered',
    );
    this.#started = true;
    // Services that ask for particular addresses first, so none is handed out before they ask.
    const asking: string[] = [];
    const others: string[] = [];
    for (const service of services) {
      const intent = serviceIntent(
        service,
        view.namespaceLabels(service.metadata?.namespace ?? ''),
        loadBalancerClass,
      );
      const requested = intent.kind === 'allocate' && intent.request.requestedIPs.length > 0;
      (requested ? asking : others).push(serviceKey(service));
    }
    for (const key of [...asking, ...others]) this.#queue.add(key);
    this.#schedulePoolStatus();
  }

  /** Addresses came free: Services that found none may find one now. */
  #released(): void {
    this.#schedulePoolStatus();
    for (const key of this.#lastFailure.keys()) this.#queue.add(key);
  }

  #enqueueNamespace(namespace: string): void {
    for (const service of this.#options.view.services.list()) {
      if (service.metadata?.namespace === namespace) this.#queue.add(serviceKey(service));
    }
  }

  #onConfig(result: ApplyResult): void {
    this.#configWaiter?.();
    this.#configReport.report();
    if (!this.#started || !result.ok) return;
    const pools = result.config.pools.map(toIpamPool);
    const fingerprint = poolSetFingerprint(pools);
    if (fingerprint === this.#poolFingerprint) return;
    this.#poolFingerprint = fingerprint;
    const changes = this.#allocator.setPools(pools);
    // Said in the next IPAllocated of each Service that lost an address.
    for (const change of changes) {
      if (change.because !== undefined) this.#notKept.set(change.key, change.because);
    }
    this.#logger.info(
      { pools: pools.length, servicesAffected: changes.length },
      'pools changed; re-evaluating every Service',
    );
    for (const service of this.#options.view.services.list()) {
      this.#queue.add(serviceKey(service));
    }
    this.#schedulePoolStatus();
  }

  // ---- one Service ---------------------------------------------------------

  async #process(key: string): Promise<ProcessResult> {
    const { view, loadBalancerClass, signal, metrics } = this.#options;
    if (signal.aborted) return 'done';
    const slash = key.indexOf('/');
    const namespace = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const service = view.services.get(name, namespace);
    if (service === undefined) {
      this.#lastFailure.delete(key);
      if (this.#allocator.release(key) !== undefined) this.#released();
      this.#written.delete(key);
      return 'done';
    }
    const intent = serviceIntent(service, view.namespaceLabels(namespace), loadBalancerClass);
    let outcome: ServiceOutcome;
    switch (intent.kind) {
      case 'notOurs':
        // Another implementation's Service: never touched.
        this.#lastFailure.delete(key);
        if (this.#allocator.release(key) !== undefined) this.#released();
        return 'done';
      case 'notLoadBalancer': {
        this.#lastFailure.delete(key);
        const held = this.#allocator.release(key) !== undefined;
        if (held) this.#released();
        if (!held && poolAnnotation(service) === undefined) return 'done';
        outcome = { kind: 'released', why: 'the Service is no longer of type LoadBalancer' };
        break;
      }
      case 'invalid':
        if (this.#allocator.release(key) !== undefined) this.#released();
        outcome = { kind: 'failed', refusal: intent.refusal };
        break;
      case 'allocate': {
        const result = this.#allocator.allocate(intent.request);
        const freed = result.ok ? result.previous !== undefined : result.released !== undefined;
        if (freed) this.#released();
        else if (!result.ok || result.change !== 'unchanged') this.#schedulePoolStatus();
        outcome = outcomeOf(result);
        const notKept = this.#notKept.get(key);
        if (notKept !== undefined) {
          this.#notKept.delete(key);
          if (outcome.kind === 'assigned' && outcome.previous === undefined) {
            const shown = ingressAddresses(service);
            outcome = {
              ...outcome,
              previous: { key, pool: poolAnnotation(service) ?? '', addresses: shown },
              because: notKept,
            };
          }
        }
        break;
      }
    }
    const current = this.#currentState(key, service);
    const lastFailure = this.#lastFailure.get(key);
    const writes = planServiceWrites(current, outcome, lastFailure);
    if (outcome.kind !== 'failed') this.#lastFailure.delete(key);
    if (!writesNeeded(writes)) return 'done';
    try {
      const versions = new Set<string>();
      const base = service.metadata?.resourceVersion;
      if (base !== undefined) versions.add(base);
      let last = base;
      const state = { ingress: current.ingress, pool: current.pool };
      if (writes.ingress !== undefined) {
        last = await this.#options.writes.serviceIngress(namespace, name, writes.ingress);
        if (last !== undefined) versions.add(last);
        state.ingress = writes.ingress;
      }
      if (writes.pool !== undefined) {
        last = await this.#options.writes.servicePool(namespace, name, writes.pool);
        if (last !== undefined) versions.add(last);
        state.pool = writes.pool ?? undefined;
      }
      if (writes.ingress !== undefined || writes.pool !== undefined) {
        this.#written.set(key, { state, versions, last });
      }
      if (writes.event !== undefined) {
        if (outcome.kind === 'failed') {
          this.#lastFailure.set(key, writes.event.message);
          metrics.allocationFailures.inc({ reason: outcome.refusal.reason });
        }
        await this.#options.writes.event(service, writes.event);
      }
      return 'done';
    } catch (err) {
      if (isIronlbError(err, K8sErrors.IRONLB_ERR_NOT_LEADER)) return 'done';
      // Deleted meanwhile: its delete event comes next.
      if (apiStatusCode(err) === 404) return 'done';
      this.#logger.warn({ service: key, err: apiErrorText(err) }, 'write failed; will retry');
      return 'retry';
    }
  }

  /** The Service's ingress and pool annotation: the cache, or our own write it has not shown yet. */
  #currentState(key: string, service: ServiceObject): ServiceState {
    const version = service.metadata?.resourceVersion;
    const written = this.#written.get(key);
    if (written !== undefined) {
      if (version !== undefined && written.versions.has(version) && version !== written.last) {
        return written.state;
      }
      this.#written.delete(key);
    }
    return { ingress: ingressTexts(service), pool: poolAnnotation(service) };
  }

  // ---- pool status ---------------------------------------------------------

  #schedulePoolStatus(delayMs = this.#options.poolStatusDelayMs ?? 200): void {
    if (!this.#started || this.#poolTimer !== undefined || this.#options.signal.aborted) return;
    this.#poolTimer = setTimeout(() => {
      this.#poolWrite = this.#poolWrite
        .then(() => this.#writePoolStatuses())
        .catch((err: unknown) => {
          this.#logger.error({ err: apiErrorText(err) }, 'pool status update failed');
        });
    }, delayMs);
  }

  async #writePoolStatuses(): Promise<void> {
    this.#poolTimer = undefined;
    const { view, metrics, signal, namespace } = this.#options;
    if (signal.aborted) return;
    const statuses = this.#allocator.poolStatuses();
    metrics.setPools(statuses);
    let failed = false;
    for (const status of statuses) {
      const desired = poolStatusBody(status);
      const text = JSON.stringify(desired);
      const object = view.configObject('IPAddressPool', status.pool) as
        (KubernetesObject & { status?: Record<string, unknown> }) | undefined;
      if (object === undefined) continue;
      const version = object.metadata?.resourceVersion ?? '';
      const written = this.#poolWritten.get(status.pool);
      if (written !== undefined && written.text === text && written.versions.has(version)) continue;
      if (poolStatusCurrent(object.status, desired)) continue;
      try {
        const next = await this.#options.writes.poolStatus(status.pool, desired);
        const versions = new Set([version]);
        if (next !== undefined) versions.add(next);
        this.#poolWritten.set(status.pool, { text, versions });
      } catch (err) {
        if (isIronlbError(err, K8sErrors.IRONLB_ERR_NOT_LEADER)) return;
        if (apiStatusCode(err) === 404) continue;
        failed = true;
        this.#logger.warn(
          { pool: `${namespace}/${status.pool}`, err: apiErrorText(err) },
          'pool status write failed; will retry',
        );
      }
    }
    if (failed) {
      this.#poolFailures++;
      this.#schedulePoolStatus(WorkQueue.backoffMs(this.#poolFailures, 500, 30_000));
    } else {
      this.#poolFailures = 0;
    }
  }
}

function poolAnnotation(service: ServiceObject): string | undefined {
  return service.metadata?.annotations?.[ServiceAnnotations.ipAllocatedFromPool];
}

function byAge(a: ServiceObject, b: ServiceObject): number {
  const at = String(a.metadata?.creationTimestamp ?? '');
  const bt = String(b.metadata?.creationTimestamp ?? '');
  if (at !== bt) return at < bt ? -1 : 1;
  const ak = serviceKey(a);
  const bk = serviceKey(b);
  return ak < bk ? -1 : ak > bk ? 1 : 0;
}
