import { Counter, Gauge, type Registry } from 'prom-client';
import { K8sClientMetrics } from '../k8s/client-metrics.ts';

/** What the metrics read from one session when scraped. */
export interface SessionSample {
  readonly peer: string;
  /** The session object (its UPDATE count starts at 0; a replacement is a new object). */
  readonly session: object;
  readonly up: boolean;
  /** UPDATE messages sent by this session object so far. */
  readonly updatesSent: number;
  readonly announced: number;
  readonly pending: number;
}

/**
 * The speaker's metrics, MetalLB's names with the ironlb_ prefix
 * (docs/metrics.md), on the registry passed in. Session numbers are read
 * from the sessions when scraped (`sample`), so nothing is counted twice and
 * a replaced session's UPDATEs stay counted.
 */
export class SpeakerMetrics {
  readonly client: K8sClientMetrics;
  readonly sessionUp: Gauge<'peer'>;
  readonly updates: Counter<'peer'>;
  readonly announcedPrefixes: Gauge<'peer'>;
  readonly pendingPrefixes: Gauge<'peer'>;
  readonly announced: Gauge<'service' | 'node' | 'ip' | 'protocol'>;
  readonly endpointsUnknownNode: Gauge<'service'>;
  readonly sessionReplacements: Counter<'peer'>;
  readonly rounds: Counter<'kind'>;
  #sample: () => readonly SessionSample[] = () => [];
  /** Per peer: UPDATEs already added to the counter, per session object. */
  readonly #counted = new Map<string, { session: object; updates: number }>();
  #peers = new Set<string>();
  #announcedSeries = new Map<string, { service: string; node: string; ip: string }>();
  #unknownSeries = new Set<string>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.client = new K8sClientMetrics(registry);
    const collect = (): void => this.#collect();
    this.sessionUp = new Gauge({
      name: 'ironlb_bgp_session_up',
      help: '1 while the BGP session with the peer is Established.',
      labelNames: ['peer'],
      registers,
      collect,
    });
    this.updates = new Counter({
      name: 'ironlb_bgp_updates_total',
      help: 'BGP UPDATE messages sent to the peer.',
      labelNames: ['peer'],
      registers,
      collect,
    });
    this.announcedPrefixes = new Gauge({
      name: 'ironlb_bgp_announced_prefixes_total',
      help: 'Prefixes the peer has been sent and holds from us.',
      labelNames: ['peer'],
      registers,
      collect,
    });
    this.pendingPrefixes = new Gauge({
      name: 'ironlb_bgp_pending_prefixes_total',
      help: 'Prefix changes (announcements and withdrawals) not yet sent to the peer.',
      labelNames: ['peer'],
      registers,
      collect,
    });
    this.announced = new Gauge({
      name: 'ironlb_speaker_announced',
      help: '1 for every Service address this node announces (to at least one peer).',
      labelNames: ['service', 'node', 'ip', 'protocol'],
      registers,
    });
    this.endpointsUnknownNode = new Gauge({
      name: 'ironlb_speaker_endpoints_unknown_node',
      help: 'Endpoints of a load-balanced Service whose nodeName is no Node (or that have none).',
      labelNames: ['service'],
      registers,
    });
    this.sessionReplacements = new Counter({
      name: 'ironlb_speaker_session_replacements_total',
      help: 'Sessions closed and opened again because their BGPPeer changed.',
      labelNames: ['peer'],
      registers,
    });
    this.rounds = new Counter({
      name: 'ironlb_speaker_decision_rounds_total',
      help: 'Announcement decision rounds, by kind (full: every Service; incremental: changed ones).',
      labelNames: ['kind'],
      registers,
    });
  }

  /** Where the session numbers come from at scrape time. */
  sampleSessions(sample: () => readonly SessionSample[]): void {
    this.#sample = sample;
  }

  /**
   * Adds a session's final UPDATE count before it is dropped, so the counter
   * never goes back (the next session starts from 0).
   */
  sessionEnded(peer: string, session: object, updatesSent: number): void {
    this.#addUpdates(peer, session, updatesSent);
    this.#counted.delete(peer);
  }

  #addUpdates(peer: string, session: object, updatesSent: number): void {
    const counted = this.#counted.get(peer);
    const already = counted?.session === session ? counted.updates : 0;
    if (updatesSent > already) this.updates.inc({ peer }, updatesSent - already);
    this.#counted.set(peer, { session, updates: updatesSent });
  }

  #collect(): void {
    const samples = this.#sample();
    const now = new Set<string>();
    for (const sample of samples) {
      now.add(sample.peer);
      const labels = { peer: sample.peer };
      this.sessionUp.set(labels, sample.up ? 1 : 0);
      this.announcedPrefixes.set(labels, sample.announced);
      this.pendingPrefixes.set(labels, sample.pending);
      this.#addUpdates(sample.peer, sample.session, sample.updatesSent);
    }
    for (const peer of this.#peers) {
      if (now.has(peer)) continue;
      this.sessionUp.remove({ peer });
      this.announcedPrefixes.remove({ peer });
      this.pendingPrefixes.remove({ peer });
    }
    this.#peers = now;
  }

  /** The addresses announced from this node, one series each. */
  setAnnounced(entries: readonly { service: string; node: string; ip: string }[]): void {
    const next = new Map(entries.map((e) => [`${e.service}|${e.ip}`, e]));
    for (const [key, entry] of this.#announcedSeries) {
      if (!next.has(key)) this.announced.remove({ ...entry, protocol: 'bgp' });
    }
    for (const [key, entry] of next) {
      if (!this.#announcedSeries.has(key)) this.announced.set({ ...entry, protocol: 'bgp' }, 1);
    }
    this.#announcedSeries = next;
  }

  /** Endpoints naming unknown nodes, per Service. */
  setUnknownNodeEndpoints(counts: ReadonlyMap<string, number>): void {
    for (const service of this.#unknownSeries) {
      if (!counts.has(service)) this.endpointsUnknownNode.remove({ service });
    }
    for (const [service, count] of counts) this.endpointsUnknownNode.set({ service }, count);
    this.#unknownSeries = new Set(counts.keys());
  }
}
