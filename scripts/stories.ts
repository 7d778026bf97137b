// `npm run stories`: the client-probe figures of every lifecycle step, in every advertised-listener mode.
import { formatProbe } from '../test/support/probe';
import { lifecycleStory, type Mode } from '../test/support/stories';

async function main(): Promise<void> {
  for (const mode of ['none', 'dynamic-broker-config', 'msk-configuration'] as Mode[]) {
    console.log(`\n=== advertisedListeners: ${mode} ===`);
    for (const f of await lifecycleStory(mode)) {
      console.log(`${f.step}\n    ${formatProbe(f.probe)}  [${f.status}]${f.probe.samples.length ? `\n    e.g. ${f.probe.samples[0]}` : ''}`);
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
