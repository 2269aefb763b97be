import { startController } from '../../controller/controller.ts';
import { startDaemon } from '../../daemon/daemon.ts';
import { createLogger } from '../../daemon/logger.ts';
import { createMetricsRegistry } from '../../daemon/metrics.ts';
import { loadKubeConfig } from '../../k8s/kubeconfig.ts';
import type { ControllerFlags } from './controller.ts';

/** Runs the controller in the daemon shell until SIGTERM; the function the CLI calls. */
export async function runController(flags: ControllerFlags): Promise<void> {
  const logger = createLogger({ name: 'ironlb-controller', level: flags.logLevel });
  const kubeConfig = loadKubeConfig(flags.kubeconfig);
  await startDaemon(
    {
      logger,
      httpHost: flags.httpHost,
      httpPort: flags.httpPort,
      registry: createMetricsRegistry(),
    },
    (ctx) => {
      logger.info(
        {
          identity: flags.identity,
          namespace: flags.namespace,
          loadBalancerClass: flags.lbClass ?? null,
          cluster: kubeConfig.getCurrentCluster()?.server,
        },
        'starting controller',
      );
      startController({
        kubeConfig,
        namespace: flags.namespace,
        loadBalancerClass: flags.lbClass,
        identity: flags.identity,
        leaseName: flags.leaseName,
        leaseDurationMs: flags.leaseDuration,
        renewDeadlineMs: flags.renewDeadline,
        retryPeriodMs: flags.retryPeriod,
        workers: flags.workers,
        logger: ctx.logger,
        registry: ctx.registry,
        readiness: ctx.readiness,
        shutdown: ctx.shutdown,
        signal: ctx.signal,
      });
    },
  );
}
