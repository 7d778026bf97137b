// What the CLI tests share: a config file in a test's folder, one CLI run against a scenario's
// world with its output captured, and the deps a fake-Kafka scenario needs.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, type CliDeps } from '../../cli/main';
import type { KafkaScenario } from '../support/kafka-scenario';
import type { Scenario } from '../support/scenario';

/** Writes `{ clusters }` as JSON (the format serverless.yml passes on too) into `dir` and returns its path. */
export async function writeConfig(dir: string, clusters: unknown[], name = 'config.json'): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, JSON.stringify({ clusters }, null, 2));
  return file;
}

export interface Run {
  code: number;
  out: string;
  err: string;
}

/** One CLI invocation with captured output; clients come from the scenario's world. */
export async function cli(argv: string[], scenario: Scenario, extra: Partial<CliDeps> = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    clientsFor: () => scenario.clients,
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    dnsPollSeconds: 0.01,
    // The world's clock: a health gate waits AWS's registration time in world time, not for real.
    clock: scenario.reconcileOptions.clock,
    ...extra,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Deps for a scenario with a fake Kafka cluster: follow a rolling restart quickly, reach brokers over TLS. */
export const kafkaDeps = (scenario: KafkaScenario): Partial<CliDeps> => ({
  kafkaAccess: scenario.reconcileOptions.kafkaAccess,
  clock: scenario.clock,
  follow: { pollSeconds: 0.01, maxSeconds: 5 },
  dnsPollSeconds: 0.01,
});
