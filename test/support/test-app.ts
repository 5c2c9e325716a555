import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { processActor } from '../../src/auth/actor.js';
import { ApiKeysService } from '../../src/auth/api-keys.service.js';
import type { Role } from '../../src/auth/roles.js';
import { createApp, prepareInfrastructure } from '../../src/bootstrap.js';
import { type AppConfig, loadConfig } from '../../src/config/app-config.js';
import { testDatabasePrefix, testQueuePrefix } from './test-run.js';

const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  /** Raw SQL against the test database (for assertions that "nothing changed"). */
  sql: pg.Pool;
  /** An admin key created at startup. */
  adminKey: string;
  /** A supertest agent that sends the admin key unless a test sets another Authorization header. */
  http(): ReturnType<typeof request.agent>;
  /** Creates a key with this role (optionally expiring) and returns it. */
  keyFor(role: Role, options?: { expiresAt?: Date; name?: string }): Promise<string>;
  close(): Promise<void>;
}

/** A database URL for a brand-new, uniquely named database (created on first use by prepareInfrastructure). */
export function freshDatabaseUrl(label = 'e2e'): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${testDatabasePrefix()}${label}_${randomBytes(4).toString('hex')}`;
  return url.toString();
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/**
 * Boots the real application against its own fresh database (migrated) and its own Redis key prefix,
 * so test files run in parallel without seeing each other. Nothing of ours is mocked.
 */
export async function startTestApp(overrides: Partial<AppConfig> = {}): Promise<TestApp> {
  const databaseUrl = overrides.DATABASE_URL ?? freshDatabaseUrl();
  const config: AppConfig = {
    ...loadConfig({ ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'error' }),
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: 4,
    QUEUE_PREFIX: `${testQueuePrefix()}${randomBytes(4).toString('hex')}`,
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    // Tests send bursts from one key; the rate limit has its own test.
    RATE_LIMIT_PER_MINUTE: 0,
    ...overrides,
  };
  await prepareInfrastructure(config);
  const app = await createApp(config, false);
  const sql = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  // A client may still be saying goodbye when the database is dropped WITH (FORCE) at teardown.
  sql.on('error', () => undefined);
  const keys = app.get(ApiKeysService);
  const keyFor: TestApp['keyFor'] = async (role, options = {}) =>
    (
      await keys.create(
        { name: options.name ?? `test-${role}`, role, expiresAt: options.expiresAt },
        processActor('system'),
      )
    ).key;
  const adminKey = await keyFor('admin');
  return {
    app,
    config,
    sql,
    adminKey,
    http: () => request.agent(app.getHttpServer()).set('authorization', `Bearer ${adminKey}`),
    keyFor,
    async close() {
      await app.close();
      await sql.end();
      if (!overrides.DATABASE_URL) await dropDatabase(databaseUrl);
    },
  };
}
