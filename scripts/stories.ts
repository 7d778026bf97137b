// `npm run stories`: what a Kafka client experiences through the lifecycle on AWS's clock, in
// every advertised-listener mode: per step the probe's figures, and per joining or re-addressed
// broker the time until it is reachable by its name (the controller's share and AWS's).
import { formatProbe } from '../test/support/probe';
import { formatTimeline } from '../test/support/reachability';
import { timedLifecycleStory } from '../test/support/timed-stories';
import type { Mode } from '../test/support/stories';
import { AWS_TIMING } from '../test/world';
import { certificateStory, certificateTable, type CertificateSetup } from '../test/support/certificate-stories';

const MODES: Mode[] = ['none', 'dynamic-broker-config', 'msk-configuration'];
const CERTIFICATE_SETUPS: CertificateSetup[] = ['san-only', 'san-only, --allow-uncovered-certificate', 'managed', 'public (dns)'];

/**
 * `npm run stories -- certificates`: AWS's sample certificate (bootstrap + b-1..b-3) through 3 -> 6,
 * beside managed private and public certificates, per mode: failed connections, and those through
 * b-4..b-6's names (of which TLS handshakes that refused the certificate).
 */
async function certificates(modes: Mode[]): Promise<void> {
  for (const mode of modes) {
    const results = [];
    for (const setup of CERTIFICATE_SETUPS) results.push({ label: setup, steps: await certificateStory(mode, setup) });
    console.log(`\n=== advertisedListeners: ${mode} (failed / connections; through b-4..b-6 (TLS)) ===\n${certificateTable(results)}`);
  }
}

const minutes = (ms: number) => `${(ms / 60_000).toFixed(ms % 60_000 ? 1 : 0)} min`;

async function main(): Promise<void> {
  if (process.argv[2] === 'certificates') return certificates((process.argv[3]?.split(',') ?? MODES) as Mode[]);
  const modes = (process.argv[2]?.split(',') ?? MODES) as Mode[];
  // Each mode at the documented registration time, and msk-configuration (where joining brokers feel it) at the 300 s users report.
  const runs: [Mode, number | undefined][] = [...modes.map((m): [Mode, undefined] => [m, undefined]), ...(modes.includes('msk-configuration') ? [['msk-configuration', 300_000] as [Mode, number]] : [])];
  for (const [mode, registrationDelayMs] of runs) {
    const story = await timedLifecycleStory(mode, registrationDelayMs ? { timing: { registrationDelayMs } } : {});
    console.log(`\n=== advertisedListeners: ${mode}, target registration ${(registrationDelayMs ?? AWS_TIMING.registrationDelayMs) / 1000} s ===`);
    for (const f of story.steps) {
      const runs = f.invocations.map((i) => `${i.reason}${i.status === 'waiting' ? ' (waiting)' : i.status === 'failed' ? ' (FAILED)' : ''}`);
      console.log(`${f.step} [${minutes(f.ms)}]\n    ${formatProbe(f.probe)}\n    controller runs: ${runs.length ? runs.join(', ') : 'none'}${f.probe.samples.length ? `\n    e.g. ${f.probe.samples[0]}` : ''}`);
    }
    console.log('time to reachable:');
    for (const t of story.brokers) console.log(`    ${formatTimeline(t)}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
