// `npm run sandbox`: an AWS account on loopback to try the CLI in. moto (an independent emulator)
// serves EC2, ELBv2, Route 53, ACM and CloudWatch; test/integration/msk-http.ts serves MSK (moto's
// lacks ListNodes and GetBootstrapBrokers). Seeded with one cluster's world, it writes a ready
// clusters.json and prints the env to export, then runs until Ctrl-C. `--exit-after-seed` stops at once.
import { ACMClient, ImportCertificateCommand } from '@aws-sdk/client-acm';
import { DescribeClusterV2Command, KafkaClient, ListClustersV2Command, UpdateBrokerCountCommand } from '@aws-sdk/client-kafka';
import { AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateLoadBalancerCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMoto, type Moto } from '../test/integration/moto';
import { startMskHttp, type MskHttp } from '../test/integration/msk-http';
import { testCa } from '../test/world/network';
import { quietSdkNodeVersionWarning } from '../cli/node-warning';

export const SANDBOX_REGION = 'eu-west-1';
export const SANDBOX_DOMAIN = 'kafka.example.com';
/** moto takes any static credentials; these are the values its own docs use. */
const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

export interface Sandbox {
  /** The directory holding clusters.json (a fresh temporary one unless given). */
  dir: string;
  configFile: string;
  clusterArn: string;
  /** What to export so the SDK (and so the CLI) talks to the sandbox: the SDK's own endpoint variables. */
  env: Record<string, string>;
  moto: Moto;
  msk: MskHttp;
  stop(): Promise<void>;
}

/** The brokers' private addresses, one subnet per AZ, as MSK spreads them. */
const brokerIp = (id: number) => `10.0.${((id - 1) % 3) + 1}.${10 + id}`;

/** moto and the MSK endpoint, seeded with a VPC, an NLB, a certificate, a zone and a 3-broker cluster. */
export async function startSandbox(options: { dir?: string; brokers?: number } = {}): Promise<Sandbox> {
  const region = SANDBOX_REGION;
  // A moto of its own even with MOTO_URL set: another suite's reset would wipe the seeded world.
  const moto = await startMoto({ own: true });
  let msk: MskHttp | undefined;
  try {
    msk = await startMskHttp(region);
    const aws = { region, endpoint: moto.url, credentials: CREDENTIALS };
    const ec2 = new EC2Client(aws);
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!;
    const subnets: string[] = [];
    for (const [i, az] of ['a', 'b', 'c'].entries()) {
      const subnet = await ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: `10.0.${i + 1}.0/24`, AvailabilityZone: `${region}${az}` }));
      subnets.push(subnet.Subnet!.SubnetId!);
    }
    // moto writes loadbalancer/app/… even for Type=network; the config schema accepts it and observe checks the Type.
    const lb = (await new ElasticLoadBalancingV2Client(aws).send(new CreateLoadBalancerCommand({ Name: 'msk-orders', Type: 'network', Scheme: 'internal', Subnets: subnets }))).LoadBalancers![0]!;
    // moto's zone ids are 22 characters without the Z; the schema takes any alphanumeric id and observe proves the zone.
    const zone = (await new Route53Client(aws).send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: `sandbox-${Date.now()}` }))).HostedZone!;
    // moto's RequestCertificate stays PENDING_VALIDATION: import one the test CA issues for the domain.
    const { key, cert } = testCa().issue([SANDBOX_DOMAIN, `*.${SANDBOX_DOMAIN}`]);
    const certificateArn = (await new ACMClient(aws).send(new ImportCertificateCommand({ Certificate: Buffer.from(cert), PrivateKey: Buffer.from(key), CertificateChain: Buffer.from(testCa().pem) }))).CertificateArn!;
    // The brokers' security group admits the VPC (so the NLB's subnets) on MSK's client ports.
    const brokerGroup = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'msk-orders-brokers', Description: 'MSK brokers', VpcId: vpc.VpcId }))).GroupId!;
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: brokerGroup, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 9092, ToPort: 9198, IpRanges: [{ CidrIp: '10.0.0.0/16' }] }] }));
    const ids = Array.from({ length: options.brokers ?? 3 }, (_, i) => i + 1);
    // A broker that a scale-out adds gets the next address of its subnet, as MSK places it.
    msk.msk.allocateBrokerIp = (subnet, id) => `10.0.${subnets.indexOf(subnet) + 1}.${10 + id}`;
    const clusterArn = msk.msk.addCluster({ name: 'orders', brokers: ids.map((id) => ({ id, ip: brokerIp(id) })), enhancedMonitoring: 'PER_BROKER', subnets, securityGroups: [brokerGroup] });

    const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'msk-custom-domain-sandbox-')));
    const configFile = join(dir, 'clusters.json');
    const cluster = { clusterArn, domain: SANDBOX_DOMAIN, hostedZoneId: zone.Id!, loadBalancerArn: lb.LoadBalancerArn!, certificateArn };
    await writeFile(configFile, `${JSON.stringify({ clusters: [cluster] }, null, 2)}\n`);
    const env = {
      AWS_ENDPOINT_URL: moto.url,
      AWS_ENDPOINT_URL_KAFKA: msk.url,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_REGION: region,
    };
    const started = msk;
    return {
      dir, configFile, clusterArn, env, moto, msk,
      stop: async () => {
        await started.stop();
        await moto.stop();
      },
    };
  } catch (error) {
    await msk?.stop();
    await moto.stop();
    throw error;
  }
}

/** What the sandbox prints: the env as `export` lines (one per line, parsed by the test) and the commands to try. */
export function sandboxInstructions(s: Sandbox): string {
  return [
    `Sandbox ready: moto at ${s.moto.url}, MSK at ${s.msk.url}, cluster ${s.clusterArn}.`,
    `Config: ${s.configFile}`,
    '',
    'In another shell, in this repository (npx runs its bin; `npm run build` makes dist/cli.cjs if missing):',
    ...Object.entries(s.env).map(([k, v]) => `export ${k}=${v}`),
    ...['plan', 'apply', 'check'].map((command) => `npx msk-custom-domain ${command} --config ${s.configFile}`),
    '',
    'Then grow the cluster as MSK would (UpdateBrokerCount, what `aws kafka update-broker-count` sends), and plan/apply again:',
    'npm run sandbox -- scale-out 6',
    '',
    'Ctrl-C stops moto and the MSK endpoint.',
  ].join('\n');
}

/** Parses the `export K=V` lines of sandboxInstructions' output. */
export function parseExports(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/^export ([A-Z_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
}

/**
 * `npm run sandbox -- scale-out N`, in the shell with the sandbox's env: asks the sandbox's MSK for N
 * brokers through the real SDK call. The new broker ids are announced by the operation at once and
 * join when MSK completes it (the sandbox completes an operation on its second look).
 */
export async function scaleOut(target: number, out: (line: string) => void = console.log): Promise<void> {
  if (!process.env.AWS_ENDPOINT_URL_KAFKA) throw new Error('AWS_ENDPOINT_URL_KAFKA is not set: run the export lines that npm run sandbox printed, in this shell');
  if (!Number.isInteger(target) || target < 1) throw new Error(`scale-out needs a broker count, like: npm run sandbox -- scale-out 6 (got ${target})`);
  const kafka = new KafkaClient({ region: process.env.AWS_REGION ?? SANDBOX_REGION });
  const [cluster] = (await kafka.send(new ListClustersV2Command({}))).ClusterInfoList ?? [];
  if (!cluster?.ClusterArn) throw new Error('the sandbox has no cluster');
  const { CurrentVersion } = (await kafka.send(new DescribeClusterV2Command({ ClusterArn: cluster.ClusterArn }))).ClusterInfo ?? {};
  const { ClusterOperationArn } = await kafka.send(new UpdateBrokerCountCommand({ ClusterArn: cluster.ClusterArn, CurrentVersion, TargetNumberOfBrokerNodes: target }));
  out(`UpdateBrokerCount to ${target}: operation ${ClusterOperationArn}`);
  out('The cluster is UPDATING; the new brokers join when the operation completes. Run plan / apply.');
}

async function main(): Promise<void> {
  quietSdkNodeVersionWarning();
  if (process.argv[2] === 'scale-out') {
    await scaleOut(Number(process.argv[3]));
    return;
  }
  const sandbox = await startSandbox();
  console.log(sandboxInstructions(sandbox));
  if (process.argv.includes('--exit-after-seed')) {
    await sandbox.stop();
    return;
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await sandbox.stop();
  console.log('Sandbox stopped.');
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
