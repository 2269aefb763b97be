import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Compile } from 'typebox/compile';
import { ConfigState } from './config-state.ts';
import { ConfigurationStateStatusSchema } from './schema/status-kinds.ts';
import { NS, pool } from './test-fixtures.ts';

const good = { ipAddressPools: [pool('default', { addresses: ['10.0.0.0/24'] })] };
const better = { ipAddressPools: [pool('default', { addresses: ['10.0.0.0/23'] })] };
const bad = { ipAddressPools: [pool('default', { addresses: ['10.0.0.0/33'] })] };
const statusValidator = Compile(ConfigurationStateStatusSchema);

describe('ConfigState: the last good configuration stays in force', () => {
  it('starts with nothing loaded', () => {
    const state = new ConfigState();
    assert.equal(state.config, undefined);
    assert.equal(state.loaded, false);
    assert.equal(state.stale, false);
    assert.deepEqual(state.status(), {
      result: 'Unknown',
      stale: false,
      errorCount: 0,
      errorSummary: '',
    });
    assert.equal(state.summary(), 'no configuration yet');
  });

  it('an invalid first configuration loads nothing and is not stale', () => {
    const state = new ConfigState();
    const result = state.apply(bad);
    assert.equal(result.ok, false);
    assert.equal(result.config, undefined);
    assert.equal(result.stale, false);
    assert.equal(state.loaded, false);
    assert.equal(state.status().result, 'Invalid');
    assert.equal(
      state.summary(),
      `IPAddressPool ${NS}/default spec.addresses[0]: "10.0.0.0/33": prefix length must be 0-32\nno valid configuration has been loaded yet`,
    );
  });

  it('keeps the last valid configuration when a new one is invalid, and replaces it with the next valid one', () => {
    const state = new ConfigState();
    const first = state.apply(good);
    assert.ok(first.ok);
    assert.equal(state.status().result, 'Valid');

    const rejected = state.apply(bad);
    assert.equal(rejected.ok, false);
    assert.equal(rejected.stale, true);
    assert.equal(rejected.config, first.config, 'the old config object is still the one in force');
    assert.equal(state.config, first.config);
    assert.equal(state.stale, true);
    assert.equal(state.errors.length, 1);
    const status = state.status();
    assert.deepEqual(
      { ...status, errorSummary: undefined },
      { result: 'Invalid', stale: true, errorCount: 1, errorSummary: undefined },
    );
    assert.match(status.errorSummary ?? '', /the last valid configuration stays in force$/);
    assert.ok(statusValidator.Check(status), 'the status fits the ConfigurationState schema');

    const next = state.apply(better);
    assert.ok(next.ok);
    assert.equal(state.config, next.config);
    assert.equal(state.stale, false);
    assert.deepEqual(state.errors, []);
    assert.equal(state.summary(), 'valid');
  });

  it('summarises many errors briefly', () => {
    const state = new ConfigState();
    state.apply({
      ipAddressPools: Array.from({ length: 25 }, (_, i) =>
        pool(`p${String(i).padStart(2, '0')}`, { addresses: ['x'] }),
      ),
    });
    const lines = state.summary().split('\n');
    assert.equal(lines.length, 12);
    assert.equal(lines[10], '... and 15 more');
    assert.equal(state.status().errorCount, 25);
    assert.ok(statusValidator.Check(state.status()));
  });

  it('truncates a huge summary', () => {
    const state = new ConfigState();
    state.apply({ ipAddressPools: [pool('p', { addresses: ['y'.repeat(10_000)] })] });
    assert.equal(state.summary().length, 4096);
    assert.ok(state.summary().endsWith('...'));
  });
});
