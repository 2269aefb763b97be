import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { IronlbError, describeError } from '../common/errors.ts';
import { K8sErrors } from './errors.ts';

/**
 * The client configuration: an explicit kubeconfig file, else the in-cluster
 * service account, else the usual defaults ($KUBECONFIG, ~/.kube/config).
 */
export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (path !== undefined) {
      if (!existsSync(path)) throw new Error(`kubeconfig file ${path} does not exist`);
      kc.loadFromFile(path);
    } else if (process.env.KUBERNETES_SERVICE_HOST !== undefined) {
      kc.loadFromCluster();
    } else {
      kc.loadFromDefault();
    }
  } catch (err) {
    throw new IronlbError(
      K8sErrors.IRONLB_ERR_KUBECONFIG,
      'cannot load Kubernetes client configuration',
      {
        cause: err,
      },
    );
  }
  if (kc.getCurrentCluster() === null) {
    throw new IronlbError(
      K8sErrors.IRONLB_ERR_KUBECONFIG,
      'the kubeconfig names no current cluster',
    );
  }
  return reuseConnections(kc);
}

const reusing = Symbol('ironlb.reuseConnections');

interface DispatcherFactory {
  createDispatcher?: (cluster: unknown, agentOptions: unknown) => unknown;
  createDispatcherOptions?: (cluster: unknown, agentOptions: unknown) => unknown;
  [reusing]?: true;
}

/**
 * Makes every request of this KubeConfig share connections. client-node 2.x
 * builds a new undici Agent for every request when TLS options are set (any
 * real cluster: its CA), so each request opens (and handshakes) a connection
 * of its own. Agents are kept per distinct dispatcher options instead, so a
 * rotated client certificate still gets a new one. Relies on the client's
 * (private) createDispatcher; without it, nothing changes. Idempotent.
 */
export function reuseConnections(kc: KubeConfig): KubeConfig {
  const factory = kc as unknown as DispatcherFactory;
  const create = factory.createDispatcher;
  const describe = factory.createDispatcherOptions;
  if (factory[reusing] === true || typeof create !== 'function' || typeof describe !== 'function')
    return kc;
  const agents = new Map<string, unknown>();
  factory.createDispatcher = (cluster, agentOptions) => {
    const key = JSON.stringify(describe.call(kc, cluster, agentOptions));
    if (!agents.has(key)) agents.set(key, create.call(kc, cluster, agentOptions));
    return agents.get(key);
  };
  factory[reusing] = true;
  return kc;
}

/** The HTTP status of an error thrown by the official client, if it has one. */
export function apiStatusCode(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown; statusCode?: unknown }).code;
  if (typeof code === 'number') return code;
  const statusCode = (err as { statusCode?: unknown }).statusCode;
  return typeof statusCode === 'number' ? statusCode : undefined;
}

/**
 * A short description of an API error for logs and events: "HTTP 409 Conflict:
 * <the Status message>" instead of the client's message, which carries the
 * whole body and headers.
 */
export function apiErrorText(err: unknown): string {
  const code = apiStatusCode(err);
  if (code === undefined) return describeError(err);
  const body = (err as { body?: unknown }).body;
  let message: string | undefined;
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { message?: unknown };
      if (typeof parsed.message === 'string') message = parsed.message;
    } catch {
      message = body.length > 200 ? `${body.slice(0, 200)}...` : body;
    }
  } else if (body !== null && typeof body === 'object') {
    const text = (body as { message?: unknown }).message;
    if (typeof text === 'string') message = text;
  }
  message ??= err instanceof Error ? (err.message.split('\n')[0] ?? '') : '';
  return `HTTP ${code}${message === '' ? '' : `: ${message}`}`;
}
