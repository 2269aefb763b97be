/**
 * The in-memory Kubernetes API server for tests. Start one with
 * `startApiServer()`, talk to it with `server.kubeConfig()` (client-node) or
 * `server.kubeconfig` (kubectl), inject faults with `server.faults`.
 */
export {
  startApiServer,
  type ApiServerOptions,
  type DirectStore,
  type Faults,
  type KindRegistration,
  type RequestRecord,
  type TestApiServer,
} from './server.ts';
export type { ErrorInjection, LatencyRule, RequestMatch } from './faults.ts';
export { Verb } from './handlers.ts';
export type { JsonObject, JsonValue, KubeObject } from './json.ts';
export { kubeConfigFor, kubeconfigYaml } from './kubeconfig.ts';
