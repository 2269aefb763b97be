import { startDaemon } from '../../daemon/daemon.ts';
import { createLogger } from '../../daemon/logger.ts';
import { createMetricsRegistry } from '../../daemon/metrics.ts';
import { loadKubeConfig } from '../../k8s/kubeconfig.ts';
import { startSpeaker } from '../../speaker/speaker.ts';

export { nodeNameFromEnvironment } from '../../speaker/node-identity.ts';
import type { SpeakerFlags } from './speaker.ts';

/** Time for the hooks after the drain: withdrawal, Cease, status cleanup. */
const SHUTDOWN_MARGIN_MS = 15_000;

/** Runs the speaker in the daemon shell until SIGTERM; the function the CLI calls. */
export async function runSpeaker(flags: SpeakerFlags, nodeName: string): Promise<void> {
  const logger = createLogger({ name: 'ironlb-speaker', level: flags.logLevel });
  const kubeConfig = loadKubeConfig(flags.kubeconfig);
  await startDaemon(
    {
      logger,
      httpHost: flags.httpHost,
      httpPort: flags.httpPort,
      registry: createMetricsRegistry(),
      shutdownDeadlineMs: flags.drainPeriod + SHUTDOWN_MARGIN_MS,
    },
    (ctx) => {
      logger.info(
        {
          node: nodeName,
          namespace: flags.namespace,
          loadBalancerClass: flags.lbClass ?? null,
          drainPeriodMs: flags.drainPeriod,
          cluster: kubeConfig.getCurrentCluster()?.server,
        },
        'starting speaker',
      );
      startSpeaker({
        kubeConfig,
        nodeName,
        namespace: flags.namespace,
        loadBalancerClass: flags.lbClass,
        drainMs: flags.drainPeriod,
        logger: ctx.logger,
        registry: ctx.registry,
        readiness: ctx.readiness,
        shutdown: ctx.shutdown,
        signal: ctx.signal,
      });
    },
  );
}
