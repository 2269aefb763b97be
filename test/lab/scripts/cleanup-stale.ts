/**
 * Removes what crashed labs left behind (namespaces, processes, run directories).
 * Usage: npx node test/lab/scripts/cleanup-stale.ts [PREFIX]
 * Without a prefix: every `ilbXXXX-` lab whose creating process is gone.
 */
import { cleanupStale } from '../cleanup.ts';

const report = await cleanupStale(process.argv[2]);
process.stdout.write(
  `removed ${report.namespaces.length} namespace(s), killed ${report.killedPids.length} process(es), ` +
    `removed ${report.directories.length} run director${report.directories.length === 1 ? 'y' : 'ies'}\n`,
);
for (const ns of report.namespaces) process.stdout.write(`  ${ns}\n`);
