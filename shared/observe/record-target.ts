import { DescribeVpcEndpointsCommand, DescribeVpcEndpointServiceConfigurationsCommand, type DnsEntry, type EC2Client } from '@aws-sdk/client-ec2';
import type { MappedListener } from '../listeners';
import { ConfigError, errorMessage } from '../errors';
import type { RecordTarget } from '../types';

/**
 * Where the names point when `recordTarget` is set (undefined: the load balancer). Checked before
 * any write: an endpoint read by id must exist, be available, and connect to an endpoint service
 * of this account whose load balancer is the configured one; names would lead elsewhere otherwise.
 */
export async function observeRecordTarget(ec2: EC2Client, listener: Pick<MappedListener, 'recordTarget' | 'recordType' | 'loadBalancerArn'>): Promise<RecordTarget | undefined> {
  const target = listener.recordTarget;
  if (!target) return undefined;
  if (target.vpcEndpointDnsName) {
    if (listener.recordType === 'alias' && !target.hostedZoneId) {
      throw new ConfigError(
        `recordTarget.vpcEndpointDnsName ${target.vpcEndpointDnsName}: an alias record needs the hosted zone id of that DNS entry; ` +
          'add recordTarget.hostedZoneId (HostedZoneId of the entry in describe-vpc-endpoints) or set recordType to cname',
      );
    }
    return { kind: 'vpc-endpoint', dnsName: target.vpcEndpointDnsName, hostedZoneId: target.hostedZoneId };
  }
  const id = target.vpcEndpointId!;
  const where = `recordTarget.vpcEndpointId ${id}`;
  let endpoint;
  try {
    [endpoint] = (await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }))).VpcEndpoints ?? [];
  } catch (error) {
    if ((error as Error).name !== 'InvalidVpcEndpointId.NotFound') throw new Error(`reading ${where}: ${errorMessage(error)}`, { cause: error });
  }
  if (!endpoint) {
    throw new ConfigError(`${where} not found in this account and region: check the id (an endpoint of another account is named by recordTarget.vpcEndpointDnsName)`);
  }
  // The API spells states in lower camel case ("available", "pendingAcceptance"); the SDK enum capitalises them.
  if (endpoint.State?.toLowerCase() !== 'available') {
    throw new ConfigError(`${where} is ${endpoint.State ?? 'in an unknown state'}, not available (an endpoint service may need to accept it): its names would lead nowhere; nothing was changed`);
  }
  const [service] = (await ec2.send(new DescribeVpcEndpointServiceConfigurationsCommand({ Filters: [{ Name: 'service-name', Values: [endpoint.ServiceName ?? ''] }] })))
    .ServiceConfigurations ?? [];
  if (!service) {
    throw new ConfigError(`${where} connects to ${endpoint.ServiceName}, which is not an endpoint service of this account: its names would not reach loadBalancerArn`);
  }
  if (!(service.NetworkLoadBalancerArns ?? []).includes(listener.loadBalancerArn)) {
    throw new ConfigError(
      `${where} connects to ${service.ServiceId}, which fronts ${(service.NetworkLoadBalancerArns ?? []).join(', ') || 'no load balancer'}, not loadBalancerArn ${listener.loadBalancerArn}`,
    );
  }
  const entry = regionalEntry(endpoint.DnsEntries ?? []);
  if (!entry?.DnsName) throw new ConfigError(`${where} has no DNS name yet: try again once it is available`);
  return { kind: 'vpc-endpoint', dnsName: entry.DnsName, hostedZoneId: entry.HostedZoneId };
}

/**
 * The endpoint's regional name (vpce-<id>-<suffix>.vpce-svc-….vpce.amazonaws.com) rather than a
 * zonal one (…-<az>.vpce-svc-…) or a private DNS name: it answers in every AZ of the endpoint.
 * The name shapes follow the EC2 documentation (modelled, unverified against a live endpoint).
 */
function regionalEntry(entries: DnsEntry[]): DnsEntry | undefined {
  return entries.find((e) => /^vpce-[0-9a-f]+-[a-z0-9]+\.vpce-svc-/.test(e.DnsName ?? '')) ?? entries.find((e) => /\.vpce\./.test(e.DnsName ?? '')) ?? entries[0];
}
