import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { dropDatabase, freshDatabaseUrl } from '../support/test-app.js';

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

const healthy = async (port: number, ms: number): Promise<boolean> => {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return true;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
};

const portClosed = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(true));
  });

const exited = (child: ChildProcess, ms: number): Promise<number | null | 'timeout'> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => resolve('timeout'), ms);
    child.once('exit', (code) => (clearTimeout(timer), resolve(code)));
  });

describe('process lifecycle', () => {
  const children: ChildProcess[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('waits for a PostgreSQL that comes up late, saying so, then starts (bounded backoff)', async () => {
    // Nothing listens on the database port until the app has said it is waiting; then a proxy to the real server opens it.
    const dbPort = await freePort();
    const appPort = await freePort();
    const databaseUrl = freshDatabaseUrl('late_db');
    const url = new URL(databaseUrl);
    url.port = String(dbPort);
    const proxy = net.createServer((client) => {
      const upstream = net.connect(5432, '127.0.0.1');
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    cleanups.push(async () => {
      await new Promise((r) => (proxy.listening ? proxy.close(() => r(undefined)) : r(undefined)));
      await dropDatabase(databaseUrl);
    });
    let output = '';
    const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', 'src/main.ts'], {
      env: {
        ...process.env,
        DATABASE_URL: url.toString(),
        PORT: String(appPort),
        HOST: '127.0.0.1',
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'log',
        STARTUP_RETRY_SECONDS: '30',
        QUEUE_PREFIX: `late${appPort}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (!proxy.listening && output.includes('not reachable yet')) proxy.listen(dbPort, '127.0.0.1');
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    expect(await healthy(appPort, 60_000), output).toBe(true);
    expect(output).toMatch(
      /PostgreSQL at postgres:\/\/.* not reachable yet \(.*ECONNREFUSED.*\); retrying in/,
    );
    expect(output).toContain(`listening on http://127.0.0.1:${appPort}`);
  }, 90_000);

  it('stops `npm start` with the node server on SIGTERM, within the shutdown bound', async () => {
    const appPort = await freePort();
    const databaseUrl = freshDatabaseUrl('npm_start');
    cleanups.push(() => dropDatabase(databaseUrl));
    let output = '';
    const npm = spawn('npm', ['start', '--silent'], {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        PORT: String(appPort),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'log',
        SHUTDOWN_TIMEOUT_MS: '5000',
        QUEUE_PREFIX: `npm${appPort}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(npm);
    npm.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // npm start builds first when dist/ is stale: allow for a compile.
    expect(await healthy(appPort, 120_000), output).toBe(true);
    expect(output).toContain(`listening on http://127.0.0.1:${appPort} (role all); API docs at`);
    npm.kill('SIGTERM');
    expect(await exited(npm, 8000)).not.toBe('timeout');
    expect(await portClosed(appPort)).toBe(true);
    expect(output).toMatch(/SIGTERM: shutting down/);
  }, 180_000);
});

describe('request timeouts', () => {
  it('cuts off a client that trickles its body', async () => {
    const { startTestApp } = await import('../support/test-app.js');
    const t = await startTestApp({ HTTP_REQUEST_TIMEOUT_MS: 1000 });
    try {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const port = Number(new URL(await t.app.getUrl()).port);
      const started = Date.now();
      const answer = await new Promise<string>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.write(
            'POST /tiers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
          );
          const drip = setInterval(() => socket.writable && socket.write(' '), 300);
          socket.on('close', () => clearInterval(drip));
        });
        let data = '';
        socket.on('data', (chunk) => (data += chunk.toString()));
        socket.on('close', () => resolve(data));
        socket.on('error', () => resolve(data));
      });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(answer === '' || /^HTTP\/1\.1 408/.test(answer), answer).toBe(true);
    } finally {
      await t.close();
    }
  }, 30_000);
});
