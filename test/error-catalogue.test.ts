import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allCatalogues, describeError, IronlbError } from '../src/common/errors.ts';
import { DaemonErrors } from '../src/daemon/errors.ts';
import { catalogueModules } from './support/catalogue-modules.ts';

describe('error catalogues', () => {
  it('every entry of every catalogue has a key equal to its code, and codes are unique', async () => {
    for (const mod of catalogueModules) await import(mod);
    const seen = new Set<string>();
    assert.ok(
      allCatalogues().size >= catalogueModules.length,
      'every listed module registered a catalogue',
    );
    for (const [name, catalogue] of allCatalogues()) {
      for (const [key, spec] of Object.entries(catalogue)) {
        assert.equal(spec.code, key, `catalogue ${name}: key ${key} has code ${spec.code}`);
        assert.ok(spec.description.length > 0, `${key} needs a description`);
        assert.ok(!seen.has(spec.code), `code ${spec.code} is declared twice`);
        seen.add(spec.code);
      }
    }
  });

  it('wraps causes and describes the chain', () => {
    const err = new IronlbError(DaemonErrors.IRONLB_ERR_HTTP_LISTEN, 'cannot listen', {
      cause: new Error('EADDRINUSE'),
    });
    assert.equal(err.code, 'IRONLB_ERR_HTTP_LISTEN');
    assert.equal(describeError(err), 'IRONLB_ERR_HTTP_LISTEN: cannot listen <- EADDRINUSE');
    assert.equal(describeError('plain'), 'plain');
  });
});
