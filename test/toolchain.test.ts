import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

describe('toolchain', () => {
  it('runs on Node 24 or newer (the pinned devDependency, not the system Node)', () => {
    const major = Number(process.versions.node.split('.')[0]);
    assert.ok(major >= 24, `expected Node >= 24, got ${process.version}`);
  });
});
