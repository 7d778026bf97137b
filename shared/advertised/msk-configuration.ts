// MSK configurations: what the cluster runs, what else shares it, who wrote which revision, and
// the writes that make a new revision live. Planning (what to write where) is pure, in
// configuration-plan.ts; this file only reads and executes what a plan says.
import {
  ConflictException,
  CreateConfigurationCommand,
  DescribeClusterOperationV2Command,
  DescribeConfigurationCommand,
  DescribeConfigurationRevisionCommand,
  paginateListClusterOperationsV2,
  paginateListClustersV2,
  paginateListConfigurationRevisions,
  paginateListConfigurations,
  UpdateClusterConfigurationCommand,
  UpdateConfigurationCommand,
  type KafkaClient,
} from '@aws-sdk/client-kafka';
import { shortHash } from '../naming';
import type { ObservedCluster } from '../types';
import { pollUntil, type FollowOptions } from '../follow';
import type { ConfigurationTarget } from './configuration-plan';
import { logConfirmed, refusedWith } from '../apply/confirm';
import { configurationCreated, configurationUpdateStarted } from '../apply/confirm-msk';
export type { FollowOptions } from '../follow';

export interface RevisionText {
  revision: number;
  serverProperties: string;
}

export interface ObservedConfiguration {
  /** Absent when the cluster runs on MSK's default configuration. */
  arn?: string;
  name?: string;
  revision?: number;
  /** Of the revision the cluster runs ('' on MSK's defaults). */
  serverProperties: string;
  /** Read only when the configuration must change (observeConfigurationChange): a converged run makes one call. */
  detail?: ConfigurationDetail;
}

/** The configuration's surroundings, read before a change is planned. */
export interface ConfigurationDetail {
  /** Latest revision of the cluster's configuration (may be newer than the one the cluster runs). */
  latest?: RevisionText;
  /** Other provisioned clusters whose current configuration is the cluster's own or the tool's dedicated one, by configuration ARN. */
  usedBy: Record<string, string[]>;
  /** The configuration the tool creates for this cluster (dedicatedConfigurationName), when it exists. */
  dedicated?: { arn: string; name: string; latest: RevisionText };
  /** The newest revision the tool wrote for this cluster, in the cluster's configuration or the dedicated one. */
  lastWrite?: ToolRevision;
}

export interface ToolRevision {
  arn: string;
  name: string;
  revision: number;
  createdAt: string;
  serverProperties: string;
  /** UPDATE_CLUSTER_CONFIGURATION operations on the cluster that started after this revision was written. */
  updatesSince: { operationArn: string; state: string }[];
}

/** Deterministic, so a run after a failed one finds it again (ListConfigurations) instead of hitting ConflictException. */
export function dedicatedConfigurationName(cluster: Pick<ObservedCluster, 'arn' | 'name'>): string {
  return `msk-custom-domain-${cluster.name.slice(0, 64 - 'msk-custom-domain-'.length - 7)}-${shortHash(cluster.arn)}`;
}

/**
 * The Description of every revision the tool writes. MSK keeps all revisions, so this is the
 * tool's memory between runs: which value it set, for which cluster, when (flip-flop detection).
 */
export function revisionDescription(cluster: Pick<ObservedCluster, 'arn' | 'name'>): string {
  return `msk-custom-domain-sync: custom.advertised.listeners for cluster ${cluster.name} (${clusterMark(cluster.arn)})`;
}

const clusterMark = (clusterArn: string) => `id ${shortHash(clusterArn, 12)}`;
/** What versions before per-cluster descriptions wrote. */
const LEGACY_DESCRIPTION = 'msk-custom-domain-sync: custom.advertised.listeners';

export function isToolRevision(description: string | undefined, clusterArn: string): boolean {
  return description === LEGACY_DESCRIPTION || (description?.startsWith('msk-custom-domain-sync:') === true && description.includes(`(${clusterMark(clusterArn)})`));
}

/** `arn:aws:kafka:<region>:<account>:configuration/<name>/<uuid>` -> name. */
export function configurationName(arn: string): string {
  return arn.split(':configuration/')[1]?.split('/')[0] ?? arn;
}

const text = (blob: Uint8Array | undefined) => Buffer.from(blob ?? new Uint8Array()).toString('utf8');

async function revisionText(kafka: KafkaClient, arn: string, revision: number): Promise<string> {
  return text((await kafka.send(new DescribeConfigurationRevisionCommand({ Arn: arn, Revision: revision }))).ServerProperties);
}

/** The revision the cluster runs: all a converged run reads (the detail a change needs: observeConfigurationDetail). */
export async function observeConfiguration(kafka: KafkaClient, cluster: ObservedCluster): Promise<ObservedConfiguration> {
  if (!cluster.configurationArn || cluster.configurationRevision === undefined) return { serverProperties: '' };
  return {
    arn: cluster.configurationArn,
    name: configurationName(cluster.configurationArn),
    revision: cluster.configurationRevision,
    serverProperties: await revisionText(kafka, cluster.configurationArn, cluster.configurationRevision),
  };
}

export async function observeConfigurationDetail(kafka: KafkaClient, cluster: ObservedCluster, current: ObservedConfiguration): Promise<ConfigurationDetail> {
  const dedicatedName = dedicatedConfigurationName(cluster);
  const [latestRevision, dedicatedRef, clusters] = await Promise.all([
    current.arn ? kafka.send(new DescribeConfigurationCommand({ Arn: current.arn })).then((o) => o.LatestRevision?.Revision) : undefined,
    current.name === dedicatedName ? undefined : findConfiguration(kafka, dedicatedName),
    configurationUsers(kafka),
  ]);
  let latest: RevisionText | undefined;
  if (current.arn && latestRevision !== undefined) {
    latest = latestRevision === current.revision
      ? { revision: latestRevision, serverProperties: current.serverProperties }
      : { revision: latestRevision, serverProperties: await revisionText(kafka, current.arn, latestRevision) };
  }
  let dedicated: ConfigurationDetail['dedicated'];
  if (current.name === dedicatedName && current.arn && latest) dedicated = { arn: current.arn, name: dedicatedName, latest };
  else if (dedicatedRef?.revision !== undefined) {
    dedicated = { arn: dedicatedRef.arn, name: dedicatedName, latest: { revision: dedicatedRef.revision, serverProperties: await revisionText(kafka, dedicatedRef.arn, dedicatedRef.revision) } };
  }
  const usedBy: Record<string, string[]> = {};
  for (const arn of [current.arn, dedicated?.arn]) {
    if (arn) usedBy[arn] = clusters.filter((c) => c.configurationArn === arn && c.clusterArn !== cluster.arn).map((c) => c.clusterArn).sort();
  }
  const known = new Map<string, string>();
  if (current.arn && current.revision !== undefined) known.set(`${current.arn}#${current.revision}`, current.serverProperties);
  if (latest && current.arn) known.set(`${current.arn}#${latest.revision}`, latest.serverProperties);
  if (dedicated) known.set(`${dedicated.arn}#${dedicated.latest.revision}`, dedicated.latest.serverProperties);
  const lastWrite = await findLastWrite(kafka, cluster, [...new Set([current.arn, dedicated?.arn].filter((a): a is string => !!a))], known);
  return { latest, usedBy, dedicated, lastWrite };
}

/** ListConfigurations has no name filter: page through the account's configurations in the region. */
async function findConfiguration(kafka: KafkaClient, name: string): Promise<{ arn: string; revision?: number } | undefined> {
  for await (const page of paginateListConfigurations({ client: kafka, pageSize: 100 }, {})) {
    const found = page.Configurations?.find((c) => c.Name === name && c.State !== 'DELETING' && c.State !== 'DELETE_FAILED');
    if (found?.Arn) return { arn: found.Arn, revision: found.LatestRevision?.Revision };
  }
  return undefined;
}

/**
 * Which provisioned clusters run which configuration: ListClustersV2 reports each cluster's
 * CurrentBrokerSoftwareInfo.ConfigurationArn (no API answers "who uses this configuration").
 */
async function configurationUsers(kafka: KafkaClient): Promise<{ clusterArn: string; configurationArn?: string }[]> {
  const out: { clusterArn: string; configurationArn?: string }[] = [];
  for await (const page of paginateListClustersV2({ client: kafka, pageSize: 100 }, { ClusterTypeFilter: 'PROVISIONED' })) {
    for (const c of page.ClusterInfoList ?? []) {
      if (c.ClusterArn) out.push({ clusterArn: c.ClusterArn, configurationArn: c.Provisioned?.CurrentBrokerSoftwareInfo?.ConfigurationArn });
    }
  }
  return out;
}

async function findLastWrite(kafka: KafkaClient, cluster: ObservedCluster, arns: string[], known: Map<string, string>): Promise<ToolRevision | undefined> {
  let newest: { arn: string; revision: number; createdAt: Date } | undefined;
  for (const arn of arns) {
    for await (const page of paginateListConfigurationRevisions({ client: kafka, pageSize: 100 }, { Arn: arn })) {
      for (const r of page.Revisions ?? []) {
        if (r.Revision === undefined || !r.CreationTime || !isToolRevision(r.Description, cluster.arn)) continue;
        if (!newest || r.CreationTime.getTime() > newest.createdAt.getTime()) newest = { arn, revision: r.Revision, createdAt: r.CreationTime };
      }
    }
  }
  if (!newest) return undefined;
  const [serverProperties, updatesSince] = await Promise.all([
    known.get(`${newest.arn}#${newest.revision}`) ?? revisionText(kafka, newest.arn, newest.revision),
    configurationUpdatesSince(kafka, cluster.arn, newest.createdAt),
  ]);
  return { arn: newest.arn, name: configurationName(newest.arn), revision: newest.revision, createdAt: newest.createdAt.toISOString(), serverProperties, updatesSince };
}

/** Configuration updates of the cluster (anyone's) since `since`. The list's order is not relied on. */
async function configurationUpdatesSince(kafka: KafkaClient, clusterArn: string, since: Date): Promise<ToolRevision['updatesSince']> {
  const out: ToolRevision['updatesSince'] = [];
  for await (const page of paginateListClusterOperationsV2({ client: kafka, pageSize: 100 }, { ClusterArn: clusterArn })) {
    for (const op of page.ClusterOperationInfoList ?? []) {
      if (op.OperationType !== 'UPDATE_CLUSTER_CONFIGURATION' || !op.OperationArn || !op.StartTime || op.StartTime.getTime() < since.getTime()) continue;
      out.push({ operationArn: op.OperationArn, state: op.OperationState ?? 'UNKNOWN' });
    }
  }
  return out;
}

export interface OperationOutcome {
  operationArn: string;
  state: string;
  /** Set when the operation had not finished within the follow time. */
  stillRunning?: boolean;
  error?: string;
  /** The configuration revision the cluster was moved to. */
  configuration?: { arn: string; revision: number };
}

export class ConfigurationChangedError extends Error {
  override name = 'ConfigurationChangedError';
}

/**
 * Executes a planned configuration change: writes the revision where the plan says (a revision of
 * the cluster's own configuration, a revision of the tool's dedicated one, a new dedicated one, or
 * none when an existing revision already holds the text), then moves the cluster to it; MSK restarts
 * the brokers one by one. Follows the operation for a while; the next reconcile reports one that outlives this.
 */
export async function applyConfiguration(
  kafka: KafkaClient,
  cluster: ObservedCluster,
  change: { target: ConfigurationTarget; serverProperties: string; description: string },
  follow: FollowOptions,
): Promise<OperationOutcome> {
  const { target } = change;
  const bytes = new TextEncoder().encode(change.serverProperties);
  let ref: { arn: string; revision: number };
  if (target.kind === 'revise') {
    // UpdateConfiguration has no precondition: check here that nobody added a revision since the
    // plan was made, or theirs would silently vanish from "latest".
    const latest = (await kafka.send(new DescribeConfigurationCommand({ Arn: target.arn }))).LatestRevision?.Revision;
    if (latest !== target.baseRevision) {
      throw new ConfigurationChangedError(
        `MSK configuration ${target.name} got revision ${latest} after revision ${target.baseRevision} was read; nothing was written, the next run plans again from the new latest revision`,
      );
    }
    const out = await kafka.send(new UpdateConfigurationCommand({ Arn: target.arn, ServerProperties: bytes, Description: change.description }));
    ref = { arn: out.Arn ?? target.arn, revision: out.LatestRevision!.Revision! };
  } else if (target.kind === 'create') {
    try {
      const out = await kafka.send(
        new CreateConfigurationCommand({ Name: target.name, ServerProperties: bytes, Description: change.description, KafkaVersions: target.kafkaVersions.length ? target.kafkaVersions : undefined }),
      );
      ref = { arn: out.Arn!, revision: out.LatestRevision!.Revision! };
    } catch (error) {
      if (!(error instanceof ConflictException)) throw error;
      // Our own first attempt, whose reply was lost, if the configuration holds exactly what we sent.
      const created = await configurationCreated(kafka, { name: target.name, serverProperties: change.serverProperties, description: change.description });
      if (!created) {
        throw new ConfigurationChangedError(`an MSK configuration named ${target.name} appeared after the configurations were listed; nothing was changed, the next run adds a revision to it`, { cause: error });
      }
      logConfirmed(`create MSK configuration ${target.name}`, error);
      ref = created;
    }
  } else {
    ref = { arn: target.arn, revision: target.revision };
  }
  let operationArn: string;
  try {
    const update = await kafka.send(
      new UpdateClusterConfigurationCommand({ ClusterArn: cluster.arn, ConfigurationInfo: { Arn: ref.arn, Revision: ref.revision }, CurrentVersion: cluster.currentVersion }),
    );
    operationArn = update.ClusterOperationArn!;
  } catch (error) {
    // A retry after a lost reply finds the cluster updating (or at a new version): follow that update if it is to our revision.
    const started = refusedWith(error, 'BadRequestException', 'ConflictException') ? await configurationUpdateStarted(kafka, cluster.arn, ref) : undefined;
    if (!started) throw error;
    logConfirmed(`move cluster ${cluster.name} to ${configurationName(ref.arn)} revision ${ref.revision}`, error);
    operationArn = started;
  }
  return { ...(await followOperation(kafka, operationArn, follow)), configuration: ref };
}

const DONE = new Set(['UPDATE_COMPLETE', 'UPDATE_FAILED', 'FAILED', 'COMPLETED']);

export async function followOperation(kafka: KafkaClient, operationArn: string, follow: FollowOptions): Promise<OperationOutcome> {
  const read = async () => (await kafka.send(new DescribeClusterOperationV2Command({ ClusterOperationArn: operationArn }))).ClusterOperationInfo;
  const { value: info, finished } = await pollUntil(read, (op) => DONE.has(op?.OperationState ?? 'UNKNOWN'), follow);
  const state = info?.OperationState ?? 'UNKNOWN';
  if (!finished) return { operationArn, state, stillRunning: true };
  return { operationArn, state, error: info?.ErrorInfo ? `${info.ErrorInfo.ErrorCode}: ${info.ErrorInfo.ErrorString}` : undefined };
}
