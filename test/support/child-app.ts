import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { testQueuePrefix } from './test-run.js';

export const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

/** The application as its own process (`src/main.ts`), so a fault that killed it could not take the test with it. */
export interface ChildApp {
  readonly port: number;
  readonly url: string;
  readonly adminKey: string;
  readonly child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  running(): boolean;
  /** Resolves with the exit code, or 'timeout' if it is still running after `ms`. */
  exited(ms: number): Promise<number | null | 'timeout'>;
  /** JSON request with the admin key. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  kill(): void;
}

export async function startChildApp(env: Record<string, string>): Promise<ChildApp> {
  const port = await freePort();
  const adminKey = env.BOOTSTRAP_ADMIN_KEY ?? `sla_child_admin_${randomBytes(24).toString('hex')}`;
  let output = '';
  const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', 'src/main.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'warn',
      QUEUE_PREFIX: `${testQueuePrefix()}c${randomBytes(3).toString('hex')}`,
      ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      ...env,
      BOOTSTRAP_ADMIN_KEY: adminKey,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const running = () => child.exitCode === null && child.signalCode === null;
  const app: ChildApp = {
    port,
    url,
    adminKey,
    child,
    output: () => output,
    running,
    exited: (ms) =>
      new Promise((resolve) => {
        if (!running()) return resolve(child.exitCode);
        const timer = setTimeout(() => resolve('timeout'), ms);
        child.once('exit', (code) => (clearTimeout(timer), resolve(code)));
      }),
    async api(method, path, body) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    kill: () => void child.kill('SIGKILL'),
  };
  const until = Date.now() + 90_000;
  while (Date.now() < until && running()) {
    try {
      if ((await fetch(`${url}/health/live`, { signal: AbortSignal.timeout(2_000) })).ok) return app;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  app.kill();
  throw new Error(`the app did not start:\n${output}`);
}
