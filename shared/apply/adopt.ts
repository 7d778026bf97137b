import { AddTagsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { zoneClient, type AwsClients } from '../aws/clients';
import type { ClusterConfig } from '../config/schema';
import { desiredState } from '../desired';
import { resolveCluster } from '../listeners';
import { observe, type KafkaAccessOptions } from '../observe';
import { planAdoption, type AdoptionPlan, type AdoptOptions, type AdoptStep } from '../plan/adopt';
import { changeRecords, DEFAULT_DNS_WAIT, type DnsWaitOptions } from './route53';

export interface AdoptRunOptions extends AdoptOptions {
  apply: boolean;
  kafkaAccess?: KafkaAccessOptions;
  dnsWait?: DnsWaitOptions;
}

export interface AdoptOutcome {
  plan: AdoptionPlan;
  /** The steps made (apply only), in order. */
  done: AdoptStep[];
}

/**
 * Reads the cluster as every run does, plans the adoption, and with `apply` makes it: ELBv2
 * AddTags on each listener and target group, then a Route 53 CREATE of each registry TXT (refused
 * if someone wrote one meanwhile). Nothing a client uses is touched.
 */
export async function adoptCluster(clients: AwsClients, clusterConfig: ClusterConfig, options: AdoptRunOptions): Promise<AdoptOutcome> {
  const config = resolveCluster(clusterConfig);
  const observed = await observe(clients, config, options.kafkaAccess);
  const plan = planAdoption(desiredState(config, observed), observed, options);
  const done: AdoptStep[] = [];
  if (!options.apply) return { plan, done };
  for (const step of plan.steps) {
    if (step.type === 'adopt-record') continue;
    const arn = step.type === 'adopt-listener' ? step.listenerArn : step.arn;
    await clients.elbv2.send(new AddTagsCommand({ ResourceArns: [arn], Tags: Object.entries(step.tags).map(([Key, Value]) => ({ Key, Value })) }));
    done.push(step);
  }
  const records = plan.steps.filter((s): s is Extract<AdoptStep, { type: 'adopt-record' }> => s.type === 'adopt-record');
  for (const hostedZoneId of [...new Set(records.map((r) => r.hostedZoneId))]) {
    const inZone = records.filter((r) => r.hostedZoneId === hostedZoneId);
    const route53 = zoneClient(clients, inZone[0].hostedZoneRole);
    await changeRecords(route53, hostedZoneId, plan.clusterArn, inZone.map((r) => ({ action: 'CREATE' as const, record: r.registry })), options.dnsWait ?? DEFAULT_DNS_WAIT);
    done.push(...inZone);
  }
  return { plan, done };
}
