// MSK over real HTTP, for the moto suite and the sandbox: moto's MSK lacks ListNodes, GetBootstrapBrokers,
// cluster operations and UpdateBrokerCount, so these few REST-JSON routes are served from the embedded world's MSK
// model. The real SDK client talks to it through AWS_ENDPOINT_URL_KAFKA, so its serialisation,
// error parsing and retries run for real.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IdGen, type Env } from '../world/common';
import { MskModel } from '../world/msk';
import { awsTiming } from '../world/aws-timing';

/** Method + path pattern -> SDK command name and how the path fills its input. */
const ROUTES: { method: string; pattern: RegExp; command: string; input: (m: RegExpMatchArray, q: URLSearchParams, body: Record<string, unknown>) => object }[] = [
  { method: 'GET', pattern: /^\/api\/v2\/clusters\/([^/]+)$/, command: 'DescribeClusterV2Command', input: (m) => ({ ClusterArn: m[1] }) },
  {
    method: 'GET', pattern: /^\/v1\/clusters\/([^/]+)\/nodes$/, command: 'ListNodesCommand',
    input: (m, q) => ({ ClusterArn: m[1], MaxResults: q.get('maxResults') ? Number(q.get('maxResults')) : undefined, NextToken: q.get('nextToken') ?? undefined }),
  },
  { method: 'GET', pattern: /^\/v1\/clusters\/([^/]+)\/bootstrap-brokers$/, command: 'GetBootstrapBrokersCommand', input: (m) => ({ ClusterArn: m[1] }) },
  { method: 'GET', pattern: /^\/api\/v2\/operations\/([^/]+)$/, command: 'DescribeClusterOperationV2Command', input: (m) => ({ ClusterOperationArn: m[1] }) },
  { method: 'GET', pattern: /^\/api\/v2\/clusters$/, command: 'ListClustersV2Command', input: (_m, q) => ({ MaxResults: q.get('maxResults') ? Number(q.get('maxResults')) : undefined, NextToken: q.get('nextToken') ?? undefined }) },
  // The sandbox's scale-out: what `aws kafka update-broker-count` sends.
  {
    method: 'PUT', pattern: /^\/v1\/clusters\/([^/]+)\/nodes\/count$/, command: 'UpdateBrokerCountCommand',
    input: (m, _q, body) => ({ ClusterArn: m[1], CurrentVersion: body.currentVersion, TargetNumberOfBrokerNodes: body.targetNumberOfBrokerNodes }),
  },
];

/** The wire names of MSK's REST-JSON protocol: member names with a lower-case first letter; dates as ISO 8601. */
function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => k !== '$metadata').map(([k, v]) => [k[0]!.toLowerCase() + k.slice(1), toWire(v)]));
  }
  return value;
}

export interface MskHttp {
  url: string;
  msk: MskModel;
  region: string;
  /** Requests served, by command. */
  calls: string[];
  stop(): Promise<void>;
}

export async function startMskHttp(region = 'eu-west-1'): Promise<MskHttp> {
  const env: Env = { region, accountId: '123456789012', ids: new IdGen('msk-http'), now: Date.now, timing: awsTiming() };
  const msk = new MskModel(env, ['subnet-0aaa', 'subnet-0bbb', 'subnet-0ccc']);
  msk.operationPolls = 1;
  const calls: string[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    const route = ROUTES.find((r) => r.method === req.method && r.pattern.test(url.pathname));
    const send = (status: number, body: object, errorType?: string) => {
      res.writeHead(status, { 'content-type': 'application/json', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
      res.end(JSON.stringify(body));
    };
    if (!route) return send(404, { message: `the MSK stub serves no ${req.method} ${url.pathname}` }, 'NotFoundException');
    const match = url.pathname.match(route.pattern)!.map((p, i) => (i ? decodeURIComponent(p) : p)) as unknown as RegExpMatchArray;
    calls.push(route.command);
    try {
      send(200, toWire(msk.handlers[route.command]!(route.input(match, url.searchParams, body), { accountId: env.accountId, arn: 'arn:aws:iam::123456789012:root' })) as object);
    } catch (error) {
      const e = error as Error & { $metadata?: { httpStatusCode?: number } };
      send(e.$metadata?.httpStatusCode ?? 500, { message: e.message }, e.name);
    }
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> = {};
      try {
        body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        res.writeHead(400, { 'content-type': 'application/json', 'x-amzn-errortype': 'BadRequestException' });
        res.end(JSON.stringify({ message: 'the request body is not JSON' }));
        return;
      }
      handle(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    msk,
    region,
    calls,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
