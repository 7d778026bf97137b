import { describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseConfig } from '../../shared/config/parse';
import { alarmsSchema, clusterConfigSchema, configSchema, hostedZoneRoleSchema, listenerConfigSchema, recordTargetSchema } from '../../shared/config/schema';
import { generateDocSamples, PAGES_WITH_SAMPLES, SAMPLES_DIR, withInlineSamples } from '../../scripts/doc-samples/generate';

// The docs a user copies from must keep working: config examples the real parser accepts, a
// reference that names every field of the schema, CLI samples the real CLI prints, links that lead somewhere.

const root = resolve(__dirname, '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** Every fenced block of a language in a page, with the line it starts on. */
function blocks(page: string, language: string): { line: number; text: string }[] {
  const found: { line: number; text: string }[] = [];
  const re = new RegExp('^( *)```' + language + '\\n([\\s\\S]*?)^\\1```', 'gm');
  const text = read(page);
  for (const m of text.matchAll(re)) found.push({ line: text.slice(0, m.index).split('\n').length, text: m[2]! });
  return found;
}

describe('config examples in the docs', () => {
  const examples = pages.flatMap((page) => blocks(page, 'json').map((b) => ({ where: `${page}:${b.line}`, text: b.text })));

  test('there are examples to check', () => {
    expect(examples.filter((e) => e.text.includes('"clusters"')).length).toBeGreaterThanOrEqual(5);
  });

  test.each(examples.map((e) => [e.where, e.text]))('%s is JSON, and a config file the real parser accepts when it holds "clusters"', (where, text) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new Error(`${where}: a json block that is not JSON (${(error as Error).message}); use a complete example, or mark it as text`);
    }
    if (text.includes('"clusters"')) expect(() => parseConfig(value, where)).not.toThrow();
  });
});

describe('the configuration reference', () => {
  const reference = read('docs/configuration.md');
  const shapes = {
    'the file': configSchema.shape,
    'a cluster': clusterConfigSchema.shape,
    'a listener': listenerConfigSchema.shape,
    alarms: alarmsSchema.shape,
    recordTarget: recordTargetSchema.shape,
    hostedZoneRole: hostedZoneRoleSchema.shape,
  };

  test.each(Object.entries(shapes))('names every field of %s', (_, shape) => {
    const missing = Object.keys(shape).filter((field) => !reference.includes(`\`${field}\``));
    expect(missing).toEqual([]);
  });
});

describe('CLI samples', () => {
  test('docs/samples and the copies inlined in the pages are what the CLI prints today (else: npm run docs:samples)', async () => {
    const samples = await generateDocSamples(root);
    const stale = [
      ...Object.entries(samples).filter(([name, text]) => !existsSync(join(root, SAMPLES_DIR, name)) || read(`${SAMPLES_DIR}/${name}`) !== text).map(([name]) => `${SAMPLES_DIR}/${name}`),
      ...PAGES_WITH_SAMPLES.filter((page) => withInlineSamples(read(page), samples) !== read(page)).map((page) => `${page} (inlined samples)`),
    ];
    if (stale.length) throw new Error(`out of date: ${stale.join(', ')}; run npm run docs:samples and commit the result`);
    expect(read('docs/operations.md')).toContain('<!-- sample: plan.txt -->');
  }, 60_000);
});

describe('links between the pages', () => {
  test.each(pages)('every relative link of %s leads to a file of the repository', (page) => {
    const links = [...read(page).matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map((m) => m[1]!).filter((href) => !/^[a-z]+:/.test(href));
    const broken = links.filter((href) => !existsSync(resolve(root, dirname(page), href)));
    expect(broken).toEqual([]);
  });
});

describe('pointers from the code into the docs', () => {
  /** Every `docs/<page>.md "<Heading>"` in the sources of the CLI, the domain and the scripts. */
  function pointers(dir: string): { file: string; page: string; heading: string }[] {
    return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.(ts|js)$/.test(f))
      .flatMap((f) => [...read(`${dir}/${f}`).matchAll(/(docs\/[\w-]+\.md) "([^"]+)"/g)].map((m) => ({ file: `${dir}/${f}`, page: m[1]!, heading: m[2]! })));
  }
  const found = ['cli', 'shared', 'scripts'].flatMap(pointers);

  test('the CLI points at the client settings', () => {
    expect(found).toContainEqual(expect.objectContaining({ file: 'cli/main.ts', page: 'docs/data-path.md', heading: 'Client settings' }));
  });

  test.each(found.map((p) => [`${p.file} -> ${p.page} "${p.heading}"`, p]))('%s is a heading of that page', (_, p) => {
    const { page, heading } = p as { page: string; heading: string };
    expect(existsSync(join(root, page))).toBe(true);
    expect(read(page).split('\n')).toContainEqual(expect.stringMatching(new RegExp(`^#+ ${heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)));
  });
});
