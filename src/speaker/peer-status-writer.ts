import { CustomObjectsApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, type BGPPeerStatus } from '../config/index.ts';
import type { Logger } from '../daemon/logger.ts';
import { apiErrorText, apiStatusCode } from '../k8s/kubeconfig.ts';
import { compareText } from './route-merge.ts';
import type { SessionReport } from './session-pool.ts';

type SessionEntry = NonNullable<BGPPeerStatus['sessions']>[number];
type PeerObject = KubernetesObject & { status?: BGPPeerStatus };

export interface PeerStatusWriterOptions {
  readonly kubeConfig: KubeConfig;
  /** The ironlb namespace (where the BGPPeers are). */
  readonly namespace: string;
  readonly nodeName: string;
  readonly logger: Logger;
  /** A BGPPeer from the configuration watch. */
  readonly peerObject: (name: string) => PeerObject | undefined;
  readonly onApiError: (resource: string) => void;
  /** Changes within this time are written together (ms). */
  readonly delayMs?: number;
  readonly now?: () => Date;
}

/** The message written: bounded, so a long reason cannot bloat a shared object. */
function shortMessage(message: string | undefined): string | undefined {
  if (message === undefined || message === '') return undefined;
  return message.length <= 256 ? message : `${message.slice(0, 253)}...`;
}

/**
 * Keeps this node's entry in each BGPPeer's `status.sessions` (a list keyed
 * by node, shared by every speaker): the FSM state, since when, and why it is
 * not Established. To keep writes rare on a shared object, an entry is
 * rewritten only when the session becomes or stops being Established or its
 * reason changes — not for every Connect/Active step while a peer is
 * unreachable — and changes within `delayMs` go out together. The write is a
 * read-modify-write of the status subresource with the cached
 * resourceVersion (optimistic concurrency); a conflict is retried once the
 * watch has caught up.
 */
export class PeerStatusWriter {
  readonly #options: PeerStatusWriterOptions;
  readonly #api: CustomObjectsApi;
  /** Peer name → the entry wanted (undefined: remove ours). */
  readonly #wanted = new Map<string, SessionEntry | undefined>();
  readonly #dirty = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(options: PeerStatusWriterOptions) {
    this.#options = options;
    this.#api = options.kubeConfig.makeApiClient(CustomObjectsApi);
  }

  /** A session's state (undefined: this node has no session with the peer any more). */
  set(ref: string, report: SessionReport | undefined): void {
    const name = ref.slice(ref.indexOf('/') + 1);
    const previous = this.#wanted.get(name) ?? this.#shown(name);
    let entry: SessionEntry | undefined;
    if (report !== undefined) {
      const message = shortMessage(report.message);
      const same =
        previous !== undefined &&
        (previous.state === 'Established') === report.established &&
        previous.message === message;
      entry = same
        ? previous
        : {
            node: this.#options.nodeName,
            state: report.established ? 'Established' : report.state,
            lastTransitionTime: (this.#options.now?.() ?? new Date())
              .toISOString()
              .replace(/\.\d+Z$/, 'Z'),
            ...(message !== undefined && { message }),
          };
    }
    this.#wanted.set(name, entry);
    this.#dirty.add(name);
    this.#schedule(this.#options.delayMs ?? 500);
  }

  /** Forgets a peer that is gone from the configuration (its object is gone too). */
  forget(ref: string): void {
    const name = ref.slice(ref.indexOf('/') + 1);
    this.#wanted.delete(name);
    this.#dirty.delete(name);
  }

  /**
   * Writes what is pending now, retrying conflicts (the watch catches up
   * meanwhile) until everything is written or `timeoutMs` passed.
   */
  async flush(timeoutMs = 3000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#running = this.#running.then(() => this.#writeAll());
      await this.#running;
      if (this.#dirty.size === 0 || performance.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #shown(name: string): SessionEntry | undefined {
    return this.#options
      .peerObject(name)
      ?.status?.sessions?.find((s) => s.node === this.#options.nodeName);
  }

  #schedule(delayMs: number): void {
    if (this.#stopped || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.#running.then(() => this.#writeAll());
    }, delayMs);
    this.#timer.unref();
  }

  async #writeAll(): Promise<void> {
    const names = [...this.#dirty].sort(compareText);
    this.#dirty.clear();
    let retryMs: number | undefined;
    for (const name of names) {
      const outcome = await this.#writeOne(name);
      if (outcome === 'done') continue;
      this.#dirty.add(name);
      // A conflict: the watch brings the newer object soon. A failure: back off.
      const delay = outcome === 'conflict' ? 200 + Math.random() * 300 : 5000;
      retryMs = Math.min(retryMs ?? delay, delay);
    }
    if (retryMs !== undefined) this.#schedule(retryMs);
  }

  async #writeOne(name: string): Promise<'done' | 'conflict' | 'failed'> {
    const { nodeName, namespace, logger } = this.#options;
    const object = this.#options.peerObject(name);
    if (object === undefined) return 'done';
    const wanted = this.#wanted.get(name);
    const sessions = object.status?.sessions ?? [];
    const ours = sessions.find((s) => s.node === nodeName);
    if (JSON.stringify(ours) === JSON.stringify(wanted)) return 'done';
    const next = [...sessions.filter((s) => s.node !== nodeName), ...(wanted ? [wanted] : [])].sort(
      (a, b) => compareText(a.node, b.node),
    );
    try {
      await this.#api.replaceNamespacedCustomObjectStatus({
        group: API_GROUP,
        version: API_VERSION,
        namespace,
        plural: 'bgppeers',
        name,
        body: { ...object, status: { ...object.status, sessions: next } },
      });
      return 'done';
    } catch (err) {
      const code = apiStatusCode(err);
      if (code === 404) return 'done';
      if (code === 409) return 'conflict';
      this.#options.onApiError('bgppeers/status');
      logger.warn({ peer: name, err: apiErrorText(err) }, 'BGPPeer status write failed');
      return 'failed';
    }
  }
}
