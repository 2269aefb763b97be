import type { ServerResponse } from 'node:http';
import type { Cluster } from './cluster.ts';
import { definitionFromCrd } from './crd.ts';
import { deepClone, metadataOf, type JsonObject, type KubeObject } from './json.ts';
import type { ChangeType, StoreEvent } from './object-store.ts';
import { representObject } from './representation.ts';
import { apiVersionOf, groupResourceKey } from './resource-definition.ts';
import type { WatchPlan } from './handlers.ts';
import { badRequest, expired, type ApiError } from './status.ts';

/**
 * Streams watch events as the real server does: HTTP 200, chunked, one JSON
 * `{type, object}` per line. A resourceVersion older than the history
 * window gets one ERROR event carrying a 410 Expired Status, then the stream
 * ends (the informer relists on it).
 */

export type WatchEventType = ChangeType | 'BOOKMARK' | 'ERROR';

export interface WatchHubOptions {
  readonly bookmarkIntervalMs: number;
}

interface ActiveWatch {
  readonly groupResource: string;
  readonly response: ServerResponse;
  end(): void;
}

const CRD_KEY = groupResourceKey({
  group: 'apiextensions.k8s.io',
  plural: 'customresourcedefinitions',
});
export const INITIAL_EVENTS_END_ANNOTATION = 'k8s.io/initial-events-end';

/** What one stored change looks like to a watcher with a selection (objects may enter or leave it). */
function translate(
  plan: WatchPlan,
  event: StoreEvent,
): { type: ChangeType; object: KubeObject } | undefined {
  const matchesNow = event.type !== 'DELETED' && plan.selection.matches(event.object);
  const matchedBefore = event.previous !== undefined && plan.selection.matches(event.previous);
  switch (event.type) {
    case 'ADDED':
      return matchesNow ? { type: 'ADDED', object: event.object } : undefined;
    case 'MODIFIED':
      if (matchesNow) return { type: matchedBefore ? 'MODIFIED' : 'ADDED', object: event.object };
      if (!matchedBefore || event.previous === undefined) return undefined;
      // Left the selection: DELETED with the old state at the new revision.
      return { type: 'DELETED', object: withRevision(event.previous, event.revision) };
    case 'DELETED':
      return matchedBefore || plan.selection.matches(event.object)
        ? { type: 'DELETED', object: event.object }
        : undefined;
  }
}

function withRevision(obj: KubeObject, revision: number): KubeObject {
  const copy = deepClone(obj);
  metadataOf(copy).resourceVersion = String(revision);
  return copy;
}

export class WatchHub {
  readonly #cluster: Cluster;
  readonly #options: WatchHubOptions;
  readonly #active = new Set<ActiveWatch>();

  constructor(cluster: Cluster, options: WatchHubOptions) {
    this.#cluster = cluster;
    this.#options = options;
    // A deleted CRD ends the watches on its kind, as on the real server.
    cluster.store.subscribe((event) => {
      if (event.groupResource !== CRD_KEY || event.type !== 'DELETED') return;
      const key = groupResourceKey(definitionFromCrd(event.object));
      for (const watch of this.#active) if (watch.groupResource === key) watch.end();
    });
  }

  get activeCount(): number {
    return this.#active.size;
  }

  /** Ends every open watch: cleanly (end of stream) or abruptly (socket destroyed). */
  dropAll(abrupt: boolean): number {
    const watches = [...this.#active];
    for (const watch of watches) {
      if (abrupt) watch.response.socket?.destroy();
      else watch.end();
    }
    return watches.length;
  }

  /** Validates the plan before any byte is sent, so a bad request is still an HTTP error. */
  check(plan: WatchPlan): void {
    const rv = plan.resourceVersion;
    if (rv !== '' && !/^\d+$/.test(rv))
      throw badRequest(
        `resourceVersion: Invalid value: "${rv}": strconv.ParseUint: parsing "${rv}": invalid syntax`,
      );
  }

  start(plan: WatchPlan, response: ServerResponse, forceExpired: boolean): void {
    const { definition, version } = plan.resolved;
    const store = this.#cluster.store;
    const groupResource = groupResourceKey(definition);
    response.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    response.flushHeaders();

    const send = (type: WatchEventType, object: JsonObject): void => {
      if (response.writableEnded || response.destroyed) return;
      response.write(`${JSON.stringify({ type, object })}\n`);
    };
    const sendObject = (type: ChangeType, obj: KubeObject): void => {
      const presented = this.#cluster.present(plan.resolved, deepClone(obj));
      send(type, representObject(presented, plan.representation, version, this.#cluster.now()));
    };
    const sendError = (error: ApiError): void => {
      send('ERROR', error.toStatus());
      response.end();
    };
    const bookmark = (annotations?: JsonObject): void => {
      const metadata: JsonObject = { resourceVersion: String(store.revision) };
      if (annotations !== undefined) metadata.annotations = annotations;
      send('BOOKMARK', {
        kind: definition.kind,
        apiVersion: apiVersionOf(definition.group, version.name),
        metadata,
      });
    };

    if (forceExpired) {
      sendError(
        expired(`too old resource version: ${plan.resourceVersion || '0'} (${store.revision})`),
      );
      return;
    }

    const initial = plan.resourceVersion === '' || plan.resourceVersion === '0';
    let replay: StoreEvent[] = [];
    if (!initial) {
      const events = store.eventsAfter(Number(plan.resourceVersion), groupResource);
      if (events === undefined) {
        sendError(
          expired(
            `too old resource version: ${plan.resourceVersion} (${store.compactedRevision + 1})`,
          ),
        );
        return;
      }
      replay = events;
    }

    const timers: NodeJS.Timeout[] = [];
    const watch: ActiveWatch = {
      groupResource,
      response,
      end: () => {
        if (!response.writableEnded) response.end();
      },
    };
    const unsubscribe = store.subscribe((event) => {
      if (event.groupResource !== groupResource) return;
      const translated = translate(plan, event);
      if (translated !== undefined) sendObject(translated.type, translated.object);
    });
    const cleanup = (): void => {
      unsubscribe();
      for (const timer of timers) clearTimeout(timer);
      this.#active.delete(watch);
    };
    response.on('close', cleanup);
    response.on('finish', cleanup);
    this.#active.add(watch);

    if (initial) {
      if (plan.sendInitialEvents !== false) {
        for (const obj of store.list(groupResource, plan.selection.namespace)) {
          if (plan.selection.matches(obj)) sendObject('ADDED', obj);
        }
      }
      if (plan.sendInitialEvents === true && plan.allowBookmarks) {
        bookmark({ [INITIAL_EVENTS_END_ANNOTATION]: 'true' });
      }
    } else {
      for (const event of replay) {
        const translated = translate(plan, event);
        if (translated !== undefined) sendObject(translated.type, translated.object);
      }
    }

    if (plan.allowBookmarks) {
      const interval = setInterval(() => bookmark(), this.#options.bookmarkIntervalMs);
      interval.unref();
      timers.push(interval);
    }
    if (plan.timeoutSeconds !== undefined) {
      const timeout = setTimeout(() => watch.end(), plan.timeoutSeconds * 1000);
      timeout.unref();
      timers.push(timeout);
    }
  }
}
