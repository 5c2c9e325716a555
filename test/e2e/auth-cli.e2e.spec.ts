import { spawn } from 'node:child_process';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { dropDatabase, freshDatabaseUrl, startTestApp } from '../support/test-app.js';

/** Runs the real CLI (TypeScript through SWC) against a database and returns what it printed. */
function apikey(
  databaseUrl: string,
  args: string[],
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', '@swc-node/register/esm-register', 'src/cli/apikey.ts', ...args],
      { env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'error' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('npm run apikey', () => {
  it('creates the first admin key (printed once), lists it without the key, and revokes it', async () => {
    const databaseUrl = freshDatabaseUrl('apikey');
    try {
      const created = await apikey(databaseUrl, ['create', '--role', 'admin', '--name', 'ops']);
      expect(created.stderr).toBe('');
      expect(created.status).toBe(0);
      const key = /^(sla_\S+)$/m.exec(created.stdout)?.[1];
      expect(key).toBeDefined();
      const id = /\(id ([0-9a-f-]{36})\)/.exec(created.stdout)?.[1];

      const listed = await apikey(databaseUrl, ['list']);
      expect(listed.stdout).toContain('ops');
      expect(listed.stdout).toContain('admin');
      expect(listed.stdout).not.toContain(key!);

      const t = await startTestApp({ DATABASE_URL: databaseUrl });
      try {
        await request(t.app.getHttpServer())
          .get('/policies')
          .set('authorization', `Bearer ${key}`)
          .expect(200);
        const revoked = await apikey(databaseUrl, ['revoke', id!]);
        expect(revoked.status).toBe(0);
        // Another process revoked it: this one notices once its short verification cache expires.
        await expect
          .poll(
            async () =>
              (await request(t.app.getHttpServer()).get('/policies').set('authorization', `Bearer ${key}`))
                .status,
            { timeout: 30_000, interval: 500 },
          )
          .toBe(401);
        // The audit log has both, made by the CLI (no key behind it).
        const { rows } = await t.sql.query(
          `SELECT action, actor_key_id, actor_name, actor_role FROM audit_entries
           WHERE resource_type = 'apikey' AND resource_id = $1 ORDER BY id`,
          [id],
        );
        expect(rows).toEqual([
          { action: 'create', actor_key_id: null, actor_name: 'cli', actor_role: null },
          { action: 'revoke', actor_key_id: null, actor_name: 'cli', actor_role: null },
        ]);
      } finally {
        await t.close();
      }
    } finally {
      await dropDatabase(databaseUrl);
    }
  }, 120_000);

  it('refuses an incomplete command with usage', async () => {
    const res = await apikey(freshDatabaseUrl('apikey'), ['create', '--name', 'x']);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('--role');
  });
});
