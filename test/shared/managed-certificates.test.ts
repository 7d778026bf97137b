import { afterEach, describe, expect, test } from '@jest/globals';
import { checkCluster } from '../../shared/check';
import { formatPlan } from '../../shared/report/plan';
import { brokersFor, createScenario, range, type Scenario, type ScenarioOptions } from '../support/scenario';

// Managed mode (certificateAuthorityArn): the tool keeps ACM private certificates, one per block of
// names, and every listener presents one that covers its own name, through scale-out and scale-in.

let s: Scenario;
afterEach(() => s?.world.restore());

const TAG_MANAGED = 'managed-by';

/** A cluster mapped in managed mode, with an ACTIVE private CA of the world's ACM PCA. */
function managed(options: ScenarioOptions & { caStatus?: 'ACTIVE' | 'DISABLED' } = {}): Scenario & { caArn: string } {
  let caArn = '';
  const sc = createScenario({
    ...options,
    prepare: (world) => {
      caArn = world.acm.addPrivateCa(options.caStatus ?? 'ACTIVE');
      return { certificateArn: undefined, certificateAuthorityArn: caArn, ...options.config };
    },
  });
  return Object.assign(sc, { caArn });
}

/** Certificates the tool requested, by subject. */
function ownCertificates(sc: Scenario) {
  return sc.world.acm
    .arns()
    .filter((arn) => sc.world.acm.tagsOf(arn)[TAG_MANAGED] === 'msk-custom-domain-sync')
    .map((arn) => sc.world.acm.certificate(arn)!);
}

/** Port -> the names of the certificate that listener presents. */
function presented(sc: Scenario): Record<number, string[]> {
  return Object.fromEntries(
    sc.world.elbv2.listeners(sc.lbArn).map((l) => [l.Port!, sc.world.acm.certificate(l.Certificates![0].CertificateArn!)!.SubjectAlternativeNames!]),
  );
}

const host = (label: string) => `${label}.kafka.example.com`;
const block = (from: number, to: number) => range(from, to).map((i) => (i === 0 ? host('bootstrap') : host(`b-${i}`)));

describe('managed certificates, on the world clock', () => {
  test('a fresh cluster of 3: one private certificate for block 0 (bootstrap, b-1..b-9), ISSUED before any listener presents it, tagged as the tool\'s', async () => {
    s = managed();
    const { plan } = await s.reconcile({ apply: false });
    expect(plan.actions.filter((a) => a.type === 'request-certificate')).toEqual([
      expect.objectContaining({ domainName: host('bootstrap'), subjectAlternativeNames: block(1, 9), certificateAuthorityArn: (s as ReturnType<typeof managed>).caArn }),
    ]);
    expect(formatPlan(plan)).toContain('certificate');

    await s.reconcile();
    const [cert, ...more] = ownCertificates(s);
    expect(more).toEqual([]);
    expect(cert.Status).toBe('ISSUED');
    expect(cert.Type).toBe('PRIVATE');
    expect(s.world.acm.tagsOf(cert.CertificateArn!)).toMatchObject({ 'msk-custom-domain:cluster': s.clusterArn, 'msk-custom-domain:role': 'certificate-0' });
    expect(presented(s)).toEqual({ 9000: block(0, 9), 9001: block(0, 9), 9002: block(0, 9), 9003: block(0, 9) });
    // The first CreateListener comes after the certificate was seen ISSUED.
    const calls = s.world.calls.map((c) => c.command);
    expect(calls.indexOf('CreateListenerCommand')).toBeGreaterThan(calls.lastIndexOf('DescribeCertificateCommand', calls.indexOf('CreateListenerCommand')));

    const rows = await checkCluster(s.clients, s.config);
    for (const row of rows) expect(row.checks.find((c) => c.name === 'certificate')).toMatchObject({ ok: true, detail: expect.stringContaining(`covered by ${cert.CertificateArn}`) });

    // Converged: a second run changes nothing.
    s.world.resetCalls();
    const again = await s.reconcile();
    expect(again.plan.actions.filter((a) => a.type !== 'put-alarm')).toEqual([]);
    expect(s.world.writes().filter((c) => c.service === 'acm')).toEqual([]);
  });

  test('scale-out 3 -> 6 needs no new certificate; 6 -> 12 requests block 1 only, and no live listener is touched', async () => {
    s = managed();
    await s.reconcile();
    s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 6)));
    s.world.resetCalls();
    await s.reconcile();
    expect(s.world.writes().filter((c) => c.service === 'acm')).toEqual([]);
    expect(ownCertificates(s)).toHaveLength(1);
    expect(presented(s)[9006]).toEqual(block(0, 9));

    s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 12)));
    s.world.resetCalls();
    await s.reconcile();
    const requests = s.world.writes().filter((c) => c.command === 'RequestCertificateCommand');
    expect(requests.map((c) => (c.input as { DomainName: string }).DomainName)).toEqual([host('b-10')]);
    expect(s.world.writes().filter((c) => c.command === 'ModifyListenerCommand')).toEqual([]);
    const p = presented(s);
    expect(p[9009]).toEqual(block(0, 9));
    expect([p[9010], p[9011], p[9012]]).toEqual([block(10, 19), block(10, 19), block(10, 19)]);
  });

  test('scale-in under delete: a block no listener uses any more is deleted, after its listeners; under keep it stays', async () => {
    s = managed({ brokerIds: range(1, 12) });
    await s.reconcile();
    expect(ownCertificates(s)).toHaveLength(2);
    s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 6)));
    s.world.resetCalls();
    const { plan } = await s.reconcile();
    expect(plan.actions.filter((a) => a.type === 'delete-certificate')).toEqual([expect.objectContaining({ names: block(10, 19) })]);
    const calls = s.world.writes().map((c) => c.command);
    expect(calls.indexOf('DeleteCertificateCommand')).toBeGreaterThan(calls.lastIndexOf('DeleteListenerCommand'));
    expect(ownCertificates(s).map((c) => c.DomainName)).toEqual([host('bootstrap')]);

    s.world.restore();
    s = managed({ brokerIds: range(1, 12), config: { scaleIn: 'keep' } });
    await s.reconcile();
    s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 6)));
    await s.reconcile();
    expect(ownCertificates(s)).toHaveLength(2);
  });

  test('a certificate with the same names but without the tool\'s tags is never used nor deleted', async () => {
    s = managed();
    const foreign = s.world.acm.addCertificate({ domainName: host('b-10'), subjectAlternativeNames: block(11, 19) });
    s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 10)));
    await s.reconcile();
    expect(s.world.acm.certificate(foreign)).toBeDefined();
    expect(presented(s)[9010]).toEqual(block(10, 19));
    expect(s.world.elbv2.listeners(s.lbArn).find((l) => l.Port === 9010)!.Certificates![0].CertificateArn).not.toBe(foreign);
    s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 3)));
    await s.reconcile();
    expect(s.world.acm.certificate(foreign)).toBeDefined();
  });

  test('a disabled CA: apply stops before any other write, naming ACM\'s reason and the fix; enabled, the next run requests again and the one after converges', async () => {
    s = managed({ caStatus: 'DISABLED' });
    await expect(s.reconcile()).rejects.toThrow(/FAILED \(PCA_INVALID_STATE: the private CA is not ACTIVE .*enable it\)/);
    expect(s.world.writes().map((c) => c.command).filter((c) => c !== 'PutMetricAlarmCommand')).toEqual(['RequestCertificateCommand']);
    s.world.acm.setPrivateCaStatus((s as ReturnType<typeof managed>).caArn, 'ACTIVE');
    const { plan } = await s.reconcile();
    expect(plan.conflicts).toEqual([{ resource: 'certificate-0', message: expect.stringMatching(/^ACM could not issue certificate \S+ from \S+ \(PCA_INVALID_STATE: .*\); requested again in this apply/) }]);
    expect(plan.actions.filter((a) => a.type === 'delete-certificate')).toEqual([expect.objectContaining({ reason: 'FAILED (PCA_INVALID_STATE)' })]);
    expect(ownCertificates(s).map((c) => c.Status)).toEqual(['ISSUED']);
    expect(Object.keys(presented(s))).toEqual([]);
    const converged = await s.reconcile();
    expect(converged.plan.conflicts).toEqual([]);
    expect(Object.keys(presented(s))).toEqual(['9000', '9001', '9002', '9003']);
  });

  test('a CA that fails a new block while brokers join: the first run stops, then brokers of the blocks that exist go live while the new block\'s wait, named in a conflict', async () => {
    s = managed();
    await s.reconcile();
    const ca = (s as ReturnType<typeof managed>).caArn;
    s.world.acm.setPrivateCaStatus(ca, 'DISABLED');
    s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 12)));
    await expect(s.reconcile()).rejects.toThrow(/PCA_INVALID_STATE/);
    const second = await s.reconcile();
    expect(second.plan.conflicts).toEqual([{ resource: 'certificate-1', message: expect.stringMatching(/PCA_INVALID_STATE/) }]);
    expect(second.applied?.deferred).toEqual([expect.stringMatching(/^request certificate certificate-1 .*FAILED \(PCA_INVALID_STATE/)]);
    expect(Object.keys(presented(s)).map(Number)).toEqual(range(0, 9).map((i) => 9000 + i));
    s.world.acm.setPrivateCaStatus(ca, 'ACTIVE');
    await s.reconcile();
    await s.reconcile();
    expect(Object.keys(presented(s)).map(Number)).toEqual(range(0, 12).map((i) => 9000 + i));
  });

  test('a layout above the certificates-per-NLB quota is refused in plan before any write, with the number and the ways out', async () => {
    s = managed({ brokerIds: range(1, 6), config: { certificates: { namesPerCertificate: 2, certificatesPerLoadBalancer: 3 } } });
    await expect(s.reconcile()).rejects.toThrow(/would present 4 certificates .*above certificates.certificatesPerLoadBalancer 3 .*raise certificates.namesPerCertificate/);
    expect(s.world.writes()).toEqual([]);
  });

  test('the world enforces ACM\'s names quota: namesPerCertificate above the account\'s quota fails with the fix', async () => {
    s = managed({ config: { certificates: { namesPerCertificate: 20 } } });
    await expect(s.reconcile()).rejects.toThrow(/ACM refused a certificate of 20 names .*lower certificates.namesPerCertificate/);
  });
});

describe('adopting: nothing moves until needed', () => {
  test('listeners behind a fixed SAN certificate keep it when the config switches to managed; a new broker gets a block certificate', async () => {
    s = createScenario({ certificateNames: block(0, 3) });
    await s.reconcile();
    const sanArn = s.config.certificateArn!;
    const caArn = s.world.acm.addPrivateCa();
    const switched = { ...s, config: { ...s.config, certificateArn: undefined, certificateAuthorityArn: caArn } };
    const { reconcileCluster } = await import('../../shared/reconcile');
    s.world.resetCalls();
    const first = await reconcileCluster(s.clients, switched.config, { ...s.reconcileOptions, apply: true });
    expect(first.plan.actions.filter((a) => a.type !== 'put-alarm')).toEqual([]);
    expect(s.world.writes().filter((c) => c.service !== 'cloudwatch')).toEqual([]);

    s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 4)));
    await reconcileCluster(s.clients, switched.config, { ...s.reconcileOptions, apply: true });
    const listeners = s.world.elbv2.listeners(s.lbArn);
    expect(listeners.filter((l) => l.Port! <= 9003).every((l) => l.Certificates![0].CertificateArn === sanArn)).toBe(true);
    expect(presented(s)[9004]).toEqual(block(0, 9));
  });
});

describe('destroy', () => {
  test('removes the tool\'s certificates after its listeners, and leaves a foreign one', async () => {
    s = managed();
    await s.reconcile();
    const foreign = s.world.acm.addCertificate({ domainName: host('bootstrap') });
    const { destroyCluster } = await import('../../shared/reconcile');
    s.world.resetCalls();
    await destroyCluster(s.clients, s.config, { ...s.reconcileOptions, apply: true });
    expect(ownCertificates(s)).toEqual([]);
    expect(s.world.acm.certificate(foreign)).toBeDefined();
    const calls = s.world.writes().map((c) => c.command);
    expect(calls.indexOf('DeleteCertificateCommand')).toBeGreaterThan(calls.lastIndexOf('DeleteListenerCommand'));
  });
});

describe('permissions', () => {
  test('a role without the ACM reads of managed mode: a clear error naming them, before any write', async () => {
    s = managed();
    const { ACMServiceException } = await import('@aws-sdk/client-acm');
    const denied = new ACMServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: {}, message: 'User: arn:aws:sts::123456789012:assumed-role/resync is not authorized to perform: acm:ListCertificates' });
    s.world.faults.add({ command: 'ListCertificatesCommand', error: denied, times: Infinity });
    await expect(s.reconcile()).rejects.toThrow(/managed certificates \(certificateAuthorityArn\) need ACM permissions this role lacks .*acm:ListCertificates.*nothing was changed/);
    expect(s.world.writes()).toEqual([]);
  });
});

/** 12 brokers in managed mode: bootstrap and brokers 1-3 on the scenario's NLB, 4-12 on a second one (returned). */
function managedOnTwoNlbs(config: Record<string, unknown> = {}): string {
  let second = '';
  s = createScenario({
    brokerIds: range(1, 12),
    prepare: (world) => {
      const caArn = world.acm.addPrivateCa('ACTIVE');
      second = world.elbv2.addLoadBalancer({ name: 'msk-orders-2' });
      return { certificateArn: undefined, certificateAuthorityArn: caArn, brokerLoadBalancers: [{ loadBalancerArn: second, firstBrokerId: 4 }], ...config };
    },
  });
  return second;
}

describe('managed certificates on several NLBs (brokerLoadBalancers)', () => {
  test('brokers 1-3 on the first NLB and 4-12 on the second: every listener on either NLB presents a certificate naming its host, and a second run changes nothing', async () => {
    const second = managedOnTwoNlbs();
    await s.reconcile();
    const names = (lb: string) =>
      Object.fromEntries(s.world.elbv2.listeners(lb).map((l) => [l.Port!, s.world.acm.certificate(l.Certificates![0].CertificateArn!)!.SubjectAlternativeNames!]));
    const first = names(s.lbArn);
    const other = names(second);
    expect(Object.keys(first).map(Number)).toEqual([9000, 9001, 9002, 9003]);
    expect(Object.keys(other).map(Number)).toEqual(range(9004, 9012));
    for (const [port, sans] of [...Object.entries(first), ...Object.entries(other)]) {
      const wanted = Number(port) === 9000 ? host('bootstrap') : host(`b-${Number(port) - 9000}`);
      expect(sans).toContain(wanted);
    }
    // Block 0 (bootstrap, b-1..b-9) is presented on both NLBs, block 1 (b-10..b-19) on the second only.
    expect(ownCertificates(s)).toHaveLength(2);
    const { plan } = await s.reconcile({ apply: false });
    expect(plan.actions).toEqual([]);
    expect(plan.conflicts).toEqual([]);
  });
});

test('the certificates-per-NLB quota is counted per NLB, with each broker on the NLB that carries it', async () => {
  // The first NLB presents block 0 only (bootstrap, b-1..b-3); the second blocks 0 and 1 (b-4..b-12).
  managedOnTwoNlbs({ certificates: { certificatesPerLoadBalancer: 1 } });
  const error = await s.reconcile({ apply: false }).then(() => undefined, (e: Error) => e.message);
  expect(error).toMatch(/load balancer msk-orders-2\/\S+ would present 2 certificates/);
  expect(error).not.toMatch(/load balancer msk-orders\/\S+ would present/);
  expect(s.world.writes()).toEqual([]);
});
