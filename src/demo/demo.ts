/**
 * `npm run demo`: the service with a demo SLA setup, a simulated Zendesk and a local receiver for notifications,
 * so that within two minutes you see countdowns, warnings, a breach, escalations, notifications, an
 * acknowledgement, a withdrawn breach and a compliance report. It uses its own database (`sla_tracker_demo` on
 * the server of DATABASE_URL, or DEMO_DATABASE_URL) and its own Redis prefix, recreated at every start.
 * Ctrl-C stops everything it started. DEMO_EXIT_AFTER_SECONDS ends it by itself (the test uses that).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createApp, createLogger, prepareInfrastructure } from '../bootstrap.js';
import { type AppConfig, loadConfig } from '../config/app-config.js';
import { applyDemoSetup } from './demo-setup.js';
import { DemoReceiver } from './demo-receiver.js';
import { runDemoStory } from './demo-story.js';
import { followLiveEvents } from './live-log.js';

const started = Date.now();
const log = (line: string) => {
  const s = Math.round((Date.now() - started) / 1000);
  process.stdout.write(`[${String(s).padStart(3)} s] ${line}\n`);
};

async function main(): Promise<void> {
  const base = loadConfig();
  const databaseUrl = process.env.DEMO_DATABASE_URL ?? demoDatabaseUrl(base.DATABASE_URL);
  const adminKey = `sla_demo_${randomBytes(24).toString('base64url')}`;
  const config: AppConfig = {
    ...base,
    ROLE: 'all',
    HOST: '127.0.0.1',
    PORT: Number(process.env.DEMO_PORT ?? 3100),
    DATABASE_URL: databaseUrl,
    QUEUE_PREFIX: process.env.DEMO_QUEUE_PREFIX ?? 'sla-demo',
    ENCRYPTION_KEY: base.ENCRYPTION_KEY ?? randomBytes(32).toString('hex'),
    BOOTSTRAP_ADMIN_KEY: adminKey,
    LOG_LEVEL: 'warn',
    TIMER_SCAN_SECONDS: 2,
    NOTIFY_SCAN_SECONDS: 2,
  };
  await recreateDatabase(databaseUrl);
  await clearRedisPrefix(config);
  const logger = createLogger(config);
  await prepareInfrastructure(config, logger);
  const app = await createApp(config, logger);
  await app.listen({ port: config.PORT, host: config.HOST });
  const url = `http://127.0.0.1:${config.PORT}`;
  const receiver = await new DemoReceiver(log).start();

  const api = async <T = unknown>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  await applyDemoSetup(api, receiver.url);

  process.stdout.write(
    [
      '',
      'SLA Tracker demo',
      `  dashboard:  ${url}/   (sign in with the admin key)`,
      `  API docs:   ${url}/docs`,
      `  admin key:  ${adminKey}`,
      `  database:   ${new URL(databaseUrl).pathname.slice(1)} (the demo's own)`,
      '  Tiers enterprise and standard; first response in 1 to 10 minutes; a simulated Zendesk sends tickets.',
      '  Press Ctrl-C to stop.',
      '',
    ].join('\n') + '\n',
  );

  const controller = new AbortController();
  const stop = async (code: number) => {
    controller.abort();
    await receiver.close();
    await app.close();
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  const exitAfter = Number(process.env.DEMO_EXIT_AFTER_SECONDS ?? 0);
  if (exitAfter > 0) setTimeout(() => void stop(0), exitAfter * 1000).unref();

  void followLiveEvents(url, adminKey, log, controller.signal);
  await runDemoStory({ webhookUrl: `${url}/webhooks/demo-zendesk`, api, log, signal: controller.signal });
}

/** The demo's own database on the same server: never the one your data is in. */
function demoDatabaseUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = '/sla_tracker_demo';
  return url.toString();
}

async function recreateDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** Jobs of an earlier demo run would only find nothing to do, but a clean start is easier to watch. */
async function clearRedisPrefix(config: AppConfig): Promise<void> {
  const redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `{${config.QUEUE_PREFIX}}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`sla-tracker demo: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
