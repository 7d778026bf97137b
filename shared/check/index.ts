// `check`: a read-only verification of the whole data path per endpoint, from the same reads a
// reconcile makes plus the load balancer's cross-zone attribute and what Kafka metadata
// advertises; with `probe`, a TLS + ApiVersions connection to every name at every address.
import { DescribeLoadBalancerAttributesCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { lookup } from 'node:dns/promises';
import type { AwsClients } from '../aws/clients';
import type { ClusterConfig } from '../config/schema';
import { errorMessage } from '../errors';
import { distinct, loadBalancersOf, resolveCluster } from '../listeners';
import { readAdvertisedEndpoints } from '../kafka/admin';
import { brokerEndpoints } from '../kafka/endpoints';
import { observe, type KafkaAccessOptions } from '../observe';
import { observeCertificate } from '../observe/acm';
import { observeOwnCertificates } from '../observe/certificates';
import { probeApiVersions, type ApiVersionsProbe } from '../probe/api-versions';
import type { ObservedState } from '../state';
import type { Certificate } from '../types';
import { ownedRole } from '../naming';
import { checkDataPath, type EndpointChecks } from './checks';
import { GetBootstrapBrokersCommand } from '@aws-sdk/client-kafka';

export { allPass, checkDataPath, type Check, type CheckName, type EndpointChecks } from './checks';

export interface ProbeOptions {
  /** Every address a name resolves to (default: the system resolver, all addresses). */
  resolveAll?: (host: string) => Promise<string[]>;
  ca?: ApiVersionsProbe['ca'];
  timeoutMs?: number;
}

export interface CheckOptions {
  kafkaAccess?: KafkaAccessOptions;
  /** Also connect to every name (run where the names resolve, e.g. inside the VPC). */
  probe?: boolean | ProbeOptions;
  /** Leave out the advertised-name check (before a rollout, brokers cannot advertise the names yet). */
  skipAdvertised?: boolean;
}

export async function checkCluster(clients: AwsClients, clusterConfig: ClusterConfig, options: CheckOptions = {}): Promise<EndpointChecks[]> {
  const config = resolveCluster(clusterConfig);
  const observed = await observe(clients, config, options.kafkaAccess);
  const listeners = config.mapped;
  const loadBalancerArns = distinct(listeners.flatMap(loadBalancersOf));
  const [certificates, ownCertificates, crossZone, advertised] = await Promise.all([
    readCertificates(clients, listeners.flatMap((l) => (l.certificateArn ? [l.certificateArn] : [])), presentedCertificates(observed)),
    observeOwnCertificates(clients.acm, config),
    Promise.all(loadBalancerArns.map((arn) => loadBalancerCrossZone(clients, arn))),
    config.advertisedListeners === 'none' || options.skipAdvertised ? undefined : readAdvertised(clients, observed, { ...options.kafkaAccess, region: observed.cluster.region }),
  ]);
  const loadBalancerCrossZones = new Map(loadBalancerArns.map((arn, i) => [arn, crossZone[i]]));
  const rows = checkDataPath(config, { ...observed, certificates: [...certificates, ...ownCertificates.filter((c) => !certificates.some((x) => x.arn === c.arn))], ownCertificates }, { loadBalancerCrossZone: loadBalancerCrossZones, advertised }, { skipAdvertised: options.skipAdvertised });
  if (options.probe) await probeRows(rows, options.probe === true ? {} : options.probe);
  return rows;
}

/**
 * The configured certificates (a failed read fails the check) and those the cluster's listeners
 * present instead (a refused switch; read when possible, the row says so when not).
 */
async function readCertificates(clients: AwsClients, configured: string[], presented: string[]): Promise<Certificate[]> {
  const wanted = distinct(configured);
  const others = distinct(presented).filter((arn) => !wanted.includes(arn) && /^arn:aws[a-z-]*:acm:/.test(arn));
  const [mine, theirs] = await Promise.all([
    Promise.all(wanted.map((arn) => observeCertificate(clients.acm, arn))),
    Promise.allSettled(others.map((arn) => observeCertificate(clients.acm, arn))),
  ]);
  return [...mine, ...theirs.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))];
}

function presentedCertificates(observed: ObservedState): string[] {
  return observed.loadBalancers.flatMap((site) => site.listeners.filter((l) => ownedRole(l.tags, observed.cluster.arn)).flatMap((l) => l.certificateArns.slice(0, 1)));
}

async function loadBalancerCrossZone(clients: AwsClients, arn: string): Promise<boolean> {
  const out = await clients.elbv2.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn }));
  return out.Attributes?.find((a) => a.Key === 'load_balancing.cross_zone.enabled')?.Value === 'true';
}

/** Kafka metadata as seen through a broker's AWS endpoint (never the custom names being checked). */
async function readAdvertised(clients: AwsClients, observed: ObservedState, access: Parameters<typeof readAdvertisedEndpoints>[0]) {
  try {
    const bootstrap = await clients.kafka.send(new GetBootstrapBrokersCommand({ ClusterArn: observed.cluster.arn }));
    const [via] = brokerEndpoints(observed.cluster.brokers.filter((b) => b.endpoint), bootstrap.BootstrapBrokerStringSaslIam ?? '', 'iam');
    if (!via) return { error: 'no broker with an AWS endpoint to ask' };
    const seen = await readAdvertisedEndpoints(access, via);
    // Read over the cluster's IAM listener, so Metadata shows the CLIENT_IAM names.
    return { listenerName: 'CLIENT_IAM', brokers: new Map([...seen].map(([id, ep]) => [id, `${ep.host}:${ep.port}`])) };
  } catch (error) {
    return { error: errorMessage(error) };
  }
}

/** Adds a `probe` check to each row: every address of its name answers ApiVersions over verified TLS. */
export async function probeRows(rows: EndpointChecks[], options: ProbeOptions): Promise<void> {
  const resolveAll = options.resolveAll ?? (async (host: string) => (await lookup(host, { all: true })).map((a) => a.address));
  await Promise.all(
    rows.map(async (row) => {
      let addresses: string[];
      try {
        addresses = await resolveAll(row.host);
      } catch (error) {
        row.checks.push({ name: 'probe', ok: false, detail: `${row.host} does not resolve: ${errorMessage(error)}` });
        return;
      }
      const results = await Promise.all(
        addresses.map(async (address) => ({ address, result: await probeApiVersions({ host: address, port: row.port, servername: row.host, ca: options.ca, timeoutMs: options.timeoutMs }) })),
      );
      if (!addresses.length) {
        row.checks.push({ name: 'probe', ok: false, detail: `${row.host} resolves to no address` });
        return;
      }
      const failed = results.filter((r) => !r.result.ok);
      row.checks.push(
        failed.length
          ? { name: 'probe', ok: false, detail: failed.map((f) => `${f.address}: ${f.result.ok ? '' : f.result.error}`).join('; ') }
          : { name: 'probe', ok: true, detail: `ApiVersions answered at ${addresses.join(', ')}` },
      );
    }),
  );
}
