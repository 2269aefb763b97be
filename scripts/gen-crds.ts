/**
 * `npm run gen:crds`: writes deploy/crds/*.yaml and the generated field tables
 * of docs/configuration.md from the TypeBox schemas in src/config/schema/.
 * test/generated-config-files.test.ts runs generateFiles() in memory and
 * fails when the committed files differ.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { crdFiles, type GeneratedFile } from '../src/config/crd.ts';
import { referenceTables, replaceGeneratedBlock } from '../src/config/reference-docs.ts';

const root = new URL('..', import.meta.url);
export const CONFIGURATION_DOC = 'docs/configuration.md';

/** Every generated file with its expected content (the docs page keeps its hand-written parts). */
export async function generateFiles(): Promise<GeneratedFile[]> {
  const docUrl = new URL(CONFIGURATION_DOC, root);
  const current = await readFile(docUrl, 'utf8');
  const options = (await resolveConfig(docUrl)) ?? {};
  const doc = await format(replaceGeneratedBlock(current, referenceTables()), {
    ...options,
    filepath: docUrl.pathname,
  });
  return [...crdFiles(), { path: CONFIGURATION_DOC, text: doc }];
}

async function main(): Promise<void> {
  for (const file of await generateFiles()) {
    const url = new URL(file.path, root);
    await mkdir(dirname(url.pathname), { recursive: true });
    await writeFile(url, file.text);
    process.stdout.write(`wrote ${file.path}\n`);
  }
}

if (import.meta.main) await main();
