import { startController } from '../../controller/controller.ts';
import { startClusterDaemon } from './cluster-daemon.ts';
import type { ControllerFlags } from './controller.ts';

/** Runs the controller in the daemon shell until SIGTERM; the function the CLI calls. */
export async function runController(flags: ControllerFlags): Promise<void> {
  await startClusterDaemon('ironlb-controller', flags, (ctx, kubeConfig, logger) => {
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
  });
}
