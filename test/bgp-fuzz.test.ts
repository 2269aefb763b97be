import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { checkInput, runFuzz } from './fuzz/fuzz-core.ts';
import type { Crasher } from './fuzz/fuzz-core.ts';

describe('BGP decoder fuzzing (bounded slice; `npm run fuzz` runs 1,000,000)', () => {
  it('20,000 random and mutated messages produce only BgpWireError and stable round trips', () => {
    const stats = runFuzz({ iterations: 20_000, seed: 20240607 });
    assert.deepEqual(
      stats.crashers.map((c) => c.problem.split('\n')[0]),
      [],
    );
    assert.equal(stats.iterations, 20_000);
    // The mutations must reach past the header checks, or the run proves little.
    assert.ok(stats.decoded > 2_000, `only ${stats.decoded} inputs decoded`);
    assert.ok(stats.softErrors > 200, `only ${stats.softErrors} inputs reached RFC 7606 handling`);
  });

  it('every crasher found so far is fixed (regression vectors in test/fuzz/crashers/)', () => {
    const dir = new URL('./fuzz/crashers/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    assert.ok(files.length > 0, 'the checked-in crashers are replayed');
    for (const file of files) {
      const crasher = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as Crasher;
      assert.equal(checkInput(Buffer.from(crasher.hex, 'hex'), crasher.ctx), undefined, file);
    }
  });
});
