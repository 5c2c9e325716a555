import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { dropDatabase, freshDatabaseUrl } from '../support/test-app.js';

/** Runs the real entry point (TypeScript through SWC) and returns what it printed. */
function start(env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['--import', '@swc-node/register/esm-register', 'src/main.ts'], {
    env: { ...process.env, LOG_LEVEL: 'error', STARTUP_RETRY_SECONDS: '0', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: result.status, stderr: result.stderr.trim() };
}

describe('startup failures say what to do in one line', () => {
  it('unreachable PostgreSQL', () => {
    const { status, stderr } = start({ DATABASE_URL: 'postgres://postgres:hunter2@127.0.0.1:1/sla' });
    expect(status).toBe(1);
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(
      /Cannot use PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/sla .*Start PostgreSQL/,
    );
    expect(stderr).not.toContain('hunter2');
  });

  it('unreachable Redis', async () => {
    const databaseUrl = freshDatabaseUrl('startup');
    try {
      const { status, stderr } = start({ DATABASE_URL: databaseUrl, REDIS_URL: 'redis://127.0.0.1:1' });
      expect(status).toBe(1);
      expect(stderr.split('\n')).toHaveLength(1);
      expect(stderr).toMatch(
        /Cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(.*ECONNREFUSED.*\)\. Start Redis/,
      );
    } finally {
      await dropDatabase(databaseUrl);
    }
  });

  it('invalid configuration lists every problem', () => {
    const { status, stderr } = start({ ROLE: 'chef', PORT: 'eighty' });
    expect(status).toBe(1);
    expect(stderr).toContain('ROLE');
    expect(stderr).toContain('PORT');
    expect(stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });
});
