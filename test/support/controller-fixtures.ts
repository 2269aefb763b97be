/**
 * Helpers for controller and src/k8s tests against the test API server:
 * bounded waits, the ironlb CRDs installed, and manifests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { TestApiServer } from './api-server/index.ts';

/** Polls until `condition` holds; fails with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  intervalMs = 10,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const crdDirectory = new URL('../../deploy/crds/', import.meta.url);

/** Puts every CRD of deploy/crds/ into the server, so the ironlb kinds are served. */
export function installCrds(server: TestApiServer): void {
  for (const file of readdirSync(crdDirectory)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    for (const document of parseAllDocuments(readFileSync(new URL(file, crdDirectory), 'utf8'))) {
      const object = document.toJS() as object | null;
      if (object !== null) server.store.put(object);
    }
  }
}

export function namespaceManifest(name: string, labels: Record<string, string> = {}): object {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export function poolManifest(
  name: string,
  addresses: string[],
  namespace = 'ironlb-system',
  spec: Record<string, unknown> = {},
): object {
  return {
    apiVersion: 'ironlb.dev/v1beta1',
    kind: 'IPAddressPool',
    metadata: { name, namespace },
    spec: { addresses, ...spec },
  };
}

export interface ServiceOptions {
  readonly namespace?: string;
  readonly type?: string;
  readonly annotations?: Record<string, string>;
  readonly labels?: Record<string, string>;
  readonly loadBalancerClass?: string;
  readonly port?: number;
  readonly ipFamilies?: string[];
  readonly ipFamilyPolicy?: string;
  readonly ingress?: string[];
}

export function serviceManifest(name: string, options: ServiceOptions = {}): object {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: options.namespace ?? 'default',
      ...(options.annotations === undefined ? {} : { annotations: options.annotations }),
      ...(options.labels === undefined ? {} : { labels: options.labels }),
    },
    spec: {
      type: options.type ?? 'LoadBalancer',
      selector: { app: name },
      ports: [{ protocol: 'TCP', port: options.port ?? 80 }],
      ...(options.loadBalancerClass === undefined
        ? {}
        : { loadBalancerClass: options.loadBalancerClass }),
      ...(options.ipFamilies === undefined ? {} : { ipFamilies: options.ipFamilies }),
      ...(options.ipFamilyPolicy === undefined ? {} : { ipFamilyPolicy: options.ipFamilyPolicy }),
    },
    ...(options.ingress === undefined
      ? {}
      : { status: { loadBalancer: { ingress: options.ingress.map((ip) => ({ ip })) } } }),
  };
}

/** The ingress IPs of a stored Service. */
export function storedIngress(server: TestApiServer, namespace: string, name: string): string[] {
  const service = server.store.get('v1', 'Service', name, namespace) as
    { status?: { loadBalancer?: { ingress?: Array<{ ip?: string }> } } } | undefined;
  return (service?.status?.loadBalancer?.ingress ?? []).map((entry) => entry.ip ?? '');
}

/** metadata.name of a stored object. */
export function nameOf(object: { metadata?: unknown }): string {
  const metadata = object.metadata as { name?: unknown } | undefined;
  return typeof metadata?.name === 'string' ? metadata.name : '';
}
