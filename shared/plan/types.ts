import type { PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import type { ConfigurationTarget } from '../advertised/configuration-plan';
import type { ConfigValue } from '../kafka/dynamic-config';
import type { BrokerEndpoint } from '../kafka/endpoints';
import type { HealthCheck, RecordSet } from '../types';

/** A target group named in a plan: known by ARN, or created earlier in the same apply. */
export interface TargetGroupRef {
  name: string;
  arn?: string;
}

/** A certificate named in a plan: known by ARN, or requested earlier in the same apply (by `name`). */
export interface CertificateRef {
  name: string;
  arn?: string;
}

export interface RecordChange {
  action: 'CREATE' | 'UPSERT' | 'DELETE';
  record: RecordSet;
}

export type Action =
  /** Created, then given `attributes` (CreateTargetGroup takes none). */
  | { type: 'create-target-group'; resource: string; name: string; port: number; vpcId: string; tags: Record<string, string>; attributes: Record<string, string>; healthCheck: HealthCheck }
  | { type: 'set-target-group-health'; resource: string; targetGroup: TargetGroupRef; healthCheck: HealthCheck; reason: string }
  | { type: 'create-listener'; resource: string; loadBalancerArn: string; port: number; certificate: CertificateRef; sslPolicy: string; targetGroup: TargetGroupRef; tags: Record<string, string> }
  | { type: 'modify-listener'; resource: string; listenerArn: string; port: number; certificate: CertificateRef; sslPolicy: string; targetGroup: TargetGroupRef; reason: string }
  /**
   * Managed mode, tagged as the tool's. With `certificateAuthorityArn`: an ACM private certificate (no
   * validation); apply waits (bounded) until it is ISSUED before a listener may present it. With
   * `validation`: an ACM public certificate; apply writes ACM's DNS validation CNAMEs in that zone
   * as soon as ACM lists them, and its listeners wait for later runs (validation takes minutes).
   */
  | {
      type: 'request-certificate';
      resource: string;
      name: string;
      domainName: string;
      subjectAlternativeNames: string[];
      certificateAuthorityArn?: string;
      validation?: { hostedZoneId: string; hostedZoneRole?: { roleArn: string; externalId?: string } };
      idempotencyToken: string;
      tags: Record<string, string>;
      /** The one before FAILED: nothing in this plan presents it, so a failure again is reported, not a stop. */
      retry?: true;
    }
  /** A certificate of ours requested by an earlier run and not ISSUED yet: waited for (bounded) before listeners present it. */
  | { type: 'await-certificate'; resource: string; certificate: Required<CertificateRef> }
  /** One of ours that no listener presents any more (after this apply's listener changes): deleted, last. */
  | { type: 'delete-certificate'; resource: string; arn: string; names: string[]; reason: string }
  | { type: 'set-target-group-attributes'; resource: string; targetGroup: TargetGroupRef; attributes: Record<string, string>; reason: string }
  /** `outsideVpc`: those of `ips` outside the load balancer's VPC, registered with AvailabilityZone `all`. */
  | { type: 'register-targets'; resource: string; targetGroup: TargetGroupRef; ips: string[]; port: number; outsideVpc: string[] }
  | { type: 'deregister-targets'; resource: string; targetGroupArn: string; targets: { ip: string; port: number }[] }
    /** `hostedZoneRole`: the zone is in another account, written with that role's credentials. */
  | {
      type: 'change-records';
      resource: string;
      hostedZoneId: string;
      hostedZoneRole?: { roleArn: string; externalId?: string };
      changes: RecordChange[];
      /** New names that go live only after the apply's health gate passed (plan/names-behind-health.ts). */
      afterHealth?: boolean;
      /** Old names in a zone the config no longer names: removed once the new names are live and advertised. */
      cleanup?: boolean;
    }
  /** The tool's ingress rule in the NLB's security group: added, or changed in place to the wanted port range and source. */
  | { type: 'authorize-ingress'; resource: string; groupId: string; fromPort: number; toPort: number; source: string; tags: Record<string, string> }
  | { type: 'modify-ingress'; resource: string; groupId: string; ruleId: string; fromPort: number; toPort: number; source: string; was: { fromPort: number; toPort: number; source: string } }
  | { type: 'revoke-ingress'; resource: string; groupId: string; ruleIds: string[]; reason: string }
  /** Waits (bounded) until each target is healthy; the advertised-name switch after it only runs then. */
  | { type: 'await-target-health'; resource: string; targets: { resource: string; targetGroup: TargetGroupRef; ip: string }[] }
  /** Re-reads and checks the whole data path (shared/check) before the first custom.advertised.listeners rollout. */
  | { type: 'verify-data-path'; resource: string }
  /** A move's old listener, its name switched: tagged with the time (TAG_RETIRED_AT), deleted once cached answers have expired (plan/moves.ts). `''` clears a time left from an earlier move. */
  | { type: 'retire-listener'; resource: string; listenerArn: string; port: number; retiredAt: string }
  | { type: 'delete-listener'; resource: string; listenerArn: string; port: number }
  | { type: 'delete-target-group'; resource: string; arn: string; name: string }
  | { type: 'put-alarm'; resource: string; alarm: PutMetricAlarmCommandInput; reason: 'create' | 'update' }
  | { type: 'delete-alarms'; resource: string; names: string[] }
  | { type: 'alter-broker-configs'; resource: string; endpoint: BrokerEndpoint; configs: ConfigValue[]; before: string; after: string; purpose: 'advertise' | 'remove-override' }
  /**
   * A revision with `serverProperties` where `target` says (the cluster's own configuration, the
   * tool's dedicated one, or an existing revision), then UpdateClusterConfiguration: a rolling
   * restart. `before`/`after`: custom.advertised.listeners. `description` marks the revision as the tool's.
   */
  | { type: 'update-msk-configuration'; resource: string; serverProperties: string; before?: string; after?: string; target: ConfigurationTarget; description: string };

export type ActionType = Action['type'];

/** Something the tool wants but may not touch: reported, never overwritten. */
export interface Conflict {
  resource: string;
  message: string;
}

export interface Plan {
  clusterArn: string;
  clusterName: string;
  /** `waiting`: the cluster is not ACTIVE; the actions are the additions safe meanwhile (the rest follows once it is). */
  status: 'ready' | 'waiting';
  waitingReason?: string;
  actions: Action[];
  conflicts: Conflict[];
  warnings: string[];
  /** Changes held back by a guard (a rolling restart not allowed): shown loudly, not applied. */
  pending: string[];
  /** Keys of endpoints a conflict blocks: brokers keep their current name on those listeners. */
  blocked?: string[];
  /**
   * Endpoints that wait for something AWS finishes on its own (a public certificate's DNS
   * validation), with why: nothing is wrong, a later run (the deployed function follows up) goes on.
   */
  awaiting?: string[];
}
