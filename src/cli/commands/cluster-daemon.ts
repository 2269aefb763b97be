import type { KubeConfig } from '@kubernetes/client-node';
import type { LevelWithSilent } from 'pino';
import { type DaemonContext, startDaemon } from '../../daemon/daemon.ts';
import { createLogger, type Logger } from '../../daemon/logger.ts';
import { createMetricsRegistry } from '../../daemon/metrics.ts';
import { loadKubeConfig } from '../../k8s/kubeconfig.ts';

/** The flags every cluster daemon (controller, speaker) takes. */
export interface ClusterDaemonFlags {
  readonly kubeconfig?: string;
  readonly httpHost: string;
  readonly httpPort: number;
  readonly logLevel: LevelWithSilent;
}

/**
 * Starts a daemon that talks to the cluster: its logger, the kubeconfig, and
 * the daemon shell (/metrics, /healthz, /readyz, graceful shutdown), then
 * `start` with all three. Resolves once the shell is up.
 */
export async function startClusterDaemon(
  name: string,
  flags: ClusterDaemonFlags,
  start: (ctx: DaemonContext, kubeConfig: KubeConfig, logger: Logger) => void,
  shutdownDeadlineMs?: number,
): Promise<void> {
  const logger = createLogger({ name, level: flags.logLevel });
  const kubeConfig = loadKubeConfig(flags.kubeconfig);
  await startDaemon(
    {
      logger,
      httpHost: flags.httpHost,
      httpPort: flags.httpPort,
      registry: createMetricsRegistry(),
      ...(shutdownDeadlineMs === undefined ? {} : { shutdownDeadlineMs }),
    },
    (ctx) => start(ctx, kubeConfig, logger),
  );
}
