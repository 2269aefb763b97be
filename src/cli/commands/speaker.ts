import { Option, type Command } from 'commander';
import type { LevelWithSilent } from 'pino';
import { describeError } from '../../common/errors.ts';
import { SpeakerDefaults } from '../../speaker/defaults.ts';
import { durationArgument, portArgument } from '../arguments.ts';
import { loadCommand } from '../load-command.ts';
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
      portArgument,
      SpeakerDefaults.httpPort,
    )
    .addOption(
      new Option(
        '--drain-period <duration>',
        'on SIGTERM, how long routes are announced with GRACEFUL_SHUTDOWN before the withdrawal',
      )
        .argParser(durationArgument)
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
      const { nodeNameFromEnvironment, runSpeaker } = await loadCommand(
        () => import('./speaker-run.ts'),
      );
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
