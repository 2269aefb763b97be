import { KubeConfig } from '@kubernetes/client-node';

/**
 * Client configuration for the test server: plain HTTP on loopback. Both
 * client-node and kubectl refuse `http://` unless TLS verification is
 * switched off, so the cluster entry says insecure-skip-tls-verify. The
 * token is sent and ignored (the server does no authentication).
 */

export const KUBECONFIG_NAME = 'ironlb-test';
const TOKEN = 'ironlb-test-token';

export function kubeconfigYaml(server: string, namespace = 'default'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${KUBECONFIG_NAME}`,
    '  cluster:',
    `    server: ${server}`,
    '    insecure-skip-tls-verify: true',
    'users:',
    `- name: ${KUBECONFIG_NAME}`,
    '  user:',
    `    token: ${TOKEN}`,
    'contexts:',
    `- name: ${KUBECONFIG_NAME}`,
    '  context:',
    `    cluster: ${KUBECONFIG_NAME}`,
    `    user: ${KUBECONFIG_NAME}`,
    `    namespace: ${namespace}`,
    `current-context: ${KUBECONFIG_NAME}`,
    'preferences: {}',
    '',
  ].join('\n');
}

/** A client-node KubeConfig pointing at `server`. */
export function kubeConfigFor(server: string, namespace = 'default'): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: KUBECONFIG_NAME, server, skipTLSVerify: true }],
    users: [{ name: KUBECONFIG_NAME, token: TOKEN }],
    contexts: [
      { name: KUBECONFIG_NAME, cluster: KUBECONFIG_NAME, user: KUBECONFIG_NAME, namespace },
    ],
    currentContext: KUBECONFIG_NAME,
  });
  return kc;
}
