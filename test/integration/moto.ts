// moto, an independent AWS emulator, as a real HTTP endpoint for the integration suite. .ci/run
// starts one and passes MOTO_URL; without it the suite starts its own on a free loopback port.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export const MOTO_MISSING =
  'moto is not installed for python3: pip install "moto[server]" (or set MOTO_URL to a running moto server, e.g. python3 -m moto.server -H 127.0.0.1 -p 5055)';

export interface Moto {
  url: string;
  /** Clears every service's state (each test seeds its own world). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function answering(url: string, ms: number, child?: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) return false;
    try {
      if ((await fetch(`${url}/moto-api/`)).ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/**
 * `own`: always start a moto of its own, even with MOTO_URL set (the sandbox, whose state another
 * suite's reset must not wipe). `env`: moto settings for a moto of its own (implies `own`), e.g.
 * MOTO_ACM_VALIDATION_WAIT, the seconds after which moto issues a public certificate.
 */
export async function startMoto(options: { own?: boolean; env?: Record<string, string> } = {}): Promise<Moto> {
  const reset = (url: string) => async () => void (await fetch(`${url}/moto-api/reset`, { method: 'POST' }));
  if (process.env.MOTO_URL && !options.own && !options.env) {
    const url = process.env.MOTO_URL.replace(/\/$/, '');
    if (!(await answering(url, 10_000))) throw new Error(`MOTO_URL ${url} does not answer /moto-api/`);
    return { url, reset: reset(url), stop: async () => undefined };
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const up = await Promise.race([answering(url, 30_000, child), spawnError.then(() => false)]);
  if (!up) {
    child.kill();
    throw new Error(`${MOTO_MISSING}\n${output.trim().split('\n').slice(-3).join('\n')}`);
  }
  return {
    url,
    reset: reset(url),
    stop: async () => {
      // Ctrl-C in a terminal signals the whole process group: moto may be gone already.
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill();
      await exited;
    },
  };
}

/** The SDK variables a suite points at moto and the MSK endpoint, and sets back afterwards. */
const SDK_ENV_KEYS = ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_KAFKA', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_PROFILE'];

/** Puts the SDK variables back as `saved` (a copy of process.env taken before the suite) had them. */
export function restoreSdkEnv(saved: NodeJS.ProcessEnv): void {
  for (const key of SDK_ENV_KEYS) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
}
