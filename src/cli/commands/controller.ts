import { hostname } from 'node:os';
import { Option, type Command } from 'commander';
import type { LevelWithSilent } from 'pino';
import { ControllerDefaults } from '../../controller/defaults.ts';
import { portArgument, positiveDurationArgument, wholeNumberArgument } from '../arguments.ts';
import { loadCommand } from '../load-command.ts';
import type { CliIo } from '../program.ts';

export interface ControllerFlags {
  readonly kubeconfig?: string;
  readonly namespace: string;
  readonly lbClass?: string;
  readonly httpHost: string;
  readonly httpPort: number;
  readonly identity: string;
  readonly leaseName: string;
  readonly leaseDuration: number;
  readonly renewDeadline: number;
  readonly retryPeriod: number;
  readonly logLevel: LevelWithSilent;
  readonly workers: number;
}

/** Why the lease timings cannot work together (client-go's rules), or undefined. */
export function leaseTimingProblem(flags: {
  leaseDuration: number;
  renewDeadline: number;
  retryPeriod: number;
}): string | undefined {
  if (flags.renewDeadline >= flags.leaseDuration) {
    return '--renew-deadline must be shorter than --lease-duration (a leader must give up before anyone else may take over)';
  }
  if (flags.retryPeriod >= flags.renewDeadline) {
    return '--retry-period must be shorter than --renew-deadline (a leader needs several tries to renew)';
  }
  return undefined;
}

/** `ironlb controller`: assigns LoadBalancer Services their addresses. */
export function registerController(program: Command, _io: CliIo): void {
  program
    .command('controller')
    .description(
      'Run the controller: assigns type LoadBalancer Services addresses from IPAddressPools and writes them to their status (one leader among the replicas).',
    )
    .option('--kubeconfig <path>', 'kubeconfig file (default: in-cluster, then $KUBECONFIG)')
    .option(
      '--namespace <namespace>',
      'namespace of the configuration, the Lease and the ConfigurationState',
      ControllerDefaults.namespace,
    )
    .option(
      '--lb-class <class>',
      'serve only Services with this spec.loadBalancerClass (default: only Services without one)',
    )
    .option('--http-host <host>', 'address for /metrics, /healthz, /readyz', '0.0.0.0')
    .option(
      '--http-port <port>',
      'port for /metrics, /healthz, /readyz (0: any)',
      portArgument,
      7472,
    )
    .addOption(
      new Option('--identity <name>', 'this replica in the leader Lease; must be unique').default(
        process.env.POD_NAME ?? hostname(),
        '$POD_NAME, else the hostname',
      ),
    )
    .option(
      '--lease-name <name>',
      'name of the leader-election Lease',
      ControllerDefaults.leaseName,
    )
    .addOption(
      new Option('--lease-duration <duration>', 'how long a lease lasts without renewal')
        .argParser(positiveDurationArgument)
        .default(ControllerDefaults.leaseDurationMs, '15s'),
    )
    .addOption(
      new Option(
        '--renew-deadline <duration>',
        'the leader steps down if it cannot renew for this long',
      )
        .argParser(positiveDurationArgument)
        .default(ControllerDefaults.renewDeadlineMs, '10s'),
    )
    .addOption(
      new Option('--retry-period <duration>', 'how often the lease is renewed or tried')
        .argParser(positiveDurationArgument)
        .default(ControllerDefaults.retryPeriodMs, '2s'),
    )
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
        .default('info'),
    )
    .option(
      '--workers <n>',
      'Services reconciled at once',
      wholeNumberArgument('--workers', 1, 1000),
      8,
    )
    .action(async function (this: Command, flags: ControllerFlags) {
      const problem = leaseTimingProblem(flags);
      if (problem !== undefined) this.error(problem, { exitCode: 2 });
      try {
        const { runController } = await loadCommand(() => import('./controller-run.ts'));
        await runController(flags);
      } catch (err) {
        this.error(
          `cannot start the controller: ${err instanceof Error ? err.message : String(err)}${
            err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : ''
          }`,
          { exitCode: 1 },
        );
      }
    });
}
