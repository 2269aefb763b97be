import { allocatorBenchmark } from './allocator-scaling.ts';
import { announceBenchmark } from './announce/benchmark.ts';
import { codecBenchmark } from './codec-throughput.ts';
import type { Benchmark } from './lib/runner.ts';

/**
 * Every benchmark, in the brief's numbering. 3 and 4 are documented slots:
 * they need daemons that do not exist yet, and are listed rather than faked.
 */
export const benchmarks: readonly Benchmark[] = [
  announceBenchmark, // 1
  allocatorBenchmark, // 2
  {
    id: 'convergence', // 3
    title: 'Convergence in the lab (Service change → route on the ToR → traffic)',
    notImplemented:
      'needs the ironlb controller and speaker daemons running in the lab (test/lab); ' +
      'plan: time from a Service/endpoint change to the route appearing in the ToR BIRD and to the ' +
      'first packet reaching a pod, against MetalLB-FRR where available',
    run: () => Promise.resolve(),
  },
  {
    id: 'speaker-scale', // 4
    title: 'Speaker and controller scale (Services × nodes × peers)',
    notImplemented:
      'needs the speaker and controller daemons; plan: 10k Services × 100 peers, CPU and RSS of ' +
      'the speaker, reconciliation time after a controller restart, against the in-memory API server',
    run: () => Promise.resolve(),
  },
  codecBenchmark, // 5
];
