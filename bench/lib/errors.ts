import { defineCatalogue } from '../../src/common/errors.ts';

/** Errors the benchmarks raise on purpose (developer tooling; shown in results as failure reasons). */
export const BenchErrors = defineCatalogue('bench', {
  IRONLB_ERR_BENCH_OPTIONS: {
    code: 'IRONLB_ERR_BENCH_OPTIONS',
    description: 'A benchmark command-line flag is unknown or out of range.',
  },
  IRONLB_ERR_BENCH_PROCESS: {
    code: 'IRONLB_ERR_BENCH_PROCESS',
    description:
      'A process a benchmark started (peer daemon, contender child) failed or exited early.',
  },
  IRONLB_ERR_BENCH_TIMEOUT: {
    code: 'IRONLB_ERR_BENCH_TIMEOUT',
    description: 'A bounded wait in a benchmark (session up, routes counted, reply) ran out.',
  },
  IRONLB_ERR_BENCH_CONTROL: {
    code: 'IRONLB_ERR_BENCH_CONTROL',
    description:
      "A peer's control interface (BIRD socket, GoBGP gRPC) refused a command or replied unexpectedly.",
  },
  IRONLB_ERR_BENCH_PEER: {
    code: 'IRONLB_ERR_BENCH_PEER',
    description: 'A BGP peer in a benchmark closed the session or sent a NOTIFICATION.',
  },
});
