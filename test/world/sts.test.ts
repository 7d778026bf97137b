// The world's accounts: the credentials a call is signed with decide which account answers it.
import { afterEach, describe, expect, test } from '@jest/globals';
import { GetHostedZoneCommand, ListHostedZonesCommand, Route53Client } from '@aws-sdk/client-route-53';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { AwsWorld } from './index';

let world: AwsWorld;
afterEach(() => world.restore());

const OTHER = '210987654321';

describe('STS and accounts', () => {
  test("credentials from AssumeRole act in the role's account: its zones are visible to them and to nobody else", async () => {
    world = AwsWorld.install();
    const own = world.route53.addHostedZone({ name: 'home.example.com' });
    const theirs = world.route53.addHostedZone({ name: 'example.com', accountId: OTHER });
    const roleArn = world.sts.addRole({ accountId: OTHER, name: 'dns', externalId: 'ext-1' });

    const sts = new STSClient({ region: world.region });
    const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'test', ExternalId: 'ext-1' }));
    const assumed = { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken };
    const asOther = new Route53Client({ region: world.region, credentials: assumed });
    const asHome = new Route53Client({ region: world.region });

    expect((await new STSClient({ region: world.region, credentials: assumed }).send(new GetCallerIdentityCommand({}))).Account).toBe(OTHER);
    expect((await asOther.send(new ListHostedZonesCommand({}))).HostedZones!.map((z) => z.Id)).toEqual([`/hostedzone/${theirs}`]);
    expect((await asHome.send(new ListHostedZonesCommand({}))).HostedZones!.map((z) => z.Id)).toEqual([`/hostedzone/${own}`]);
    expect((await asOther.send(new GetHostedZoneCommand({ Id: theirs }))).HostedZone!.Name).toBe('example.com.');
    await expect(asHome.send(new GetHostedZoneCommand({ Id: theirs }))).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    await expect(asOther.send(new GetHostedZoneCommand({ Id: own }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  test.each([
    ['a wrong external id', { externalId: 'ext-1' }, 'other'],
    ['no external id where the trust policy requires one', { externalId: 'ext-1' }, undefined],
    ['a caller the trust policy does not name', { trustedPrincipal: 'arn:aws:iam::111122223333:root' }, undefined],
  ])('AssumeRole is refused with AccessDenied for %s', async (_, trust, externalId) => {
    world = AwsWorld.install();
    const roleArn = world.sts.addRole({ accountId: OTHER, name: 'dns', ...trust });
    await expect(new STSClient({ region: world.region }).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'test', ExternalId: externalId })))
      .rejects.toMatchObject({ name: 'AccessDenied', message: `User: ${world.sts.home.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}` });
  });
});
