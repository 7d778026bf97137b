// STS and accounts: who is calling. The world's own credentials (the process environment, as the
// Lambda function has them) belong to its home account; AssumeRole into a role of another account
// hands out credentials whose calls that account answers (Route 53 shows that account's zones).
// Trust is modelled as IAM evaluates it for AssumeRole: the role's trust policy must name the
// caller (its role, or its account) and, when it sets one, the sts:ExternalId condition must match.
import { STSServiceException, type AssumeRoleCommandInput, type AssumeRoleCommandOutput, type GetCallerIdentityCommandOutput } from '@aws-sdk/client-sts';
import { unmodelledError, type Caller, type Env, type Handlers, type Out } from './common';

/** The access key the world puts into the environment: any credentials it did not issue count as these. */
export const HOME_ACCESS_KEY_ID = 'AKIAWORLDHOMEACCOUNT';

export interface RoleSeed {
  accountId: string;
  name: string;
  /** Who may assume it: a role ARN, an account root (arn:aws:iam::<id>:root) or an account id. Default: the home account. */
  trustedPrincipal?: string;
  /** The trust policy's sts:ExternalId condition, if any. */
  externalId?: string;
}

interface Role extends Required<Omit<RoleSeed, 'externalId'>> {
  arn: string;
  externalId?: string;
}

export class StsModel {
  private readonly roles = new Map<string, Role>();
  private readonly issued = new Map<string, Caller>();
  /** The home identity: the deployed function's role. */
  readonly home: Caller;

  constructor(private readonly env: Env) {
    this.home = { accountId: env.accountId, arn: `arn:aws:iam::${env.accountId}:role/msk-custom-domain-resync` };
  }

  readonly handlers: Handlers = {
    AssumeRoleCommand: (i, caller) => this.assumeRole(i, caller),
    GetCallerIdentityCommand: (_i, caller) => this.getCallerIdentity(caller),
  };

  throttle(): Error {
    return unmodelledError(STSServiceException, 'query', 'Throttling', 'Rate exceeded');
  }

  addRole(seed: RoleSeed): string {
    const arn = `arn:aws:iam::${seed.accountId}:role/${seed.name}`;
    this.roles.set(arn, { ...seed, arn, trustedPrincipal: seed.trustedPrincipal ?? `arn:aws:iam::${this.env.accountId}:root` });
    return arn;
  }

  /** The identity behind an access key id. */
  callerOf(accessKeyId: string | undefined): Caller {
    return (accessKeyId && this.issued.get(accessKeyId)) || this.home;
  }

  private assumeRole(input: AssumeRoleCommandInput, caller: Caller): Out<AssumeRoleCommandOutput> {
    const session = input.RoleSessionName ?? '';
    if (!/^[\w+=,.@-]{2,64}$/.test(session)) {
      throw unmodelledError(STSServiceException, 'query', 'ValidationError', `1 validation error detected: Value '${session}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`);
    }
    const role = this.roles.get(input.RoleArn ?? '');
    // IAM gives the same answer for a missing role, an untrusted caller and a wrong external id.
    const trusted = role && [caller.arn, `arn:aws:iam::${caller.accountId}:root`, caller.accountId].includes(role.trustedPrincipal);
    if (!role || !trusted || (role.externalId !== undefined && role.externalId !== input.ExternalId)) {
      throw unmodelledError(STSServiceException, 'query', 'AccessDenied', `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`, 403);
    }
    const { ids } = this.env;
    const accessKeyId = `ASIA${ids.upper(16)}`;
    const assumed = `arn:aws:sts::${role.accountId}:assumed-role/${role.name}/${session}`;
    this.issued.set(accessKeyId, { accountId: role.accountId, arn: assumed });
    return {
      // The SDK judges expiry by the machine's clock, not the world's (which may be virtual): issued on that clock.
      Credentials: { AccessKeyId: accessKeyId, SecretAccessKey: ids.hex(40), SessionToken: `world-${ids.hex(32)}`, Expiration: new Date(Date.now() + (input.DurationSeconds ?? 3600) * 1000) },
      AssumedRoleUser: { Arn: assumed, AssumedRoleId: `AROA${ids.upper(17)}:${session}` },
    };
  }

  private getCallerIdentity(caller: Caller): Out<GetCallerIdentityCommandOutput> {
    return { Account: caller.accountId, Arn: caller.arn, UserId: caller.arn.split('/').pop() };
  }
}
