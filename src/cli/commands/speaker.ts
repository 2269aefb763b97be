import { InvalidArgumentError, Option, type Command } from 'commander';
import type { LevelWithSilent } from 'pino';
import { describeError } from '../../common/errors.ts';
import { parseDuration } from '../../config/index.ts';
import { startDaemon } from '../../daemon/daemon.ts';
import { createLogger } from '../../daemon/logger.ts';
import { createMetricsRegistry } from '../../daemon/metrics.ts';
import { loadKubeConfig } from '../../k8s/kubeconfig.ts';
import { nodeNameFromEnvironment } from '../../speaker/node-identity.ts';
import { SpeakerDefaults, startSpeaker } from '../../speaker/speaker.ts';
import type { CliIo } from '../program.ts';

export interface SpeakerFlags {
  readonly kubeconfig?: string;
  readonly nodeName?: string;
  readonly namespace: string;
  readonly httpHost: string;
  readonly httpPort: number;
  readonly drainPeriod: number;
  readonly lbClass?: string;
  readonly logLevel: LevelWithSilent;
}

function duration(text: string): number {
  const parsed = parseDuration(text);
  if (!parsed.ok) throw new InvalidArgumentError(parsed.reason);
  return parsed.value;
}

function port(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new InvalidArgumentError('must be a port number 0-65535');
  }
  return value;
}

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

/** `ironlb speaker`: announces this node's Service addresses to its BGP peers. */
export function registerSpeaker(program: Command, _io: CliIo): void {
  program
    .command('speaker')
    .description(
      "Run the speaker of one node: announces the LoadBalancer addresses this node should attract to the node's BGP peers; on SIGTERM drains (RFC 8326), withdraws and exits 0.",
    )
    .option('--kubeconfig <path>', 'kubeconfig file (default: in-cluster, then $KUBECONFIG)')
    .option(
      '--node-name <name>',
      "this node's name, as the Node object and endpoints' nodeName spell it (default: $NODE_NAME; never the hostname)",
    )
    .option(
      '--namespace <namespace>',
      'namespace of the configuration and of the ConfigurationState',
      SpeakerDefaults.namespace,
    )
    .option('--http-host <host>', 'address for /metrics, /healthz, /readyz', '0.0.0.0')
    .option(
      '--http-port <port>',
      'port for /metrics, /healthz, /readyz (0: any)',
      port,
      SpeakerDefaults.httpPort,
    )
    .addOption(
      new Option(
        '--drain-period <duration>',
        'on SIGTERM, how long routes are announced with GRACEFUL_SHUTDOWN before the withdrawal',
      )
        .argParser(duration)
        .default(SpeakerDefaults.drainMs, '5s'),
    )
    .option(
      '--lb-class <class>',
      'serve only Services with this spec.loadBalancerClass (default: only Services without one)',
    )
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
        .default('info'),
    )
    .action(async function (this: Command, flags: SpeakerFlags) {
      let nodeName: string;
      try {
        nodeName = nodeNameFromEnvironment(
          flags.nodeName === undefined ? process.env : { NODE_NAME: flags.nodeName },
        );
      } catch (err) {
        this.error(describeError(err), { exitCode: 2 });
      }
      try {
        await runSpeaker(flags, nodeName);
      } catch (err) {
        this.error(
          `cannot start the speaker: ${err instanceof Error ? err.message : String(err)}${
            err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : ''
          }`,
          { exitCode: 1 },
        );
      }
    });
}
