import { afterEach, describe, expect, test } from '@jest/globals';
import { checkCluster } from '../../shared/check';
import { formatPlan } from '../../shared/report/plan';
import { destroyCluster, reconcileCluster } from '../../shared/reconcile';
import type { Action } from '../../shared/plan/types';
import { brokersFor, createScenario, range, type Scenario, type ScenarioOptions } from '../support/scenario';

// Managed public certificates (certificateValidation: dns): the tool requests ACM public
// certificates, one per block of names, writes ACM's validation CNAMEs in the public zone (owned by
// a registry TXT beside each), and lets endpoints wait across runs until ACM has validated them;
// names already covered are never held back. On the world clock: ACM lists the records seconds after
// the request and validates a name 30 minutes after public DNS answers its CNAME (aws-timing.ts).

let s: Scenario;
afterEach(() => s?.world.restore());

const TAG_MANAGED = 'managed-by';
const host = (label: string) => `${label}.kafka.example.com`;

function publicMode(options: ScenarioOptions = {}): Scenario {
  return createScenario({ ...options, prepare: (world, seeds) => ({ certificateArn: undefined, certificateValidation: 'dns', ...options.prepare?.(world, seeds), ...options.config }) });
}

/** The tool's certificates, by first name. */
function ownCertificates(sc: Scenario) {
  return sc.world.acm
    .arns()
    .filter((arn) => sc.world.acm.tagsOf(arn)[TAG_MANAGED] === 'msk-custom-domain-sync')
    .map((arn) => sc.world.acm.certificate(arn)!)
    .sort((a, b) => slot(a.DomainName!) - slot(b.DomainName!));
}

/** bootstrap is slot 0, b-N slot N. */
const slot = (name: string) => Number(/^b-(\d+)\./.exec(name)?.[1] ?? 0);

/** Records of the zone at `name` (any type). */
function recordsAt(sc: Scenario, name: string) {
  return sc.world.route53.records(sc.zoneId).filter((r) => r.Name === `${name}.` || r.Name === name);
}

/** ACM's validation CNAME of `name` is in the zone, with the tool's registry TXT beside it. */
function validationPublished(sc: Scenario, name: string): boolean {
  const want = sc.world.acm.validationRecord(name);
  const cname = recordsAt(sc, want.Name!.replace(/\.$/, '')).find((r) => r.Type === 'CNAME');
  const registry = recordsAt(sc, `_msk-custom-domain.${want.Name!.replace(/\.$/, '')}`).find((r) => r.Type === 'TXT');
  return cname?.ResourceRecords?.[0]?.Value === want.Value && /resource=acm-validation/.test(registry?.ResourceRecords?.[0]?.Value ?? '');
}

const ports = (sc: Scenario) => sc.world.elbv2.listeners(sc.lbArn).map((l) => l.Port!).sort((a, b) => a - b);
const of = (actions: Action[], type: Action['type']) => actions.filter((a) => a.type === type);

/** Waits out ACM's DNS validation on the world clock. */
async function validationPasses(sc: Scenario): Promise<void> {
  await sc.reconcileOptions.clock!.sleep(sc.world.timing.dnsValidationMs + 60_000);
}

/** Public mode, set up and live: the first run requests and writes the records, the second (once validated) puts everything live. */
async function livePublicMode(options: ScenarioOptions = {}): Promise<Scenario> {
  const sc = publicMode(options);
  await sc.reconcile();
  await validationPasses(sc);
  await sc.reconcile();
  return sc;
}

describe('managed public certificates (certificateValidation: dns), on the world clock', () => {
  test('a fresh cluster of 3: block 0 and a spare block 1 requested, their validation CNAMEs written at once; nothing goes live until ACM validated; then every listener presents a covering certificate', async () => {
    s = publicMode();
    const first = await s.reconcile();
    const requests = of(first.plan.actions, 'request-certificate');
    expect(requests).toEqual([
      expect.objectContaining({ domainName: host('bootstrap'), subjectAlternativeNames: range(1, 9).map((i) => host(`b-${i}`)), validation: { hostedZoneId: s.zoneId } }),
      expect.objectContaining({ domainName: host('b-10'), validation: { hostedZoneId: s.zoneId } }),
    ]);
    expect(requests.every((r) => r.type === 'request-certificate' && r.certificateAuthorityArn === undefined)).toBe(true);
    // Nothing for the endpoints yet: no group, listener or name, and a line saying why, not a conflict.
    expect(of(first.plan.actions, 'create-listener')).toEqual([]);
    expect(of(first.plan.actions, 'create-target-group')).toEqual([]);
    expect(first.plan.conflicts).toEqual([]);
    expect(first.plan.awaiting).toEqual([expect.stringMatching(/^bootstrap, broker-1, broker-2, broker-3: no listener or name until its certificate is ISSUED \(certificate certificate-0 is requested in this apply; ACM validates it through DNS records/)]);
    expect(formatPlan(first.plan)).toContain('AWAITING bootstrap, broker-1');
    expect(formatPlan(first.plan)).toMatch(/public, validated through DNS in /);
    expect(ports(s)).toEqual([]);
    expect(recordsAt(s, host('b-1'))).toEqual([]);
    for (const name of [host('bootstrap'), ...range(1, 19).map((i) => host(`b-${i}`))]) expect([name, validationPublished(s, name)]).toEqual([name, true]);
    const certs = ownCertificates(s);
    expect(certs.map((c) => [c.Type, c.Status])).toEqual([['AMAZON_ISSUED', 'PENDING_VALIDATION'], ['AMAZON_ISSUED', 'PENDING_VALIDATION']]);

    // A run before ACM validated: still waiting, the records already there, nothing requested again.
    const early = await s.reconcile();
    expect(early.plan.actions.filter((a) => a.type !== 'put-alarm')).toEqual([]);
    expect(early.plan.awaiting).toEqual([expect.stringMatching(/^bootstrap, broker-1, broker-2, broker-3: .*PENDING_VALIDATION: its validation records are in the zone; ACM validates within minutes/)]);

    // `check` says what an endpoint waits for: the tool's certificate naming it, and its state.
    const waiting = (await checkCluster(s.clients, s.config)).find((r) => r.endpoint === 'broker-2')!;
    expect(waiting.checks.find((c) => c.name === 'certificate')).toMatchObject({
      ok: false,
      detail: `no listener presents a certificate yet (managed, public, validation dns: the tool's ${certs[0].CertificateArn} names it and is PENDING_VALIDATION)`,
    });

    await validationPasses(s);
    expect(ownCertificates(s).map((c) => c.Status)).toEqual(['ISSUED', 'ISSUED']);
    const live = await s.reconcile();
    expect(live.plan.awaiting).toBeUndefined();
    expect(of(live.plan.actions, 'create-listener').map((a) => a.type === 'create-listener' && a.certificate.arn)).toEqual(Array(4).fill(certs[0].CertificateArn));
    expect(ports(s)).toEqual([9000, 9001, 9002, 9003]);
    for (const row of await checkCluster(s.clients, s.config)) {
      expect(row.checks.find((c) => c.name === 'certificate')).toMatchObject({ ok: true, detail: expect.stringContaining(`covered by ${certs[0].CertificateArn}`) });
    }
    // Converged: nothing more, and the validation records stay (ACM renews only while they are there).
    s.world.resetCalls();
    const again = await s.reconcile();
    expect(again.plan.actions.filter((a) => a.type !== 'put-alarm')).toEqual([]);
    expect(s.world.writes().filter((c) => c.service === 'acm' || c.service === 'route53')).toEqual([]);
    expect(validationPublished(s, host('b-1'))).toBe(true);
  });

  test('scale-out 3 -> 12 lands in the spare block, validated ahead: b-10..b-12 go live in the same run, no live listener is touched, and block 2 becomes the spare', async () => {
    s = await livePublicMode();
    const [block0, block1] = ownCertificates(s);
    s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 12)));
    s.world.resetCalls();
    const out = await s.reconcile();
    expect(out.plan.awaiting).toBeUndefined();
    expect(of(out.plan.actions, 'modify-listener')).toEqual([]);
    expect(of(out.plan.actions, 'create-listener').map((a) => a.type === 'create-listener' && [a.port, a.certificate.arn])).toEqual([
      ...range(4, 9).map((i) => [9000 + i, block0.CertificateArn]),
      ...range(10, 12).map((i) => [9000 + i, block1.CertificateArn]),
    ]);
    expect(of(out.plan.actions, 'request-certificate')).toEqual([expect.objectContaining({ domainName: host('b-20') })]);
    expect(ports(s)).toEqual(range(0, 12).map((i) => 9000 + i));
  });

  test('a scale-out past the spare block: the brokers beyond it wait (no listener, no name), the others go live; a later run finishes once ACM validated', async () => {
    s = await livePublicMode();
    s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 21)));
    const out = await s.reconcile();
    expect(out.plan.awaiting).toEqual([expect.stringMatching(/^broker-20, broker-21: no listener or name until its certificate is ISSUED/)]);
    expect(ports(s)).toEqual(range(0, 19).map((i) => 9000 + i));
    expect(recordsAt(s, host('b-20'))).toEqual([]);
    expect(recordsAt(s, host('b-19')).map((r) => r.Type)).toEqual(['A']);
    await validationPasses(s);
    const later = await s.reconcile();
    expect(later.plan.awaiting).toBeUndefined();
    expect(ports(s)).toEqual(range(0, 21).map((i) => 9000 + i));
  });

  test('scale-in 12 -> 3 under delete: block 1 stays as the spare, block 2 and its validation records go (after their listeners); a foreign CNAME with ACM\'s value is used, never deleted', async () => {
    s = publicMode({ brokerIds: range(1, 12) });
    // A person validated b-25 by hand earlier: the same CNAME ACM asks for, without the tool's registry.
    const handMade = s.world.acm.validationRecord(host('b-25'));
    s.world.route53.addRecord(s.zoneId, { Name: handMade.Name!, Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: handMade.Value! }] });
    await s.reconcile();
    await validationPasses(s);
    await s.reconcile();
    expect(ownCertificates(s).map((c) => [c.DomainName, c.Status])).toEqual([[host('bootstrap'), 'ISSUED'], [host('b-10'), 'ISSUED'], [host('b-20'), 'ISSUED']]);
    expect(validationPublished(s, host('b-25'))).toBe(false); // used as it is: no registry of ours beside it
    s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 3)));
    const out = await s.reconcile();
    const deleted = of(out.plan.actions, 'delete-certificate');
    expect(deleted.map((a) => a.type === 'delete-certificate' && a.names[0])).toEqual([host('b-20')]);
    const done = out.applied!.done.map((a) => a.type);
    expect(done.indexOf('delete-certificate')).toBeGreaterThan(done.lastIndexOf('delete-listener'));
    expect(ownCertificates(s).map((c) => c.DomainName)).toEqual([host('bootstrap'), host('b-10')]);
    for (const i of [20, 21, 29]) expect(recordsAt(s, s.world.acm.validationRecord(host(`b-${i}`)).Name!.replace(/\.$/, ''))).toEqual([]);
    expect(validationPublished(s, host('b-19'))).toBe(true);
    expect(recordsAt(s, handMade.Name!.replace(/\.$/, ''))).toHaveLength(1);
  });

  test('a private hosted zone is refused before any write: ACM validates through public DNS only', async () => {
    s = publicMode({ prepare: (world) => ({ hostedZoneId: world.route53.addHostedZone({ name: 'kafka.example.com', privateZone: true }) }) });
    s.world.resetCalls();
    await expect(s.reconcile()).rejects.toThrow(/certificateValidation: dns needs a public hosted zone, and zone \S+ is private: .*Use certificateAuthorityArn .*nothing was changed/);
    expect(s.world.writes()).toEqual([]);
  });

  test('a CNAME of someone else at a validation name with another value: a conflict naming it, left alone; the other names go on', async () => {
    s = publicMode();
    const record = s.world.acm.validationRecord(host('b-2'));
    s.world.route53.addRecord(s.zoneId, { Name: record.Name!, Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: '_other.acm-validations.aws.' }] });
    const out = await s.reconcile();
    // The records of a certificate requested in this apply are written by apply, which reports the clash and writes the rest.
    expect(out.plan.conflicts).toEqual([]);
    expect(out.applied?.deferred).toEqual([expect.stringMatching(/^record _\w+\.b-2\.kafka\.example\.com\.: .* holds _other\.acm-validations\.aws\./)]);
    const again = await s.reconcile();
    expect(again.plan.conflicts).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/holds _other\.acm-validations\.aws\., not ACM's .*left alone, so ACM cannot validate b-2\.kafka\.example\.com/) }),
    ]);
    expect(recordsAt(s, record.Name!.replace(/\.$/, ''))[0].ResourceRecords).toEqual([{ Value: '_other.acm-validations.aws.' }]);
    expect(validationPublished(s, host('b-3'))).toBe(true);
  });

  test('a certificate ACM refused (FAILED, CAA_ERROR) is not requested again: a conflict names the reason and the fix, its endpoints wait, no follow-up is due', async () => {
    s = publicMode();
    await s.reconcile();
    const [block0] = ownCertificates(s);
    s.world.acm.giveUp(block0.CertificateArn!, 'FAILED', 'CAA_ERROR');
    for (let run = 0; run < 2; run++) {
      const out = await s.reconcile();
      expect(of(out.plan.actions, 'request-certificate')).toEqual([]);
      expect(of(out.plan.actions, 'delete-certificate')).toEqual([]);
      expect(out.plan.conflicts).toEqual([
        { resource: 'certificate-0', message: expect.stringMatching(new RegExp(`^ACM refused certificate ${block0.CertificateArn} .*CAA_ERROR: a CAA record .*amazon\\.com.*delete it \\(aws acm delete-certificate`)) },
      ]);
      expect(out.plan.awaiting).toBeUndefined();
      expect(ports(s)).toEqual([]);
    }
  });

  test('a timed-out certificate is replaced: the replacement is requested and the validation CNAMEs it shares with the old one stay in the zone', async () => {
    s = publicMode();
    await s.reconcile();
    const [block0] = ownCertificates(s);
    s.world.acm.giveUp(block0.CertificateArn!, 'VALIDATION_TIMED_OUT');
    const out = await s.reconcile();
    expect(of(out.plan.actions, 'delete-certificate').map((a) => a.type === 'delete-certificate' && a.arn)).toEqual([block0.CertificateArn]);
    expect(of(out.plan.actions, 'request-certificate').map((a) => a.type === 'request-certificate' && a.domainName)).toEqual([host('bootstrap')]);
    for (const name of [host('bootstrap'), host('b-1'), host('b-9')]) expect([name, validationPublished(s, name)]).toEqual([name, true]);
    await validationPasses(s);
    await s.reconcile();
    expect(ports(s)).toEqual([9000, 9001, 9002, 9003]);
  });

  test('renaming the brokers of a live cluster (brokerHostTemplate): until the new names\' certificate is validated, the listeners keep theirs and the new names are not published', async () => {
    s = await livePublicMode();
    const renamed = { ...s.config, brokerHostTemplate: 'broker-{id}' };
    const out = await reconcileCluster(s.clients, renamed, { ...s.reconcileOptions, apply: true });
    expect(out.plan.awaiting).toEqual([expect.stringMatching(/^broker-1, broker-2, broker-3: no listener or name until its certificate is ISSUED/)]);
    expect(of(out.plan.actions, 'modify-listener')).toEqual([]);
    expect(recordsAt(s, host('broker-1'))).toEqual([]);
    // The live listeners stay as they are, presenting block 0 of the old names.
    expect(ports(s)).toEqual([9000, 9001, 9002, 9003]);
    expect(new Set(s.world.elbv2.listeners(s.lbArn).map((l) => l.Certificates![0].CertificateArn))).toEqual(new Set([ownCertificates(s)[0].CertificateArn]));
    await validationPasses(s);
    await reconcileCluster(s.clients, renamed, { ...s.reconcileOptions, apply: true });
    expect(recordsAt(s, host('broker-1')).map((r) => r.Type)).toEqual(['A']);
    for (const row of await checkCluster(s.clients, renamed)) expect([row.endpoint, row.checks.find((c) => c.name === 'certificate')?.ok]).toEqual([row.endpoint, true]);
    // The old spare (b-10 .. b-19) is still found by its tags, and deleted: nothing presents it.
    expect(ownCertificates(s).map((c) => c.DomainName)).not.toContain(host('b-10'));
    expect(ownCertificates(s).map((c) => c.DomainName)).toContain(host('broker-10'));
  });

  test('destroy deletes the tool\'s certificates and the validation records it wrote', async () => {
    s = await livePublicMode();
    await destroyCluster(s.clients, s.config, { ...s.reconcileOptions, apply: true });
    expect(ownCertificates(s)).toEqual([]);
    expect(s.world.route53.records(s.zoneId).filter((r) => r.Name!.startsWith('_') || r.Name!.includes('._'))).toEqual([]);
  });
});
