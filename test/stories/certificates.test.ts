import { afterAll, describe, expect, test } from '@jest/globals';
import { certificateStory, certificateTable, type CertificateSetup, type CertificateStep } from '../support/certificate-stories';
import type { Mode } from '../support/stories';

// The failure shown first: AWS's sample certificate (bootstrap + b-1..b-3) through 3 -> 6. With
// item 0 the tool refuses b-4..b-6's listeners; forced through, clients fail TLS on their names.
// Managed certificates, private or public: 0 failures and 0 disconnects on b-4..b-6, in every mode.

const results: { label: string; steps: CertificateStep[] }[] = [];
afterAll(() => {
  // The closing note's table (npx jest test/stories/certificates.test.ts prints it).
  if (results.length) console.log(certificateTable(results));
});

const MODES: Mode[] = ['none', 'dynamic-broker-config', 'msk-configuration'];
const joined = (steps: CertificateStep[]) => steps.slice(3);

describe.each(MODES)('%s mode', (mode) => {
  const run = async (setup: CertificateSetup) => {
    const steps = await certificateStory(mode, setup);
    results.push({ label: `${mode}, ${setup}`, steps });
    return steps;
  };

  test('SAN-only certificate: b-4..b-6 are refused in plan (a conflict naming the names), never put live behind it', async () => {
    const steps = await run('san-only');
    const after = joined(steps);
    expect(after.every((st) => st.conflicts.some((c) => c.includes('does not cover b-4.kafka.example.com, b-5.kafka.example.com, b-6.kafka.example.com')))).toBe(true);
    // Refused listeners have no name: a client of b-4..b-6 (when brokers advertise them) cannot resolve it; never a wrong certificate.
    if (mode === 'none') expect(after.map((st) => st.newBrokerFailures)).toEqual([0, 0, 0]);
  }, 180_000);

  test('SAN-only certificate with --allow-uncovered-certificate: what clients of b-4..b-6 get', async () => {
    const steps = await run('san-only, --allow-uncovered-certificate');
    const tls = joined(steps).reduce((n, st) => n + st.newBrokerTlsFailures, 0);
    // In `none` mode clients reach brokers by their AWS names: b-4..b-6's custom names are never used.
    if (mode === 'none') expect(tls).toBe(0);
    else expect(tls).toBeGreaterThan(0);
  }, 180_000);

  test.each<[string, CertificateSetup]>([
    ['private certificates from a CA (certificateAuthorityArn)', 'managed'],
    ['public certificates validated through DNS (certificateValidation: dns; ACM validated block 0 before the story)', 'public (dns)'],
  ])('managed %s: 0 TLS failures through b-4..b-6, and 0 failures at all once the scale-out completed', async (_, setup) => {
    const steps = await run(setup);
    expect(steps.flatMap((st) => st.conflicts)).toEqual([]);
    expect(steps.map((st) => st.newBrokerTlsFailures)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(joined(steps).slice(1).map((st) => st.probe.failed)).toEqual([0, 0]);
    // msk-configuration publishes joining brokers' names at once: while AWS registers their targets,
    // connections to them are reset (the known joining outage, client-continuity.test.ts), never refused by TLS.
    if (mode !== 'msk-configuration') expect(joined(steps).map((st) => st.newBrokerFailures)).toEqual([0, 0, 0]);
  }, 180_000);
});
