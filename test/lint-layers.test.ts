import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

const root = new URL('..', import.meta.url);
const fixture = readFileSync(new URL('test/fixtures/lint/bgp-imports-k8s.ts', root), 'utf8');

async function restrictedImportErrors(filePath: string): Promise<string[]> {
  // The project's own eslint.config.js, with the fixture linted as if it lived at filePath.
  // The probe path is not a real file, so type-aware rules (which need the TS project) are off.
  const eslint = new ESLint({
    cwd: root.pathname,
    overrideConfig: [tseslint.configs.disableTypeChecked],
  });
  const [result] = await eslint.lintText(fixture, { filePath, warnIgnored: true });
  assert.ok(result);
  const fatal = result.messages.filter((m) => m.fatal === true);
  assert.deepEqual(fatal, [], 'the fixture must parse');
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer rules are enforced by lint', () => {
  it('an import of k8s code or the Kubernetes client from src/bgp fails lint', async () => {
    const errors = await restrictedImportErrors('src/bgp/lint-probe.ts');
    assert.equal(errors.length, 2, errors.join('\n'));
    assert.match(errors[0] ?? '', /pure libraries/);
    assert.match(errors[1] ?? '', /never talk to Kubernetes/);
  });

  it('the same from src/ipam fails lint too', async () => {
    assert.equal((await restrictedImportErrors('src/ipam/lint-probe.ts')).length, 2);
  });

  it('the same imports are allowed in src/controller', async () => {
    assert.deepEqual(await restrictedImportErrors('src/controller/lint-probe.ts'), []);
  });
});
