import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { dumpYaml, loadYaml } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { generateFiles } from '../scripts/gen-crds.ts';
import { crdFiles } from '../src/config/crd.ts';

const root = new URL('..', import.meta.url);

/** Parsed through the Kubernetes client's typed model and back: unknown or misplaced keys are lost. */
function roundTripsThroughClientModel(text: string): boolean {
  return isDeepStrictEqual(parse(dumpYaml(loadYaml(text))), parse(text));
}

describe('generated configuration files', () => {
  it('deploy/crds and docs/configuration.md are up to date with the schemas', async () => {
    for (const file of await generateFiles()) {
      const committed = await readFile(new URL(file.path, root), 'utf8').catch(() => '');
      assert.ok(
        committed === file.text,
        `${file.path} is out of date with src/config/schema: run \`npm run gen:crds\` and commit the result`,
      );
    }
  });

  it('every CRD is a CustomResourceDefinition the Kubernetes client model holds without loss', () => {
    for (const file of crdFiles()) {
      assert.ok(roundTripsThroughClientModel(file.text), file.path);
    }
  });

  it('the round trip does notice a misplaced key (the check above can fail)', () => {
    const [file] = crdFiles();
    const broken = file!.text.replace('served: true', 'served: true\n      printerColumns: []');
    assert.notEqual(broken, file!.text);
    assert.equal(roundTripsThroughClientModel(broken), false);
  });
});
