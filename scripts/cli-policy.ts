// `npm run cli-policy -- --config clusters.json`: the IAM policies a person running the CLI needs for
// that config (shared/iam/cli-policy.ts), as two JSON documents: "plan" (plan, check, dry runs) and
// "apply" (apply, restore, destroy --yes, adopt --apply).
import { loadConfig } from '../shared/config/load';
import { cliPolicies } from '../shared/iam/cli-policy';

async function main(): Promise<void> {
  const at = process.argv.findIndex((a) => a === '--config' || a === '-c');
  const file = at >= 0 ? process.argv[at + 1] : undefined;
  if (!file) throw new Error('usage: npm run cli-policy -- --config <clusters.json>');
  console.log(JSON.stringify(cliPolicies(await loadConfig(file)), null, 2));
}

main().catch((error) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
