// What the docs show of the CLI, produced by the CLI itself so it cannot go stale: `plan`, `apply`,
// `check` and `plan` again for a 3-broker cluster in the embedded world (its ids are deterministic),
// at a fixed terminal width, and the IAM policies a CLI user needs for config.example.json.
// `npm run docs:samples` writes them; test/docs/docs.test.ts regenerates and compares.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../cli/main';
import { parseConfig } from '../../shared/config/parse';
import { cliPolicies } from '../../shared/iam/cli-policy';
import { createScenario } from '../../test/support/scenario';

/** A common terminal width: the tables wrap and hide columns as they would there. */
export const SAMPLE_COLUMNS = 120;

/** The directory the samples are written to, relative to the repository root. */
export const SAMPLES_DIR = 'docs/samples';

/** A stage's lease table, as the stack names it (`<service>-<stage>-leases`), for the apply policy. */
const SAMPLE_LEASE = { table: 'msk-custom-domain-sync-dev-leases', region: 'eu-west-1' };

/** File name (under docs/samples) -> content. */
export type Samples = Record<string, string>;

export async function generateDocSamples(root: string): Promise<Samples> {
  return { ...(await cliSamples()), ...(await policySamples(root)) };
}

/** One CLI session against a fresh 3-broker cluster: what a user types and what they see. */
async function cliSamples(): Promise<Samples> {
  const scenario = createScenario({ brokerIds: [1, 2, 3] });
  const dir = await mkdtemp(join(tmpdir(), 'msk-doc-samples-'));
  try {
    // The file a user writes: the required fields only, every other one at its default.
    const { clusterArn, domain, hostedZoneId, loadBalancerArn, certificateArn } = scenario.config;
    const configText = `${JSON.stringify({ clusters: [{ clusterArn, domain, hostedZoneId, loadBalancerArn, certificateArn }] }, null, 2)}\n`;
    const file = join(dir, 'clusters.json');
    await writeFile(file, configText);
    const session = async (command: string): Promise<string> => {
      const lines: string[] = [];
      const code = await runCli([command, '--config', file], {
        clientsFor: () => scenario.clients,
        out: (t) => lines.push(t),
        err: (t) => lines.push(t),
        // Log lines carry timestamps: left out, the command's output and its warnings stay.
        log: { write: () => true },
        columns: SAMPLE_COLUMNS,
        dnsPollSeconds: 0.01,
        clock: scenario.reconcileOptions.clock,
      });
      return `$ npx msk-custom-domain ${command} --config clusters.json\n${lines.join('\n')}\n$ echo $?\n${code}\n`;
    };
    return {
      'clusters.json': configText,
      'plan.txt': await session('plan'),
      'apply.txt': await session('apply'),
      'check.txt': await session('check'),
      'plan-converged.txt': await session('plan'),
    };
  } finally {
    scenario.world.restore();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The CLI user's policies for the example config with a lease table (shared/iam/cli-policy.ts). */
async function policySamples(root: string): Promise<Samples> {
  const example = JSON.parse(await readFile(join(root, 'config.example.json'), 'utf8'));
  const policies = cliPolicies(parseConfig({ ...example, lease: SAMPLE_LEASE }, 'config.example.json'));
  return {
    'cli-policy-plan.json': `${JSON.stringify(policies.plan, null, 2)}\n`,
    'cli-policy-apply.json': `${JSON.stringify(policies.apply, null, 2)}\n`,
  };
}

/**
 * Docs pages that show a sample inline hold it between `<!-- sample: NAME -->` and
 * `<!-- /sample -->`, as a fenced block; returns the page with every such copy brought up to date.
 */
export function withInlineSamples(page: string, samples: Samples): string {
  return page.replace(/(<!-- sample: ([\w.-]+) -->\n)[\s\S]*?(<!-- \/sample -->)/g, (_, open: string, name: string, close: string) => {
    const sample = samples[name];
    if (sample === undefined) throw new Error(`inline sample ${name} is not one of the generated samples (${Object.keys(samples).join(', ')})`);
    const fence = name.endsWith('.json') ? 'json' : 'text';
    return `${open}\`\`\`${fence}\n${sample}\`\`\`\n${close}`;
  });
}

/** The docs pages that may hold inline samples. */
export const PAGES_WITH_SAMPLES = ['docs/operations.md', 'docs/permissions.md', 'docs/configuration.md', 'README.md'];
