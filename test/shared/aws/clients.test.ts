import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetChangeCommand } from '@aws-sdk/client-route-53';
import { createAwsClients, zoneClient } from '../../../shared/aws/clients';

// No mocks here: real SDK clients send real HTTP to a local server standing in for the endpoints.

interface Seen { host: string; path: string; body: string }

function listen(reply: (req: IncomingMessage, body: string) => [number, string]): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      seen.push({ host: req.headers.host ?? '', path: req.url ?? '', body });
      const [status, text] = reply(req, body);
      res.writeHead(status, { 'content-type': 'text/xml' }).end(text);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen })));
}

const saved = { ...process.env };
let elb: Awaited<ReturnType<typeof listen>>;
let r53: Awaited<ReturnType<typeof listen>>;

beforeAll(async () => {
  elb = await listen(() => [200, '<DescribeLoadBalancersResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><DescribeLoadBalancersResult><LoadBalancers/></DescribeLoadBalancersResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DescribeLoadBalancersResponse>']);
  r53 = await listen(() => [200, '<?xml version="1.0"?><GetChangeResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeInfo><Id>/change/C1</Id><Status>INSYNC</Status><SubmittedAt>2026-11-22T00:00:00Z</SubmittedAt></ChangeInfo></GetChangeResponse>']);
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_ENDPOINT_URL: elb.url, AWS_ENDPOINT_URL_ROUTE_53: r53.url });
  delete process.env.AWS_PROFILE;
});

afterAll(async () => {
  process.env = saved;
  await new Promise((r) => elb.server.close(r));
  await new Promise((r) => r53.server.close(r));
});

describe('AWS clients', () => {
  test('honour AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_<SERVICE>', async () => {
    const clients = createAwsClients('eu-west-1');
    await clients.elbv2.send(new DescribeLoadBalancersCommand({}));
    const change = await clients.route53.send(new GetChangeCommand({ Id: 'C1' }));
    expect(elb.seen).toHaveLength(1);
    expect(elb.seen[0].body).toContain('Action=DescribeLoadBalancers');
    expect(r53.seen[0].path).toBe('/2013-04-01/change/C1');
    expect(change.ChangeInfo?.Status).toBe('INSYNC');
  });

  test("retry throttling with the SDK's own (adaptive) retry strategy", async () => {
    let calls = 0;
    const flaky = await listen(() => {
      calls += 1;
      return calls === 1
        ? [400, '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>1</RequestId></ErrorResponse>']
        : [200, '<DescribeLoadBalancersResponse><DescribeLoadBalancersResult><LoadBalancers/></DescribeLoadBalancersResult></DescribeLoadBalancersResponse>'];
    });
    process.env.AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2 = flaky.url;
    try {
      await createAwsClients('eu-west-1').elbv2.send(new DescribeLoadBalancersCommand({}));
      expect(calls).toBe(2);
    } finally {
      delete process.env.AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2;
      await new Promise((r) => flaky.server.close(r));
    }
  });

  test('a zone of another account: Route 53 calls are signed with the credentials AssumeRole returned, asked for once', async () => {
    const sts = await listen((_, body) => {
      if (!body.includes('ExternalId=ext-1')) {
        return [403, '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:role/fn is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::210987654321:role/dns</Message></Error><RequestId>1</RequestId></ErrorResponse>'];
      }
      const expires = new Date(Date.now() + 3600_000).toISOString();
      return [200, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIAASSUMEDKEY</AccessKeyId><SecretAccessKey>s3cret</SecretAccessKey><SessionToken>session-token-1</SessionToken><Expiration>${expires}</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::210987654321:assumed-role/dns/msk-custom-domain-sync</Arn><AssumedRoleId>AROA1:msk-custom-domain-sync</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>2</RequestId></ResponseMetadata></AssumeRoleResponse>`];
    });
    const headers: Record<string, string | string[] | undefined>[] = [];
    const zone = await listen((req) => {
      headers.push(req.headers);
      return [200, '<?xml version="1.0"?><GetChangeResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeInfo><Id>/change/C1</Id><Status>INSYNC</Status><SubmittedAt>2026-11-22T00:00:00Z</SubmittedAt></ChangeInfo></GetChangeResponse>'];
    });
    Object.assign(process.env, { AWS_ENDPOINT_URL_STS: sts.url, AWS_ENDPOINT_URL_ROUTE_53: zone.url });
    try {
      const clients = createAwsClients('eu-west-1');
      const route53 = zoneClient(clients, { roleArn: 'arn:aws:iam::210987654321:role/dns', externalId: 'ext-1' });
      expect(zoneClient(clients, { roleArn: 'arn:aws:iam::210987654321:role/dns', externalId: 'ext-1' })).toBe(route53);
      expect(zoneClient(clients, undefined)).toBe(clients.route53);
      await route53.send(new GetChangeCommand({ Id: 'C1' }));
      await route53.send(new GetChangeCommand({ Id: 'C1' }));
      expect(sts.seen).toHaveLength(1);
      expect(sts.seen[0].body).toContain('Action=AssumeRole');
      expect(sts.seen[0].body).toContain(`RoleArn=${encodeURIComponent('arn:aws:iam::210987654321:role/dns')}`);
      expect(headers.map((h) => String(h.authorization).match(/Credential=(\w+)\//)?.[1])).toEqual(['ASIAASSUMEDKEY', 'ASIAASSUMEDKEY']);
      expect(headers[0]['x-amz-security-token']).toBe('session-token-1');

      // Refused by the trust policy: a ConfigError that names the role and the external id.
      const denied = zoneClient(createAwsClients('eu-west-1'), { roleArn: 'arn:aws:iam::210987654321:role/dns', externalId: 'wrong' });
      await expect(denied.send(new GetChangeCommand({ Id: 'C1' }))).rejects.toMatchObject({
        name: 'ConfigError',
        message: expect.stringMatching(/^cannot assume arn:aws:iam::210987654321:role\/dns with external id wrong \(hostedZoneRole\): User: .* is not authorized to perform: sts:AssumeRole/),
      });
      expect(headers).toHaveLength(2);
    } finally {
      process.env.AWS_ENDPOINT_URL_ROUTE_53 = r53.url;
      delete process.env.AWS_ENDPOINT_URL_STS;
      await new Promise((r) => sts.server.close(r));
      await new Promise((r) => zone.server.close(r));
    }
  });
});
