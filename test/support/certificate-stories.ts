// Issue 17's story: AWS's sample certificate (bootstrap + b-1..b-3 as SANs) through a scale-out
// 3 -> 6, against the same story with managed certificates. The probe verifies every broker's
// name against the certificate the NLB presents (the test CA issues exactly its ACM names), so a
// name the certificate lacks is a failed connection, counted per broker as a client sees it.
import { createKafkaScenario } from './kafka-scenario';
import type { ProbeFigures } from './probe';
import type { Mode } from './stories';
import { STEP_MS } from './stories';

export type CertificateSetup = 'san-only' | 'san-only, --allow-uncovered-certificate' | 'managed' | 'public (dns)';

export interface CertificateStep {
  step: string;
  probe: ProbeFigures;
  /** Failed connections through b-4..b-6's names (host:port keys of failedBy). */
  newBrokerFailures: number;
  /** Of those, TLS handshakes that refused the certificate. */
  newBrokerTlsFailures: number;
  conflicts: string[];
}

/** AWS's sample: the bootstrap name and brokers 1-3, nothing else. */
export const SAN_ONLY = ['bootstrap.kafka.example.com', 'b-1.kafka.example.com', 'b-2.kafka.example.com', 'b-3.kafka.example.com'];

export async function certificateStory(mode: Mode, setup: CertificateSetup, options: { probeEveryMs?: number } = {}): Promise<CertificateStep[]> {
  const managed = setup === 'managed';
  const publicDns = setup === 'public (dns)';
  const s = await createKafkaScenario({
    brokerIds: [1, 2, 3],
    config: { advertisedListeners: mode, allowRollingRestart: mode === 'msk-configuration' },
    serverProperties: mode === 'msk-configuration' ? 'auto.create.topics.enable=false\n' : undefined,
    world: {
      certificateNames: SAN_ONLY,
      ...(managed ? { prepare: (world) => ({ certificateArn: undefined, certificateAuthorityArn: world.acm.addPrivateCa() }) } : {}),
      ...(publicDns ? { prepare: () => ({ certificateArn: undefined, certificateValidation: 'dns' as const }) } : {}),
    },
  });
  const allowUncoveredCertificate = setup === 'san-only, --allow-uncovered-certificate';
  const steps: CertificateStep[] = [];
  const step = async (name: string, change?: () => Promise<void> | void) => {
    await change?.();
    const { plan } = await s.reconcile({ allowUncoveredCertificate });
    const probe = await s.pass(STEP_MS);
    const through = (by: Record<string, number> = {}) => Object.entries(by).filter(([to]) => /^b-[4-6]\./.test(to)).reduce((n, [, c]) => n + c, 0);
    steps.push({ step: name, probe, newBrokerFailures: through(probe.failedBy), newBrokerTlsFailures: through(probe.tlsFailedBy), conflicts: plan.conflicts.map((c) => `${c.resource}: ${c.message}`) });
  };
  try {
    if (publicDns) {
      // Before clients come: the first run requests the certificates and writes their validation
      // records; nothing goes live until ACM validated them (30 minutes on the world clock).
      await s.reconcile();
      await s.clock.sleep(s.world.timing.dnsValidationMs + 60_000);
    }
    s.startProbe(options.probeEveryMs);
    await step('set-up, 3 brokers');
    await step('steady');
    await step('scale-out requested: MSK announces brokers 4-6', () => s.startScaleOut([4, 5, 6]));
    await step('brokers 4-6 join', () => s.setBrokers([1, 2, 3, 4, 5, 6]));
    await step('scale-out complete', () => s.world.msk.completeOperations(s.clusterArn));
    await step('steady, 6 brokers');
    return steps;
  } finally {
    await s.stop();
  }
}

/** One markdown row per step: failed/connections; failures through b-4..b-6 (of which TLS). */
export function certificateTable(results: { label: string; steps: CertificateStep[] }[]): string {
  const header = `| step (failed / connections; through b-4..b-6 (TLS)) | ${results.map((r) => r.label).join(' | ')} |`;
  const rule = `|---|${results.map(() => '---').join('|')}|`;
  const rows = results[0].steps.map((st, i) => `| ${st.step} | ${results.map((r) => `${r.steps[i].probe.failed}/${r.steps[i].probe.connections}; ${r.steps[i].newBrokerFailures} (${r.steps[i].newBrokerTlsFailures})`).join(' | ')} |`);
  return [header, rule, ...rows].join('\n');
}
