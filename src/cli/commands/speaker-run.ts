import { startSpeaker } from '../../speaker/speaker.ts';
import { startClusterDaemon } from './cluster-daemon.ts';
import type { SpeakerFlags } from './speaker.ts';

export { nodeNameFromEnvironment } from '../../speaker/node-identity.ts';

/** Time for the hooks after the drain: withdrawal, Cease, status cleanup. */
const SHUTDOWN_MARGIN_MS = 15_000;

/** Runs the speaker in the daemon shell until SIGTERM; the function the CLI calls. */
export async function runSpeaker(flags: SpeakerFlags, nodeName: string): Promise<void> {
  await startClusterDaemon(
    'ironlb-speaker',
    flags,
    (ctx, kubeConfig, logger) => {
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
    flags.drainPeriod + SHUTDOWN_MARGIN_MS,
  );
}
