import { allocatorBenchmark } from './allocator-scaling.ts';
import { announceBenchmark } from './announce/benchmark.ts';
import { codecBenchmark } from './codec-throughput.ts';
import { convergenceBenchmark } from './convergence.ts';
import type { Benchmark } from './lib/runner.ts';
import { speakerScaleBenchmark } from './speaker-scale.ts';

/** Every benchmark, in the brief's numbering. */
export const benchmarks: readonly Benchmark[] = [
  announceBenchmark, // 1
  allocatorBenchmark, // 2
  convergenceBenchmark, // 3
  speakerScaleBenchmark, // 4
  codecBenchmark, // 5
];
