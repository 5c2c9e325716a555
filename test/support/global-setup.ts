import { Redis } from 'ioredis';
import pg from 'pg';
import { testDatabasePrefix, testQueuePrefix } from './test-run.js';

const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * After the run: drop what this run created and nothing else (databases and Redis keys carry the
 * run's id), so a crashed test leaves no clutter and a parallel run is never disturbed.
 */
export default function setup(): () => Promise<void> {
  return async () => {
    await dropRunDatabases().catch((e: Error) => console.warn(`test cleanup (PostgreSQL): ${e.message}`));
    await deleteRunKeys().catch((e: Error) => console.warn(`test cleanup (Redis): ${e.message}`));
  };
}

async function dropRunDatabases(): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    const pattern = `${testDatabasePrefix().replace(/_/g, '\\_')}%`;
    const { rows } = await admin.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname LIKE $1',
      [pattern],
    );
    for (const { datname } of rows) {
      await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}

async function deleteRunKeys(): Promise<void> {
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `{${testQueuePrefix()}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
