import { parseClusterArn } from '../arn';
import type { Config } from '../config/schema';
import { loadBalancersOf, resolveCluster } from '../listeners';
import type { PolicyDocument } from './pack';
import { elbBase, listenersOf, resyncStatements, type Statement } from './policy';

// The IAM policy of a person who runs the CLI, derived from the resync role's statements (the CLI
// runs the same reconcile) so the two cannot drift apart: `plan` and `check` need the reads of it,
// `apply`, `restore`, `destroy` and `adopt --apply` the whole of it, plus the lease and adopt's tags.

/** Actions the reconcile needs to read, though their names do not say Describe/Get/List. */
const READS_TOO = new Set([
  // The admin connection that reads what brokers advertise (check, plan in the advertising modes).
  'kafka-cluster:Connect',
  // A hosted zone of another account is read with that role's credentials too.
  'sts:AssumeRole',
]);

/** Statements only the deployed function needs: its own log group (the CLI logs to stderr). */
const LAMBDA_ONLY_SIDS = new Set(['OwnLogGroup']);

const isRead = (action: string) => READS_TOO.has(action) || /:(Describe|Get|List)/.test(action);

export interface CliPolicies {
  /** `plan`, `check`, `adopt` (dry run), `restore --dry-run`, `destroy` without --yes: reads only. */
  plan: PolicyDocument;
  /** `apply`, `restore`, `destroy --yes`, `adopt --apply`: the reads and the writes. */
  apply: PolicyDocument;
}

export function cliPolicies(config: Config): CliPolicies {
  const statements = resyncStatements(config, { logGroupArn: '' }).filter((s) => !LAMBDA_ONLY_SIDS.has(s.Sid));
  const reads = statements.flatMap((s) => {
    const actions = s.Action.filter(isRead);
    return actions.length ? [{ ...s, Action: actions }] : [];
  });
  return {
    plan: { Version: '2012-10-17', Statement: reads },
    apply: { Version: '2012-10-17', Statement: [...statements, ...leaseStatements(config), ...adoptStatements(config)] },
  };
}

/**
 * With `lease` in the config, apply, restore and destroy take the cluster's lease in the stack's
 * table (shared/lease/dynamodb.ts). The stack runs in the clusters' account: the first one's.
 */
function leaseStatements(config: Config): Statement[] {
  if (!config.lease) return [];
  const { partition, accountId } = parseClusterArn(config.clusters[0].clusterArn);
  return [{
    Sid: 'ClusterLease',
    Effect: 'Allow',
    Action: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:DeleteItem'],
    Resource: [`arn:${partition}:dynamodb:${config.lease.region}:${accountId}:table/${config.lease.table}`],
  }];
}

/**
 * `adopt --apply` tags listeners and target groups someone else made (shared/apply/adopt.ts), so
 * outside a create request and on target groups of any name: the function's role has neither.
 */
function adoptStatements(config: Config): Statement[] {
  const loadBalancers = [...new Set(config.clusters.flatMap((c) => resolveCluster(c).mapped.flatMap(loadBalancersOf)))];
  return [{
    Sid: 'AdoptTagExisting',
    Effect: 'Allow',
    Action: ['elasticloadbalancing:AddTags'],
    Resource: [...new Set(loadBalancers.flatMap((arn) => [listenersOf(arn), `${elbBase(arn)}:targetgroup/*`]))],
  }];
}
