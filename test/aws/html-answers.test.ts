// An endpoint that answers a web page, over real HTTP to the real SDK clients createAwsClients builds:
// the error names the service, the operation, the URL and the variable to set.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { ListNodesCommand } from '@aws-sdk/client-kafka';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAwsClients } from '../../shared/aws/clients';

let server: Server;
let url: string;
const saved = { ...process.env };

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end('<!doctype html><html><body>Not Found</body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(process.env, { AWS_ENDPOINT_URL: url, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' });
});
afterAll(async () => {
  for (const key of ['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  await new Promise((r) => server.close(r));
});

test('MSK (REST-JSON) answered with HTML: the message names MSK, ListNodes, the URL and AWS_ENDPOINT_URL_KAFKA', async () => {
  const { kafka } = createAwsClients('eu-west-1');
  const error = await kafka.send(new ListNodesCommand({ ClusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders/abc' })).then(() => undefined, (e: Error) => e);
  expect(error?.message).toBe(
    `MSK ListNodes at ${url}/v1/clusters/arn%3Aaws%3Akafka%3Aeu-west-1%3A123456789012%3Acluster%2Forders%2Fabc/nodes answered HTML (HTTP 404), not an AWS response: ` +
      'is AWS_ENDPOINT_URL_KAFKA (or AWS_ENDPOINT_URL) set to an endpoint that serves MSK?',
  );
  expect((error as Error & { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(404);
});

test('ELBv2 (query, XML) answered with HTML: named too', async () => {
  const { elbv2 } = createAwsClients('eu-west-1');
  const error = await elbv2.send(new DescribeLoadBalancersCommand({})).then(() => undefined, (e: Error) => e);
  expect(error?.message).toMatch(new RegExp(`^ELBv2 DescribeLoadBalancers at ${url}/ answered HTML \\(HTTP 404\\), not an AWS response: is AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2`));
});
