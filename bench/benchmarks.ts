import { allocatorBenchmark } from './allocator-scaling.ts';
import { announceBenchmark } from './announce/benchmark.ts';
import { codecBenchmark } from './codec-throughput.ts';
import type { Benchmark } from './lib/runner.ts';
import { speakerScaleBenchmark } from './speaker-scale.ts';

/**
 * Every benchmark, in the brief's numbering. 3 is a documented slot: it needs
 * the lab, and is listed rather than faked.
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
  speakerScaleBenchmark, // 4
  codecBenchmark, // 5
];
