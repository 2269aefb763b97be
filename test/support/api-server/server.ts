import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { IronlbError } from '../../../src/common/errors.ts';
import { Cluster } from './cluster.ts';
import { definitionFromCrd } from './crd.ts';
import * as discovery from './discovery.ts';
import { TestApiServerErrors } from './errors.ts';
import { FaultRules, type ErrorInjection, type LatencyRule, type RequestFacts } from './faults.ts';
import { ResourceHandlers, verbOf, type JsonReply, type Verb } from './handlers.ts';
import { namespaceOf, nameOf, scalarText, type JsonObject, type KubeObject } from './json.ts';
import { kubeConfigFor, kubeconfigYaml } from './kubeconfig.ts';
import { serveOpenApi } from './openapi.ts';
import type { ResolvedResource } from './resource-registry.ts';
import { groupResourceKey } from './resource-definition.ts';
import { route, type ResourcePath } from './router.ts';
import { ApiError, internalError, pathNotFound } from './status.ts';
import { WatchHub } from './watch-stream.ts';

/**
 * An in-memory Kubernetes API server for tests and the lab: plain
 * `node:http` on loopback, speaking the real REST contract closely enough
 * for @kubernetes/client-node and kubectl. See docs/test-api-server.md.
 */

export interface ApiServerOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Loopback only; default 127.0.0.1. */
  readonly host?: string;
  /** How many changes watches can replay before 410 Gone; default 1000. */
  readonly historyLimit?: number;
  /** Interval of BOOKMARK events on watches that allow them; default 60 s like the real server. */
  readonly bookmarkIntervalMs?: number;
  /** Clock for timestamps and ages; default the system clock. */
  readonly now?: () => Date;
  /** Also write the kubeconfig to this file. */
  readonly kubeconfigPath?: string;
}

export interface RequestRecord {
  readonly method: string;
  /** Path and query, as requested. */
  readonly url: string;
  /** The verb for resource requests (get, list, watch, create, ...), else undefined. */
  readonly verb: string | undefined;
  readonly status: number;
}

/** Direct access to the stored objects, bypassing HTTP (and optimistic locking). */
export interface DirectStore {
  /** The latest resourceVersion (shared by every kind). */
  readonly revision: number;
  get(apiVersion: string, kind: string, name: string, namespace?: string): KubeObject | undefined;
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[];
  /**
   * Visits the stored objects without copying them, in no particular order:
   * for benchmarks that poll many objects. Read only; never change them.
   */
  scan(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    visit: (object: Readonly<KubeObject>) => void,
  ): void;
  /**
   * Creates or replaces an object (spec and status together, whatever its
   * resourceVersion says), with the server's defaults and validation.
   * Emits the watch event a real write would. Accepts client-node model
   * objects too (Dates become RFC 3339 strings, as on the wire).
   */
  put(obj: object): KubeObject;
  /** Deletes like DELETE (finalizers make it pending); false when it did not exist. */
  delete(apiVersion: string, kind: string, name: string, namespace?: string): boolean;
}

export interface Faults {
  /** The next matching requests get an error Status (`code` 500, 503, 429, ...). */
  failRequests(rule: ErrorInjection): void;
  /** Every matching request waits `milliseconds` first. */
  addLatency(rule: LatencyRule): void;
  /** The next `count` watch requests get an ERROR event with 410 Expired. */
  expireWatches(count?: number): void;
  /** Ends all open watches now: cleanly by default, or by destroying their sockets. Returns how many. */
  dropWatches(options?: { abrupt?: boolean }): number;
  /** Forgets the watch history: any resourceVersion before now gets 410 on watch. */
  compact(): void;
  /** Injected failures not yet consumed. */
  readonly pendingFailures: number;
  /** Removes every error and latency rule. */
  clear(): void;
}

/** A kind served without a CRD object (tests that need an exotic kind). */
export interface KindRegistration {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced?: boolean;
  readonly singular?: string;
  readonly shortNames?: readonly string[];
  readonly statusSubresource?: boolean;
  /** openAPIV3Schema; default accepts anything. */
  readonly schema?: JsonObject;
}

export interface TestApiServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Kubeconfig (YAML) for kubectl and other clients. */
  readonly kubeconfig: string;
  /** Where the kubeconfig was written (options.kubeconfigPath), if anywhere. */
  readonly kubeconfigPath: string | undefined;
  /** A fresh client-node KubeConfig for this server (namespace `default` unless given). */
  kubeConfig(namespace?: string): KubeConfig;
  readonly store: DirectStore;
  readonly faults: Faults;
  /** Every request answered so far (newest last, bounded to the last 2000). */
  readonly requests: readonly RequestRecord[];
  /** Unexpected exceptions in request handling (each also answered 500); a test can assert it stays empty. */
  readonly internalErrors: readonly Error[];
  /** Open watch streams. */
  readonly activeWatches: number;
  registerKind(kind: KindRegistration): void;
  close(): Promise<void>;
}

const REQUEST_LOG_LIMIT = 2000;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: JsonObject,
  headers: Record<string, string | string[]> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function sendError(res: ServerResponse, error: ApiError): void {
  const headers: Record<string, string> = {};
  const retryAfter = error.details?.retryAfterSeconds;
  if (retryAfter !== undefined) headers['Retry-After'] = String(retryAfter);
  sendJson(res, error.code, error.toStatus(), headers);
}

function crdFor(kind: KindRegistration): KubeObject {
  const version: JsonObject = {
    name: kind.version,
    served: true,
    storage: true,
    schema: {
      openAPIV3Schema: kind.schema ?? {
        type: 'object',
        'x-kubernetes-preserve-unknown-fields': true,
      },
    },
  };
  if (kind.statusSubresource === true) version.subresources = { status: {} };
  const names: JsonObject = {
    plural: kind.plural,
    kind: kind.kind,
    singular: kind.singular ?? kind.kind.toLowerCase(),
  };
  if (kind.shortNames !== undefined) names.shortNames = [...kind.shortNames];
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${kind.plural}.${kind.group}` },
    spec: {
      group: kind.group,
      scope: kind.namespaced === false ? 'Cluster' : 'Namespaced',
      names,
      versions: [version],
    },
  };
}

export async function startApiServer(options: ApiServerOptions = {}): Promise<TestApiServer> {
  const host = options.host ?? '127.0.0.1';
  const cluster = new Cluster({
    historyLimit: options.historyLimit ?? 1000,
    now: options.now ?? (() => new Date()),
  });
  const handlers = new ResourceHandlers(cluster);
  const hub = new WatchHub(cluster, { bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000 });
  const rules = new FaultRules();
  const requests: RequestRecord[] = [];
  const internalErrors: Error[] = [];
  let address = '';

  const record = (req: IncomingMessage, verb: string | undefined, status: number): void => {
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', verb, status });
    if (requests.length > REQUEST_LOG_LIMIT)
      requests.splice(0, requests.length - REQUEST_LOG_LIMIT);
  };

  const handleResource = async (
    req: IncomingMessage,
    res: ServerResponse,
    path: ResourcePath,
    query: URLSearchParams,
    verb: Verb,
  ): Promise<void> => {
    const method = req.method ?? 'GET';
    const facts: RequestFacts = {
      verb,
      group: path.group,
      resource: path.plural,
      subresource: path.subresource ?? '',
      namespace: path.namespace ?? '',
      name: path.name ?? '',
    };
    const delay = rules.latencyFor(facts);
    if (delay > 0) await sleep(delay);
    const body = method === 'GET' || method === 'HEAD' ? '' : await readBody(req);
    const injected = rules.takeError(facts);
    if (injected !== undefined) throw injected;
    const reply = handlers.handle({
      method,
      path,
      query,
      contentType:
        (req.headers['content-type'] ?? 'application/json').split(';')[0]?.trim().toLowerCase() ??
        '',
      accept: req.headers.accept,
      body,
      userAgent: req.headers['user-agent'],
    });
    if (reply.kind === 'watch') {
      hub.check(reply.plan);
      hub.start(reply.plan, res, rules.takeWatchExpiry());
      return;
    }
    writeReply(res, reply);
  };

  const writeReply = (res: ServerResponse, reply: JsonReply): void => {
    const headers: Record<string, string[]> = {};
    if (reply.warnings.length > 0)
      headers.Warning = reply.warnings.map((w) => `299 - ${JSON.stringify(w)}`);
    sendJson(res, reply.status, reply.body, headers);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const target = route(url.pathname);
    let verb: string | undefined;
    try {
      switch (target.type) {
        case 'root':
          sendJson(res, 200, discovery.rootPaths(cluster.registry));
          break;
        case 'version':
          sendJson(res, 200, discovery.versionInfo());
          break;
        case 'health':
          res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('ok');
          break;
        case 'core-versions':
          sendJson(res, 200, discovery.coreVersions(address));
          break;
        case 'group-list':
          sendJson(res, 200, discovery.groupList(cluster.registry));
          break;
        case 'group': {
          const group = discovery.group(cluster.registry, target.group);
          if (group === undefined) throw pathNotFound();
          sendJson(res, 200, group);
          break;
        }
        case 'resource-list': {
          const list = discovery.resourceList(cluster.registry, target.group, target.version);
          if (list === undefined) throw pathNotFound();
          sendJson(res, 200, list);
          break;
        }
        case 'openapi':
          serveOpenApi(cluster.registry, target.path, res);
          break;
        case 'resource': {
          const resourceVerb = verbOf(req.method ?? 'GET', target, url.searchParams);
          verb = resourceVerb;
          await handleResource(req, res, target, url.searchParams, resourceVerb);
          break;
        }
        case 'unknown':
          throw pathNotFound();
      }
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
      } else if (err instanceof ApiError) {
        sendError(res, err);
      } else {
        const error = err instanceof Error ? err : new Error(String(err));
        internalErrors.push(error);
        sendError(res, internalError(error.message));
      }
    }
    record(req, verb, res.statusCode);
  };

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => {
      reject(
        new IronlbError(
          TestApiServerErrors.IRONLB_ERR_TEST_API_LISTEN,
          `cannot listen on ${host}:${options.port ?? 0}`,
          { cause: err },
        ),
      );
    };
    server.once('error', onError);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  address = `${host}:${port}`;
  const url = `http://${host}:${port}`;
  const kubeconfig = kubeconfigYaml(url);
  if (options.kubeconfigPath !== undefined)
    await writeFile(options.kubeconfigPath, kubeconfig, { mode: 0o600 });

  const resolveKind = (apiVersion: string, kind: string): ResolvedResource => {
    const resolved = cluster.registry.byKind(apiVersion, kind);
    if (resolved === undefined) {
      throw new IronlbError(
        TestApiServerErrors.IRONLB_ERR_TEST_API_UNKNOWN_KIND,
        `the test API server does not serve ${kind} in ${apiVersion}`,
      );
    }
    return resolved;
  };
  const namespaceFor = (resolved: ResolvedResource, namespace: string | undefined): string =>
    resolved.definition.namespaced ? (namespace ?? 'default') : '';

  const store: DirectStore = {
    get revision() {
      return cluster.store.revision;
    },
    get(apiVersion, kind, name, namespace) {
      const resolved = resolveKind(apiVersion, kind);
      return cluster.get(resolved, namespaceFor(resolved, namespace), name);
    },
    scan(apiVersion, kind, namespace, visit) {
      const resolved = resolveKind(apiVersion, kind);
      const ns = resolved.definition.namespaced ? namespace : undefined;
      cluster.store.scan(groupResourceKey(resolved.definition), ns, visit);
    },
    list(apiVersion, kind, namespace) {
      const resolved = resolveKind(apiVersion, kind);
      const ns = resolved.definition.namespaced ? namespace : undefined;
      return cluster.store
        .list(groupResourceKey(resolved.definition), ns)
        .map((obj) => cluster.present(resolved, obj));
    },
    put(input) {
      const obj = JSON.parse(JSON.stringify(input)) as KubeObject;
      const resolved = resolveKind(scalarText(obj.apiVersion), scalarText(obj.kind));
      const namespace = namespaceFor(resolved, namespaceOf(obj) || undefined);
      const existing = cluster.get(resolved, namespace, nameOf(obj));
      if (existing === undefined) {
        return cluster.create(
          resolved,
          obj,
          resolved.definition.namespaced ? namespace : undefined,
          { direct: true },
        ).object;
      }
      return cluster.update(resolved, existing, obj, { direct: true }).object;
    },
    delete(apiVersion, kind, name, namespace) {
      const resolved = resolveKind(apiVersion, kind);
      const ns = namespaceFor(resolved, namespace);
      if (cluster.get(resolved, ns, name) === undefined) return false;
      cluster.delete(resolved, ns, name);
      return true;
    },
  };

  const faults: Faults = {
    failRequests: (rule) => rules.failRequests(rule),
    addLatency: (rule) => rules.addLatency(rule),
    expireWatches: (count) => rules.expireWatches(count),
    dropWatches: (dropOptions) => hub.dropAll(dropOptions?.abrupt === true),
    compact: () => cluster.store.compact(),
    get pendingFailures() {
      return rules.pendingFailures;
    },
    clear: () => rules.clear(),
  };

  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    kubeconfig,
    kubeconfigPath: options.kubeconfigPath,
    kubeConfig: (namespace) => kubeConfigFor(url, namespace),
    store,
    faults,
    requests,
    internalErrors,
    get activeWatches() {
      return hub.activeCount;
    },
    registerKind(kind) {
      cluster.registry.register(definitionFromCrd(crdFor(kind)));
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        hub.dropAll(false);
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
