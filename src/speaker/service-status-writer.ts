import {
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, type ServiceBGPStatus } from '../config/index.ts';
import type { Logger } from '../daemon/logger.ts';
import { apiErrorText, apiStatusCode } from '../k8s/kubeconfig.ts';
import { objectKey } from '../k8s/resource-watch.ts';
import { serviceBgpStatusObject, type ServiceBgpAnnouncement } from './announcement-status.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const PLURAL = 'servicebgpstatuses';

type StatusObject = KubernetesObject & { status?: { node?: string; peers?: string[] } };

export interface ServiceStatusWriterOptions {
  readonly kubeConfig: KubeConfig;
  readonly nodeName: string;
  readonly logger: Logger;
  /** This node's ServiceBGPStatus objects as the watch shows them. */
  readonly existing: () => readonly StatusObject[];
  /** The Service's uid, for the owner reference (garbage collection with the Service). */
  readonly serviceUid: (namespace: string, name: string) => string | undefined;
  readonly onApiError: (resource: string) => void;
  readonly minRetryMs?: number;
  readonly maxRetryMs?: number;
}

interface Desired {
  readonly object: ServiceBGPStatus;
  /** JSON of the peers, the one thing that changes. */
  readonly peers: string;
}

/**
 * Keeps this node's ServiceBGPStatus objects equal to its announcements: one
 * per announced Service (created with an owner reference to the Service,
 * status merge-patched when the peers change), deleted when the node stops
 * announcing it. Writes only differences (against what it wrote, or else
 * what the watch shows), one at a time, retried with backoff.
 */
export class ServiceStatusWriter {
  readonly #options: ServiceStatusWriterOptions;
  readonly #api: CustomObjectsApi;
  #desired = new Map<string, Desired>();
  /** What we last wrote per object key: the peers JSON, or null for deleted. */
  readonly #written = new Map<string, string | null>();
  #running: Promise<void> | undefined;
  #again = false;
  #failures = 0;
  #retry: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: ServiceStatusWriterOptions) {
    this.#options = options;
    this.#api = options.kubeConfig.makeApiClient(CustomObjectsApi);
  }

  /** The announcements now; writes follow. */
  setDesired(announcements: readonly ServiceBgpAnnouncement[]): void {
    const desired = new Map<string, Desired>();
    for (const announcement of announcements) {
      const object = serviceBgpStatusObject(announcement);
      desired.set(objectKey(object.metadata.namespace, object.metadata.name), {
        object,
        peers: JSON.stringify(object.status?.peers ?? []),
      });
    }
    this.#desired = desired;
    this.kick();
  }

  /** The watch saw one of our objects change: re-check it unless it shows our own write. */
  observed(object: StatusObject, deleted: boolean): void {
    const key = objectKey(object.metadata?.namespace, object.metadata?.name ?? '');
    const written = this.#written.get(key);
    const shown = deleted ? null : JSON.stringify(object.status?.peers ?? []);
    if (written === shown) return;
    this.#written.delete(key);
    this.kick();
  }

  kick(): void {
    if (this.#stopped) return;
    if (this.#running !== undefined) {
      this.#again = true;
      return;
    }
    this.#running = this.#loop().finally(() => (this.#running = undefined));
  }

  /** Resolves when the writes asked for so far are done (or failed). */
  async settle(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retry);
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      const ok = await this.#reconcile();
      if (ok) {
        this.#failures = 0;
      } else if (!this.#stopped) {
        this.#failures++;
        const min = this.#options.minRetryMs ?? 500;
        const max = this.#options.maxRetryMs ?? 30_000;
        const delay = Math.min(max, min * 2 ** Math.min(10, this.#failures - 1));
        clearTimeout(this.#retry);
        this.#retry = setTimeout(() => this.kick(), delay);
        this.#retry.unref();
      }
    } while (this.#again && !this.#stopped);
  }

  /** One pass over every difference; false when a write failed. */
  async #reconcile(): Promise<boolean> {
    const { nodeName, logger } = this.#options;
    const shown = new Map<string, StatusObject>();
    for (const object of this.#options.existing()) {
      // Objects of other nodes whose names do not fit a label value are filtered here.
      if (object.status?.node !== undefined && object.status.node !== nodeName) continue;
      shown.set(objectKey(object.metadata?.namespace, object.metadata?.name ?? ''), object);
    }
    let ok = true;
    for (const [key, desired] of this.#desired) {
      const written = this.#written.get(key);
      const current =
        written !== undefined
          ? written
          : shown.has(key)
            ? JSON.stringify(shown.get(key)?.status?.peers ?? [])
            : null;
      if (current === desired.peers) continue;
      try {
        await this.#write(desired, current !== null);
        this.#written.set(key, desired.peers);
      } catch (err) {
        ok = false;
        logger.warn({ object: key, err: apiErrorText(err) }, 'ServiceBGPStatus write failed');
      }
    }
    const stale = new Set([...shown.keys(), ...this.#written.keys()]);
    for (const key of stale) {
      if (this.#desired.has(key)) continue;
      const written = this.#written.get(key);
      if (written === null || (written === undefined && !shown.has(key))) continue;
      const [namespace = '', name = ''] = key.split('/');
      try {
        await this.#call('servicebgpstatuses', () =>
          this.#api.deleteNamespacedCustomObject({
            group: API_GROUP,
            version: API_VERSION,
            namespace,
            plural: PLURAL,
            name,
          }),
        );
        this.#written.set(key, null);
      } catch (err) {
        if (apiStatusCode(err) === 404) {
          this.#written.set(key, null);
          continue;
        }
        ok = false;
        logger.warn({ object: key, err: apiErrorText(err) }, 'ServiceBGPStatus delete failed');
      }
    }
    return ok;
  }

  async #write(desired: Desired, exists: boolean): Promise<void> {
    const { metadata, status } = desired.object;
    const namespace = metadata.namespace ?? 'default';
    const target = { group: API_GROUP, version: API_VERSION, namespace, plural: PLURAL };
    if (!exists) {
      const serviceName = status?.serviceName ?? '';
      const uid = this.#options.serviceUid(namespace, serviceName);
      try {
        await this.#call('servicebgpstatuses', () =>
          this.#api.createNamespacedCustomObject({
            ...target,
            body: {
              apiVersion: desired.object.apiVersion,
              kind: desired.object.kind,
              metadata: {
                ...metadata,
                ...(uid !== undefined && {
                  ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: serviceName, uid }],
                }),
              },
              spec: {},
            },
          }),
        );
      } catch (err) {
        if (apiStatusCode(err) !== 409) throw err;
      }
    }
    try {
      await this.#call('servicebgpstatuses/status', () =>
        this.#api.patchNamespacedCustomObjectStatus(
          { ...target, name: metadata.name, body: { status } },
          mergePatch,
        ),
      );
    } catch (err) {
      // Deleted meanwhile (our cache was behind): create it next time.
      if (apiStatusCode(err) === 404) this.#written.delete(objectKey(namespace, metadata.name));
      throw err;
    }
  }

  async #call<T>(resource: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      this.#options.onApiError(resource);
      throw err;
    }
  }
}
