import type { Command } from 'commander';
import type { ExplainReport } from '../../speaker/explain-report.ts';
import { loadCommand } from '../load-command.ts';
import type { CliIo } from '../program.ts';

export interface ExplainOptions {
  namespace: string;
  kubeconfig?: string;
  configNamespace: string;
  output: string;
  node?: string[];
  loadBalancerClass?: string;
}

/**
 * `ironlb explain SERVICE`: for every node, whether its speaker announces each
 * address of the Service and, if not, why; to which peers, with which
 * attributes. Reads the cluster once and runs the speaker's own decision.
 */
export function registerExplain(program: Command, io: CliIo): void {
  program
    .command('explain')
    .description(
      'Explain, node by node, whether the speakers announce a Service and why not, using the same decision the speakers run.',
    )
    .argument('<service>', 'the Service name')
    .option('-n, --namespace <namespace>', 'the Service namespace', 'default')
    .option(
      '--kubeconfig <path>',
      'kubeconfig file (default: in-cluster, $KUBECONFIG, ~/.kube/config)',
    )
    .option(
      '--config-namespace <namespace>',
      'where the ironlb configuration lives',
      'ironlb-system',
    )
    .option('-o, --output <format>', 'table or json', 'table')
    .option('--node <name...>', 'explain only these nodes')
    .option(
      '--load-balancer-class <class>',
      'the loadBalancerClass the speakers serve (default: Services without a class)',
    )
    .showHelpAfterError(false)
    .action(async function (this: Command, name: string, options: ExplainOptions) {
      if (options.output !== 'table' && options.output !== 'json') {
        this.error(`--output must be table or json, not ${options.output}`, { exitCode: 2 });
      }
      const { explainFromCluster, formatExplainReport } = await loadCommand(
        () => import('./explain-run.ts'),
      );
      let report: ExplainReport;
      try {
        report = await explainFromCluster(name, options);
      } catch (err) {
        this.error(err instanceof Error ? err.message : String(err), { exitCode: 1 });
      }
      io.stdout(
        options.output === 'json'
          ? `${JSON.stringify(report, null, 2)}\n`
          : formatExplainReport(report),
      );
    });
}
