#!/usr/bin/env -S node --max-semi-space-size=2
// --max-semi-space-size=2 (MiB): V8's young generation otherwise grows to 3 × 16 MiB between
// collections, which is most of a speaker's peak memory at 100k routes (126 → 98 MiB peak RSS,
// docs/performance.md). The deploy manifests pass the same flags in NODE_OPTIONS.
// ironlb runs its TypeScript sources directly (Node's type stripping), which needs Node 24.
const [major] = process.versions.node.split('.').map(Number);
if (major === undefined || major < 24) {
  process.stderr.write(
    `ironlb needs Node.js 24 or newer (this is ${process.version}); run it through npm (npx ironlb), which uses the pinned Node from devDependencies.\n`,
  );
  process.exit(1);
}
// Node's compile cache keeps the type-stripped sources and V8's code cache on disk, so after the
// first run the TypeScript stripper (a WebAssembly module, ~17 MiB resident for the life of the
// process) is never loaded. NODE_COMPILE_CACHE chooses the directory (default: the OS temp dir);
// NODE_DISABLE_COMPILE_CACHE=1 turns it off. A cache that cannot be written only costs memory.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
const { buildProgram } = await import('../src/cli/program.ts');
await buildProgram().parseAsync(process.argv);
