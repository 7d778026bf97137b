// Runs probe.py (a Kafka client nobody here wrote: kafka-python or librdkafka through
// confluent-kafka, Debian's packages) against a fake cluster, as a child process over real sockets.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Debian's python: the one apt installs python3-kafka / python3-confluent-kafka for (the pyenv one has moto). */
export const DEBIAN_PYTHON = '/usr/bin/python3';
export const PROBE = join(__dirname, 'probe.py');
/** The CA the fake brokers' certificate chains to (test/kafka/fixtures). */
export const CA_FILE = join(__dirname, '..', 'fixtures', 'ca.pem');

export type PythonClient = 'kafka-python' | 'confluent-kafka';
const MODULE: Record<PythonClient, string> = { 'kafka-python': 'kafka', 'confluent-kafka': 'confluent_kafka' };
const PACKAGE: Record<PythonClient, string> = { 'kafka-python': 'python3-kafka', 'confluent-kafka': 'python3-confluent-kafka' };

/** Why a client cannot run here (to print beside the skip), or undefined when it can. */
export function missingClient(client: PythonClient): string | undefined {
  const r = spawnSync(DEBIAN_PYTHON, ['-c', `import ${MODULE[client]}`], { encoding: 'utf8', timeout: 20_000 });
  if (r.error) return `${DEBIAN_PYTHON} cannot run (${r.error.message}): install python3 and ${PACKAGE[client]} (apt-get install -y ${PACKAGE[client]})`;
  if (r.status !== 0) return `${DEBIAN_PYTHON} -c 'import ${MODULE[client]}' failed: install ${PACKAGE[client]} (apt-get install -y ${PACKAGE[client]}); ${r.stderr.trim().split('\n').pop()}`;
  return undefined;
}

export interface ProbeArgs {
  client: PythonClient;
  bootstrap: string;
  mechanism: 'SCRAM-SHA-512' | 'OAUTHBEARER';
  username?: string;
  password?: string;
  token?: string;
  timeout?: number;
  reauth?: boolean;
  all_metadata_versions?: boolean;
  unsupported_api_versions?: boolean;
}

export interface ProbeResult {
  ok: boolean;
  error?: string;
  brokers?: { id: number; host: string; port: number }[];
  controller_id?: number;
  cluster_id?: string | null;
  errors?: string[];
  reauth?: { error_code?: number; error_message?: string | null; failed?: string };
  still_connected?: boolean;
  metadata_after_reauth?: string;
  metadata_versions?: {
    advertised: [number, number];
    versions: Record<number, { ok: boolean; error?: string; brokers?: ProbeResult['brokers']; controller_id?: number; cluster_id?: string | null; topics?: { error_code: number; name: string | null }[] }>;
  };
  unsupported_api_versions?: { error_code?: number; api_versions?: [number, number, number][]; failed?: string };
  log: string[];
}

export const KCAT = 'kcat';

/** Why kcat cannot run here, or undefined when it can. */
export function missingKcat(): string | undefined {
  const r = spawnSync(KCAT, ['-V'], { encoding: 'utf8', timeout: 20_000 });
  if (r.error || r.status !== 0) return `kcat cannot run (${r.error?.message ?? `exit ${r.status}`}): install kcat (apt-get install -y kcat)`;
  return undefined;
}

export interface KcatMetadata {
  ok: boolean;
  brokers?: { id: number; name: string }[];
  controllerid?: number;
  stderr: string;
}

/** `kcat -L -J` (librdkafka's Metadata, as JSON) over SASL_SSL with SCRAM-SHA-512. kcat cannot carry an MSK IAM token. */
export function kcatMetadata(bootstrap: string, username: string, password: string): Promise<KcatMetadata> {
  const args = ['-L', '-J', '-m', '3', '-b', bootstrap,
    '-X', 'security.protocol=SASL_SSL', '-X', 'sasl.mechanisms=SCRAM-SHA-512',
    '-X', `sasl.username=${username}`, '-X', `sasl.password=${password}`, '-X', `ssl.ca.location=${CA_FILE}`];
  return new Promise((resolve, reject) => {
    const child = spawn(KCAT, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 || !out.trim()) return resolve({ ok: false, stderr: err });
      const md = JSON.parse(out) as Omit<KcatMetadata, 'ok' | 'stderr'>;
      resolve({ ok: true, brokers: md.brokers, controllerid: md.controllerid, stderr: err });
    });
  });
}

/** Asynchronous on purpose: the fake brokers run on this process's event loop. */
export function probe(args: ProbeArgs): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(DEBIAN_PYTHON, [PROBE], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as ProbeResult);
      } catch {
        reject(new Error(`probe.py exited ${code} without a report:\n${out}\n${err}`));
      }
    });
    child.stdin.end(JSON.stringify({ cafile: CA_FILE, timeout: 8, ...args }));
  });
}
