#!/usr/bin/env node
// ironlb runs its TypeScript sources directly (Node's type stripping), which needs Node 24.
const [major] = process.versions.node.split('.').map(Number);
if (major === undefined || major < 24) {
  process.stderr.write(
    `ironlb needs Node.js 24 or newer (this is ${process.version}); run it through npm (npx ironlb), which uses the pinned Node from devDependencies.\n`,
  );
  process.exit(1);
}
await import('../src/cli/main.ts');
