import {
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  type KubeConfig,
  type KubernetesObject,
  type V1EndpointSlice,
  type V1Node,
  type V1Service,
} from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import { systemClock, type Clock } from '../bgp/clock.ts';
import type { Session } from '../bgp/session.ts';
import type { SessionOptions } from '../bgp/session-options.ts';
import { API_GROUP, API_GROUP_VERSION, API_VERSION } from '../config/index.ts';
import type { Logger } from '../daemon/logger.ts';
import type { Readiness } from '../daemon/readiness.ts';
import type { Shutdown } from '../daemon/shutdown.ts';
import { ConfigReport, directConfigReportWrites } from '../k8s/config-report.ts';
import { ConfigView } from '../k8s/config-view.ts';
import { EventRecorder } from '../k8s/event-recorder.ts';
import { reuseConnections } from '../k8s/kubeconfig.ts';
import { identityOnly, withoutImages } from '../k8s/object-trim.ts';
import { ResourceWatch, type ResourceList } from '../k8s/resource-watch.ts';
import { SERVICE_NAME_LABEL } from './announcement-reasons.ts';
import {
  announcementEvents,
  serviceBgpAnnouncements,
  ServiceBgpStatusLabels,
  type AnnouncementEvent,
} from './announcement-status.ts';
import { AnnouncementState, type AnnouncementRound } from './announcement-state.ts';
import { endpointSliceInfo, nodeInfo, serviceInfo } from './cluster-objects.ts';
import { Debouncer } from './debounce.ts';
import { SpeakerMetrics } from './metrics.ts';
import { checkThisNode } from './node-identity.ts';
import { PeerStatusWriter } from './peer-status-writer.ts';
import { defaultRouterId, nodeAddresses } from './router-id.ts';
import { ServiceStatusWriter } from './service-status-writer.ts';
import { SessionPool } from './session-pool.ts';
import { sessionSpec, type SessionSpec } from './session-plan.ts';
import { SpeakerDefaults } from './defaults.ts';

export { SpeakerDefaults };

/**
 * Annotation on the speaker's Node: `drain` makes a SIGTERM drain and
 * withdraw also toward graceful-restart peers (the node is going away, not
 * restarting its speaker).
 */
export const SHUTDOWN_ANNOTATION = 'ironlb.dev/speaker-shutdown';

export interface SpeakerOptions {
  readonly kubeConfig: KubeConfig;
  /** This node's name (NODE_NAME from the downward API). */
  readonly nodeName: string;
  /** Where the configuration lives (and this speaker's ConfigurationState). */
  readonly namespace: string;
  /** Serve Services of this loadBalancerClass only; undefined: only Services without one. */
  readonly loadBalancerClass?: string | undefined;
  /** RFC 8326 drain before the withdrawal on shutdown (ms). */
  readonly drainMs?: number;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly readiness: Readiness;
  readonly shutdown: Shutdown;
  /** Aborted when the process shuts down. */
  readonly signal: AbortSignal;
  readonly clock?: Clock;
  readonly debounceMs?: number;
  readonly maxDebounceMs?: number;
  /** Backoff of watch restarts and failed writes (shorter in tests). */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Builds the BGP sessions (tests may wrap them). */
  readonly createSession?: (options: SessionOptions) => Session;
}

/** A running speaker (what the CLI starts; tests hold it to look inside). */
export interface RunningSpeaker {
  readonly state: AnnouncementState;
  readonly sessions: SessionPool;
  readonly metrics: SpeakerMetrics;
  /** Decision rounds run so far. */
  rounds(): number;
  /** Resolves when the speaker has stopped (after shutdown began). */
  readonly stopped: Promise<void>;
}

/** Valid label values (for the node label of ServiceBGPStatus). */
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** ConfigurationState name of a node's speaker. */
export function speakerStateName(nodeName: string): string {
  return `speaker-${nodeName}`;
}

/**
 * Starts the speaker of one node inside a daemon. It watches Services,
 * EndpointSlices, Nodes, the configuration (and the Secrets peers name) and
 * its own ServiceBGPStatus objects; after the first complete list it decides,
 * in debounced rounds, what this node announces (src/speaker's pure
 * decision, incrementally), keeps one BGP session per selected BGPPeer
 * carrying exactly those routes, and reports status, events and metrics. On
 * shutdown it drains (RFC 8326), withdraws and sends Cease — or, toward
 * graceful-restart peers, closes without NOTIFICATION so they keep the routes
 * while it restarts.
 */
export function startSpeaker(options: SpeakerOptions): RunningSpeaker {
  const { logger, signal, namespace, nodeName, kubeConfig } = options;
  reuseConnections(kubeConfig);
  const metrics = new SpeakerMetrics(options.registry);
  const client = metrics.client;
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const discovery = kubeConfig.makeApiClient(DiscoveryV1Api);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const state = new AnnouncementState(nodeName, options.loadBalancerClass);
  const watchCommon = {
    kubeConfig,
    logger: logger.child({ component: 'watch' }),
    onApiError: (resource: string) => client.apiErrors.inc({ resource }),
    ...(options.minBackoffMs === undefined ? {} : { minBackoffMs: options.minBackoffMs }),
    ...(options.maxBackoffMs === undefined ? {} : { maxBackoffMs: options.maxBackoffMs }),
  };
  const onApiError = (resource: string): void => client.apiErrors.inc({ resource });

  let synced = false;
  let roundsRun = 0;
  let stopping = false;
  const trigger = (): void => {
    if (synced && !stopping) debouncer.trigger();
  };
  /** A watched object changed; `didChange`: in a way the decision reads. */
  const changed = (didChange: boolean): void => {
    client.updates.inc();
    if (didChange) trigger();
  };

  const services = new ResourceWatch<V1Service>({
    ...watchCommon,
    path: '/api/v1/services',
    resource: 'services',
    apiVersion: 'v1',
    kind: 'Service',
    list: () => core.listServiceForAllNamespaces(),
    // The state keeps what the decision reads; the cache only names Services for events and status.
    keep: identityOnly,
    onChange: (type, object) =>
      changed(
        type === 'delete'
          ? state.deleteService(
              object.metadata?.namespace ?? 'default',
              object.metadata?.name ?? '',
            )
          : state.setService(serviceInfo(object)),
      ),
  });
  const endpointSlices = new ResourceWatch<V1EndpointSlice>({
    ...watchCommon,
    path: '/apis/discovery.k8s.io/v1/endpointslices',
    resource: 'endpointslices.discovery.k8s.io',
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    // Only slices that belong to a Service (as kube-proxy reads them).
    labelSelector: SERVICE_NAME_LABEL,
    list: () => discovery.listEndpointSliceForAllNamespaces({ labelSelector: SERVICE_NAME_LABEL }),
    keep: identityOnly,
    onChange: (type, object) =>
      changed(
        type === 'delete'
          ? state.deleteEndpointSlice(
              object.metadata?.namespace ?? 'default',
              object.metadata?.name ?? '',
            )
          : state.setEndpointSlice(endpointSliceInfo(object)),
      ),
  });
  let routerIdAddresses = '';
  const nodes = new ResourceWatch<V1Node>({
    ...watchCommon,
    path: '/api/v1/nodes',
    resource: 'nodes',
    apiVersion: 'v1',
    kind: 'Node',
    list: () => core.listNode(),
    keep: withoutImages,
    onChange: (type, object) => {
      const name = object.metadata?.name ?? '';
      let didChange = type === 'delete' ? state.deleteNode(name) : state.setNode(nodeInfo(object));
      if (name === nodeName) {
        // The router ID follows the node's addresses.
        const addresses = type === 'delete' ? '' : JSON.stringify(nodeAddresses(object));
        if (addresses !== routerIdAddresses) {
          routerIdAddresses = addresses;
          didChange = true;
        }
      }
      changed(didChange);
    },
  });
  const config = new ConfigView({
    kubeConfig,
    namespace,
    logger,
    metrics: client,
    ...(options.minBackoffMs === undefined ? {} : { minBackoffMs: options.minBackoffMs }),
    ...(options.maxBackoffMs === undefined ? {} : { maxBackoffMs: options.maxBackoffMs }),
  });
  // This node's ServiceBGPStatus objects (by label when the name fits in one).
  const statusSelector = labelValue.test(nodeName) && nodeName.length <= 63;
  const statuses = new ResourceWatch<KubernetesObject>({
    ...watchCommon,
    path: `/apis/${API_GROUP}/${API_VERSION}/servicebgpstatuses`,
    resource: `servicebgpstatuses.${API_GROUP}`,
    apiVersion: API_GROUP_VERSION,
    kind: 'ServiceBGPStatus',
    ...(statusSelector && { labelSelector: `${ServiceBgpStatusLabels.node}=${nodeName}` }),
    list: () =>
      custom.listCustomObjectForAllNamespaces({
        group: API_GROUP,
        version: API_VERSION,
        resourcePlural: 'servicebgpstatuses',
        ...(statusSelector && { labelSelector: `${ServiceBgpStatusLabels.node}=${nodeName}` }),
      }) as Promise<ResourceList<KubernetesObject>>,
    onChange: (type, object) => statusWriter.observed(object, type === 'delete'),
  });
  const watches = [services, endpointSlices, nodes, statuses, ...config.watches];

  const recorder = new EventRecorder({
    kubeConfig,
    component: 'ironlb-speaker',
    host: nodeName,
    logger: logger.child({ component: 'events' }),
    onError: () => onApiError('events'),
  });
  const configReport = new ConfigReport({
    writes: directConfigReportWrites({ kubeConfig, namespace, recorder, onApiError }),
    name: speakerStateName(nodeName),
    namespace,
    configState: config.configState,
    configObject: (kind, name) => config.configObject(kind, name),
    logger: logger.child({ component: 'config' }),
    stopped: () => stopping,
  });
  const statusWriter = new ServiceStatusWriter({
    kubeConfig,
    nodeName,
    logger: logger.child({ component: 'status' }),
    existing: () => statuses.list(),
    serviceUid: (ns, name) => services.get(name, ns)?.metadata?.uid,
    onApiError,
    ...(options.minBackoffMs === undefined ? {} : { minRetryMs: options.minBackoffMs }),
    ...(options.maxBackoffMs === undefined ? {} : { maxRetryMs: options.maxBackoffMs }),
  });
  const peerStatus = new PeerStatusWriter({
    kubeConfig,
    namespace,
    nodeName,
    logger: logger.child({ component: 'peer-status' }),
    peerObject: (name) => config.configObject('BGPPeer', name),
    onApiError,
  });
  const pool = new SessionPool({
    logger: logger.child({ component: 'bgp' }),
    ...(options.createSession === undefined ? {} : { createSession: options.createSession }),
    onReport: (report) => {
      if (!stopping) peerStatus.set(report.ref, report);
    },
    onSessionEnded: (ref, session, updates) => metrics.sessionEnded(ref, session, updates),
    onReplaced: (ref) => metrics.sessionReplacements.inc({ peer: ref }),
  });
  metrics.sampleSessions(() => pool.samples());

  config.subscribe((result) => {
    configReport.report();
    state.setConfig(config.configState.config);
    if (result.ok) trigger();
  });

  // ---- decision rounds ----------------------------------------------------

  let previousRefs = new Set<string>();
  let lastRound: AnnouncementRound | undefined;
  /** Problems already logged (duplicatePeerSession), so each is logged once. */
  const loggedProblems = new Set<string>();
  /** Unknown-node endpoint groups already reported as events ("service|node"). */
  const reportedMismatches = new Set<string>();
  let nodeMissingLogged = false;

  const runRound = (): void => {
    if (!synced || stopping) return;
    const started = performance.now();
    const first = lastRound === undefined;
    const round = state.round();
    lastRound = round;
    roundsRun++;
    metrics.rounds.inc({ kind: round.full ? 'full' : 'incremental' });
    const { announcements } = round;

    // Sessions and their routes.
    const addresses = nodeAddresses(nodes.get(nodeName));
    const routerId = defaultRouterId(nodeName, addresses);
    const specs: SessionSpec[] = announcements.sessions.map((s) =>
      sessionSpec(s, routerId, addresses),
    );
    pool.apply(specs, announcements.routes);
    const refs = new Set(specs.map((s) => s.ref));
    for (const ref of previousRefs) {
      if (refs.has(ref)) continue;
      if (config.configObject('BGPPeer', ref.slice(ref.indexOf('/') + 1)) === undefined) {
        peerStatus.forget(ref);
      } else {
        peerStatus.set(ref, undefined);
      }
    }
    previousRefs = refs;

    // duplicatePeerSession: logged once while it lasts (localPrefConflict becomes an event below).
    const current = new Set<string>();
    for (const problem of announcements.problems) {
      if (problem.reason !== 'duplicatePeerSession') continue;
      current.add(problem.message);
      if (loggedProblems.has(problem.message)) continue;
      loggedProblems.add(problem.message);
      logger.warn({ reason: problem.reason, peer: problem.peer }, problem.message);
    }
    for (const message of loggedProblems) if (!current.has(message)) loggedProblems.delete(message);

    // Status objects, events, metrics.
    const bgpStatus = serviceBgpAnnouncements(announcements.services);
    statusWriter.setDesired(bgpStatus);
    // An announcement this node's ServiceBGPStatus already shows is not news: not at start-up
    // (a restarted speaker finds its status from before), and not when a later round only
    // catches up with what an earlier one already reported.
    const candidates = announcementEvents(first ? undefined : round.previous, round.next);
    // Both indexes cost O(Services): built only in rounds that announce something new.
    const announcing = candidates.some((event) => event.reason === 'nodeAnnouncing');
    const shown = announcing ? shownAnnouncements() : new Map<string, string>();
    const wanted = announcing
      ? new Map(
          bgpStatus.map((s) => [`${s.serviceNamespace}/${s.serviceName}`, JSON.stringify(s.peers)]),
        )
      : new Map<string, string>();
    const events = candidates.filter((event) => !alreadyShown(event, wanted, shown));
    for (const event of events) recordOnService(event);
    metrics.setAnnounced(
      announcements.services.flatMap((decision) =>
        decision.ips
          .filter((ip) => ip.announce)
          .map((ip) => ({ service: decision.key, node: nodeName, ip: ip.ip })),
      ),
    );
    reportMismatches();

    const node = checkThisNode(nodeName, state.nodes);
    if (!node.exists && !nodeMissingLogged) logger.warn({ node: nodeName }, node.message);
    nodeMissingLogged = !node.exists;

    if (!logger.isLevelEnabled('debug')) return;
    logger.debug(
      {
        full: round.full,
        decided: round.next.length,
        sessions: specs.length,
        routes: [...announcements.routes.values()].reduce((n, r) => n + r.length, 0),
        events: events.length,
        ms: Math.round((performance.now() - started) * 10) / 10,
      },
      'decision round',
    );
  };

  /** "namespace/name" → peers, of this node's ServiceBGPStatus objects (one pass per round). */
  function shownAnnouncements(): Map<string, string> {
    const shown = new Map<string, string>();
    for (const object of statuses.list()) {
      const status = (
        object as {
          status?: {
            node?: string;
            serviceName?: string;
            serviceNamespace?: string;
            peers?: string[];
          };
        }
      ).status;
      if (status?.node !== nodeName) continue;
      shown.set(
        `${status.serviceNamespace ?? ''}/${status.serviceName ?? ''}`,
        JSON.stringify(status.peers ?? []),
      );
    }
    return shown;
  }

  /** An announcement this node's ServiceBGPStatus already shows (same peers as wanted) is not news. */
  function alreadyShown(
    event: AnnouncementEvent,
    bgpStatus: ReadonlyMap<string, string>,
    shown: ReadonlyMap<string, string>,
  ): boolean {
    if (event.reason !== 'nodeAnnouncing') return false;
    const peers = shown.get(`${event.serviceNamespace}/${event.serviceName}`);
    if (peers === undefined) return false;
    return peers === bgpStatus.get(`${event.serviceNamespace}/${event.serviceName}`);
  }

  function recordOnService(event: {
    serviceNamespace: string;
    serviceName: string;
    type: 'Normal' | 'Warning';
    reason: string;
    message: string;
  }): void {
    const service = services.get(event.serviceName, event.serviceNamespace);
    if (service === undefined) return;
    const log = event.type === 'Warning' ? logger.warn.bind(logger) : logger.info.bind(logger);
    log(
      { service: `${event.serviceNamespace}/${event.serviceName}`, reason: event.reason },
      event.message,
    );
    void recorder.record(service, {
      type: event.type,
      reason: event.reason,
      message: event.message,
    });
  }

  function reportMismatches(): void {
    const mismatches = state.mismatches();
    const counts = new Map<string, number>();
    const current = new Set<string>();
    for (const mismatch of mismatches) {
      counts.set(mismatch.service, (counts.get(mismatch.service) ?? 0) + mismatch.endpoints);
      const key = `${mismatch.service}|${mismatch.nodeName ?? ''}`;
      current.add(key);
      if (reportedMismatches.has(key)) continue;
      reportedMismatches.add(key);
      const slash = mismatch.service.indexOf('/');
      recordOnService({
        serviceNamespace: mismatch.service.slice(0, slash),
        serviceName: mismatch.service.slice(slash + 1),
        type: 'Warning',
        reason: 'endpointNodeUnknown',
        message: mismatch.message,
      });
    }
    for (const key of reportedMismatches) if (!current.has(key)) reportedMismatches.delete(key);
    metrics.setUnknownNodeEndpoints(counts);
  }

  const roundClock = options.clock ?? systemClock;
  const debouncer = new Debouncer({
    clock: roundClock,
    delayMs: options.debounceMs ?? SpeakerDefaults.debounceMs,
    maxDelayMs: options.maxDebounceMs ?? SpeakerDefaults.maxDebounceMs,
    busyFactor: SpeakerDefaults.roundBusyFactor,
    run: () => {
      const started = roundClock.now();
      try {
        runRound();
      } catch (err) {
        logger.error(
          { err: err instanceof Error ? err.stack : String(err) },
          'decision round failed',
        );
      }
      return roundClock.now() - started;
    },
  });

  // ---- readiness ----------------------------------------------------------

  options.readiness.register('speaker-sync', () => {
    if (synced && lastRound !== undefined) return true;
    const waiting = watches.filter((w) => !w.synced).map((w) => w.resource);
    return waiting.length > 0
      ? `waiting for the initial list of ${waiting.join(', ')}`
      : 'waiting for the first announcement decision';
  });
  options.readiness.register('speaker-config', () =>
    config.configState.loaded
      ? true
      : `no valid configuration loaded: ${config.configState.summary().split('\n').join('; ')}`,
  );
  options.readiness.register('speaker-node', () => {
    if (!synced) return `waiting for the list of Nodes`;
    const check = checkThisNode(nodeName, state.nodes);
    return check.exists ? true : (check.message ?? `Node ${nodeName} does not exist`);
  });

  // ---- start and stop -----------------------------------------------------

  // The watches outlive the shutdown signal: the status cleanup after the drain needs a fresh cache.
  const watching = new AbortController();
  const started = (async () => {
    await Promise.all(watches.map((watch) => watch.start(watching.signal)));
    if (signal.aborted || watching.signal.aborted) return;
    synced = true;
    config.activate();
    logger.info(
      {
        services: services.size,
        endpointSlices: endpointSlices.size,
        nodes: nodes.size,
        configuration: config.configState.loaded ? 'valid' : 'not loaded',
      },
      'initial sync done; deciding',
    );
    debouncer.flush();
    // Nothing pending (no change yet): the first round runs now.
    if (lastRound === undefined) runRound();
  })().catch((err: unknown) => {
    logger.error({ err: String(err) }, 'watches failed to start');
  });

  let markStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (markStopped = resolve));

  options.shutdown.onShutdown('speaker', async (deadline) => {
    stopping = true;
    debouncer.stop();
    // Never synced: nothing was announced; stop waiting for the lists.
    if (!synced) watching.abort();
    await started;
    const drainAll = nodes.get(nodeName)?.metadata?.annotations?.[SHUTDOWN_ANNOTATION] === 'drain';
    const keepRoutes = (spec: SessionSpec): boolean => spec.peer.enableGracefulRestart && !drainAll;
    const kept = new Set(
      pool.refs().filter((ref) => {
        const spec = pool.spec(ref);
        return spec !== undefined && keepRoutes(spec);
      }),
    );
    logger.info(
      {
        drainMs: options.drainMs ?? SpeakerDefaults.drainMs,
        keptByGracefulRestart: [...kept],
        drainAll,
      },
      'stopping the BGP sessions',
    );
    await pool.shutdown({
      drainMs: options.drainMs ?? SpeakerDefaults.drainMs,
      keepRoutes,
      message: `ironlb speaker on node ${nodeName} is shutting down`,
      signal: deadline,
    });
    // What is still announced: only to the peers that keep our routes.
    const remaining = lastRound
      ? serviceBgpAnnouncements(lastRound.announcements.services).flatMap((a) => {
          const peers = a.peers.filter((peer) => kept.has(peer));
          return peers.length === 0 ? [] : [{ ...a, peers }];
        })
      : [];
    statusWriter.setDesired(remaining);
    for (const ref of previousRefs) peerStatus.set(ref, undefined);
    await withTimeout(
      Promise.all([statusWriter.settle(), peerStatus.flush(3000), configReport.settle()]),
      3500,
    );
    statusWriter.stop();
    peerStatus.stop();
    watching.abort();
    await Promise.all(watches.map((watch) => watch.stop()));
    logger.info('speaker stopped');
    markStopped();
  });

  return {
    state,
    sessions: pool,
    metrics,
    rounds: () => roundsRun,
    stopped,
  };
}

async function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
  ]);
  clearTimeout(timer);
}
