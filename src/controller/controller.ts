import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import type { Logger } from '../daemon/logger.ts';
import type { Readiness } from '../daemon/readiness.ts';
import type { Shutdown } from '../daemon/shutdown.ts';
import { EventRecorder } from '../k8s/event-recorder.ts';
import { reuseConnections } from '../k8s/kubeconfig.ts';
import { LeaderElector } from '../k8s/leader-election.ts';
import { AllocationTerm } from './allocation-term.ts';
import { ClusterView } from './cluster-view.ts';
import { LeaderWrites } from './leader-writes.ts';
import { ControllerMetrics } from './metrics.ts';
import { ControllerDefaults } from './defaults.ts';

export interface ControllerOptions {
  readonly kubeConfig: KubeConfig;
  /** Where the configuration, the Lease and the ConfigurationState live. */
  readonly namespace: string;
  /** Serve Services of this loadBalancerClass only; undefined: only Services without a class. */
  readonly loadBalancerClass?: string | undefined;
  /** This replica's name in the Lease (unique per replica: the pod name). */
  readonly identity: string;
  readonly leaseName?: string;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly readiness: Readiness;
  readonly shutdown: Shutdown;
  /** Aborted when the process shuts down. */
  readonly signal: AbortSignal;
  /** Services reconciled at once. */
  readonly workers?: number;
  /** Backoff of watch restarts and of failed writes (shorter in tests). */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

export { ControllerDefaults };

/** A running controller (what the CLI starts; tests hold it to look inside). */
export interface RunningController {
  readonly view: ClusterView;
  readonly metrics: ControllerMetrics;
  isLeader(): boolean;
  /** The current leader term, while leading. */
  readonly term: AllocationTerm | undefined;
  /** Resolves when the controller has stopped (after shutdown began): lease released, watches closed. */
  readonly stopped: Promise<void>;
}

/**
 * Starts the controller inside a daemon: watches on every replica (warm
 * caches, readiness), Lease leader election, and on the leader an
 * AllocationTerm whose every write is gated on the leader signal. On
 * shutdown the term stops writing, waits for in-flight writes, and the
 * Lease is released so another replica takes over at once.
 */
export function startController(options: ControllerOptions): RunningController {
  const { logger, signal, namespace } = options;
  reuseConnections(options.kubeConfig);
  const metrics = new ControllerMetrics(options.registry);
  const view = new ClusterView({
    kubeConfig: options.kubeConfig,
    namespace,
    logger: logger.child({ component: 'view' }),
    metrics,
    ...(options.minBackoffMs === undefined ? {} : { minBackoffMs: options.minBackoffMs }),
    ...(options.maxBackoffMs === undefined ? {} : { maxBackoffMs: options.maxBackoffMs }),
  });
  const recorder = new EventRecorder({
    kubeConfig: options.kubeConfig,
    component: 'ironlb-controller',
    host: options.identity,
    logger: logger.child({ component: 'events' }),
    onError: () => metrics.apiErrors.inc({ resource: 'events' }),
  });
  const elector = new LeaderElector({
    kubeConfig: options.kubeConfig,
    namespace,
    name: options.leaseName ?? ControllerDefaults.leaseName,
    identity: options.identity,
    logger: logger.child({ component: 'leader-election' }),
    leaseDurationMs: options.leaseDurationMs ?? ControllerDefaults.leaseDurationMs,
    renewDeadlineMs: options.renewDeadlineMs ?? ControllerDefaults.renewDeadlineMs,
    retryPeriodMs: options.retryPeriodMs ?? ControllerDefaults.retryPeriodMs,
    onLeadershipChange: (leading) => metrics.leader.set(leading ? 1 : 0),
  });

  options.readiness.register('controller-sync', () => {
    if (view.synced) return true;
    const waiting = view.unsyncedResources();
    return `waiting for the initial list of ${waiting.length === 0 ? 'the configuration' : waiting.join(', ')}`;
  });
  options.readiness.register('controller-config', () =>
    view.configState.loaded
      ? true
      : `no valid configuration loaded: ${view.configState.summary().split('\n').join('; ')}`,
  );

  let term: AllocationTerm | undefined;
  const viewStarted = view.start(signal).catch((err: unknown) => {
    logger.error({ err: String(err) }, 'watches failed to start');
  });
  const electing = elector.run(signal, async (leaderSignal) => {
    const writes = new LeaderWrites({
      kubeConfig: options.kubeConfig,
      recorder,
      metrics,
      namespace,
      signal: leaderSignal,
    });
    const current = new AllocationTerm({
      view,
      writes,
      metrics,
      logger: logger.child({ component: 'allocation' }),
      signal: leaderSignal,
      namespace,
      loadBalancerClass: options.loadBalancerClass,
      configurationStateName: ControllerDefaults.configurationStateName,
      ...(options.workers === undefined ? {} : { workers: options.workers }),
      ...(options.minBackoffMs === undefined ? {} : { minRetryMs: options.minBackoffMs }),
      ...(options.maxBackoffMs === undefined ? {} : { maxRetryMs: options.maxBackoffMs }),
    });
    term = current;
    try {
      await current.run();
    } finally {
      if (term === current) term = undefined;
    }
  });
  const stopped = (async () => {
    try {
      await electing;
      await viewStarted;
      await view.stop();
      logger.info('controller stopped');
    } catch (err) {
      logger.error({ err: String(err) }, 'controller stopped with an error');
    }
  })();
  options.shutdown.onShutdown('controller', () => stopped);

  return {
    view,
    metrics,
    isLeader: () => elector.isLeader(),
    get term() {
      return term;
    },
    stopped,
  };
}
