// `npm run docs:samples`: writes docs/samples/* from the real CLI and brings the copies inlined in
// the docs pages up to date (scripts/doc-samples/generate.ts). test/docs/docs.test.ts fails when
// they differ from what this would write.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { quietSdkNodeVersionWarning } from '../cli/node-warning';
import { generateDocSamples, PAGES_WITH_SAMPLES, SAMPLES_DIR, withInlineSamples } from './doc-samples/generate';

async function main(): Promise<void> {
  quietSdkNodeVersionWarning();
  const root = resolve(__dirname, '..');
  const samples = await generateDocSamples(root);
  await mkdir(join(root, SAMPLES_DIR), { recursive: true });
  for (const [name, text] of Object.entries(samples)) {
    await writeFile(join(root, SAMPLES_DIR, name), text);
    console.log(`wrote ${SAMPLES_DIR}/${name}`);
  }
  for (const page of PAGES_WITH_SAMPLES) {
    const path = join(root, page);
    const text = await readFile(path, 'utf8');
    const updated = withInlineSamples(text, samples);
    if (updated !== text) {
      await writeFile(path, updated);
      console.log(`updated the samples inlined in ${page}`);
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
