import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderPlan } from '../../src/config-as-code/config-diff.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const EXAMPLE = readFileSync('examples/multilevel-sla.yaml', 'utf8');
const SECRETS = {
  SLA_ALERTS_CHANNEL_URL: 'http://127.0.0.1:9/sla-alerts/hook-path-is-secret',
  SLA_ALERTS_CHANNEL_SECRET: 'channel-secret-0123456789',
  HELPDESK_SECRET: 'helpdesk-secret-0123456789',
  ZENDESK_SECRET: 'zendesk-secret-0123456789',
  ZENDESK_WRITEBACK_EMAIL: 'sla-bot@acme.example',
  ZENDESK_WRITEBACK_API_TOKEN: 'zendesk-api-token-0123456789',
};
// The API process reads the variables a file names from its own environment.
Object.assign(process.env, SECRETS);

/** Runs the real CLI (TypeScript through SWC) against an application's database. */
function cli(
  t: TestApp,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', '@swc-node/register/esm-register', 'src/cli/config.ts', ...args],
      {
        env: {
          ...process.env,
          DATABASE_URL: t.config.DATABASE_URL,
          ENCRYPTION_KEY: t.config.ENCRYPTION_KEY,
          QUEUE_PREFIX: t.config.QUEUE_PREFIX,
          LOG_LEVEL: 'error',
          ...env,
        },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const yaml = (agent: ReturnType<TestApp['http']>, path: string, body: string) =>
  agent.post(path).set('content-type', 'application/yaml').send(body);

async function count(t: TestApp, sql: string): Promise<number> {
  const { rows } = await t.sql.query<{ n: number }>(`SELECT (${sql})::int AS n`);
  return rows[0].n;
}

function expectNoSecrets(text: string): void {
  for (const value of Object.values(SECRETS)) expect(text).not.toContain(value);
  expect(text).not.toContain('hook-path-is-secret');
}

// The CLI runs through SWC in a child process: seconds per run on a busy machine.
const CLI_TIMEOUT = 180_000;

describe('configuration as code', () => {
  let t: TestApp;
  let empty: TestApp;
  const dir = mkdtempSync(join(tmpdir(), 'sla-config-'));

  beforeAll(async () => {
    [t, empty] = await Promise.all([startTestApp(), startTestApp()]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([t?.close(), empty?.close()]);
  });

  it('applies the example (plan first), and a second apply changes nothing and says so', async () => {
    const plan = await yaml(t.http(), '/config/plan', EXAMPLE).expect(200);
    expect(plan.body.applied).toBe(false);
    expect(plan.body.summary).toEqual({ create: 19, update: 0, delete: 0 });
    expect(await count(t, 'SELECT count(*) FROM tiers')).toBe(0);

    const applied = await yaml(t.http(), '/config/apply', EXAMPLE).expect(200);
    expect(applied.body.applied).toBe(true);
    expect(applied.body.summary).toEqual({ create: 19, update: 0, delete: 0 });
    expect(await count(t, 'SELECT count(*) FROM policy_versions')).toBe(3);
    const berlin = (await t.http().get('/calendars/berlin').expect(200)).body;
    // Imported German public holidays, and the explicit part-day Christmas Eve kept.
    expect(berlin.holidays).toContainEqual({ date: '2027-10-03', name: 'Tag der Deutschen Einheit' });
    expect(berlin.holidays.find((h: { date: string }) => h.date === '12-24').intervals).toHaveLength(1);
    const newYork = (await t.http().get('/calendars/new-york').expect(200)).body;
    expect(newYork.holidays.map((h: { date: string }) => h.date)).toContain('2026-11-26'); // Thanksgiving

    // Audited like API edits, by the calling key.
    const audit = await t.sql.query(
      `SELECT DISTINCT actor_name FROM audit_entries WHERE resource_type <> 'apikey'`,
    );
    expect(audit.rows).toEqual([{ actor_name: 'test-admin' }]);
    const auditCount = await count(t, 'SELECT count(*) FROM audit_entries');

    const again = await yaml(t.http(), '/config/apply', EXAMPLE).expect(200);
    expect(again.body.changes).toEqual([]);
    expect(again.body.unchanged).toBe(19);
    expect(await count(t, 'SELECT count(*) FROM audit_entries')).toBe(auditCount);
    expect(await count(t, 'SELECT count(*) FROM policy_versions')).toBe(3);
    expectNoSecrets(JSON.stringify([plan.body, applied.body, again.body]));
  });

  it('plans an update field by field and applies it as a new policy version', async () => {
    const edited = EXAMPLE.replace(
      'high:\n        reaction: { minutes: 30, warnAtPercent: [75, 90] }',
      'high:\n        reaction: { minutes: 20, warnAtPercent: [75, 90] }',
    );
    expect(edited).not.toBe(EXAMPLE);
    const plan = await yaml(t.http(), '/config/plan', edited).expect(200);
    expect(plan.body.changes).toEqual([
      {
        section: 'policies',
        id: 'enterprise',
        action: 'update',
        fields: [{ path: 'targets.high.reaction.minutes', before: 30, after: 20 }],
      },
    ]);
    await yaml(t.http(), '/config/apply', edited).expect(200);
    const policy = (await t.http().get('/policies/enterprise').expect(200)).body;
    expect(policy.version).toBe(2);
    expect(policy.targets.high.reaction.minutes).toBe(20);
    await yaml(t.http(), '/config/apply', EXAMPLE).expect(200);
    expect((await t.http().get('/policies/enterprise').expect(200)).body.version).toBe(3);
  });

  it(
    'export → apply on an empty database (CLI) → export again is identical; secrets stay references',
    async () => {
      const exported = await t.http().get('/config/export').expect(200);
      expect(exported.headers['content-type']).toMatch(/^application\/yaml/);
      const text = exported.text;
      expectNoSecrets(text);
      const doc = parse(text);
      expect(doc.integrations[0].secret).toEqual({ env: 'HELPDESK_SECRET' });
      expect(doc.channels[0].url).toEqual({ env: 'SLA_ALERTS_CHANNEL_URL' });
      // Write-back credentials are references too, every field of the sealed auth (default tags left out).
      expect(doc.integrations[1].writeBack).toEqual({
        baseUrl: 'https://acme.zendesk.com',
        auth: { email: { env: 'ZENDESK_WRITEBACK_EMAIL' }, apiToken: { env: 'ZENDESK_WRITEBACK_API_TOKEN' } },
      });
      expect(doc.directory).toEqual([
        {
          integrationId: 'zendesk',
          kind: 'agent',
          externalId: '381',
          name: 'Dana Fischer',
          email: 'dana.fischer@acme.example',
        },
        {
          integrationId: 'zendesk',
          kind: 'group',
          externalId: '20',
          name: 'Enterprise support',
          channelId: 'sla-alerts',
        },
      ]);
      const file = join(dir, 'exported.yaml');
      writeFileSync(file, text);

      const planned = await cli(empty, ['plan', file]);
      expect(planned.stderr).toBe('');
      expect(planned.status).toBe(0);
      expect(planned.stdout).toContain('+ create policy "enterprise"');
      expect(planned.stdout).toContain('Plan: 19 to create, 0 to update, 0 to delete.');
      expect(await count(empty, 'SELECT count(*) FROM tiers')).toBe(0);

      const applied = await cli(empty, ['apply', file]);
      expect(applied.status).toBe(0);
      expect(applied.stdout).toContain('Applied: 19 created, 0 updated, 0 deleted.');
      const again = await cli(empty, ['apply', file]);
      expect(again.stdout).toContain('No changes');

      const second = await empty.http().get('/config/export').expect(200);
      expect(second.text).toBe(text);
      const zendesk = (await empty.http().get('/integrations/zendesk').expect(200)).body;
      expect(zendesk.writeBack).toEqual({
        baseUrl: 'https://acme.zendesk.com',
        tags: { warning: 'sla_warning', breached: 'sla_breached' },
        hasCredentials: true,
      });
      const group = (await empty.http().get('/directory/zendesk/group/20').expect(200)).body;
      expect(group.channelId).toBe('sla-alerts');
      // The CLI is audited as "cli", without a key; the audit log never holds a secret.
      const { rows } = await empty.sql.query(
        `SELECT DISTINCT actor_name, actor_key_id FROM audit_entries WHERE resource_type <> 'apikey'`,
      );
      expect(rows).toEqual([{ actor_name: 'cli', actor_key_id: null }]);
      const audit = await empty.sql.query(`SELECT before, after FROM audit_entries`);
      expectNoSecrets(JSON.stringify(audit.rows));
      expectNoSecrets(JSON.stringify((await t.sql.query(`SELECT before, after FROM audit_entries`)).rows));
    },
    CLI_TIMEOUT,
  );

  it(
    'resolves secrets from the environment: a changed value is an update, an unset one a problem',
    async () => {
      const file = join(dir, 'example.yaml');
      writeFileSync(file, EXAMPLE);
      const rotated = await cli(t, ['plan', file], { HELPDESK_SECRET: 'a-new-helpdesk-secret-9876' });
      expect(rotated.status).toBe(0);
      expect(rotated.stdout).toContain('~ update integration "helpdesk"');
      expect(rotated.stdout).toContain('secret: (stored secret) → (new secret)');
      expect(rotated.stdout).not.toContain('a-new-helpdesk-secret');

      const token = await cli(t, ['plan', file], { ZENDESK_WRITEBACK_API_TOKEN: 'a-new-zendesk-token-9876' });
      expect(token.status).toBe(0);
      expect(token.stdout).toContain('~ update integration "zendesk"');
      expect(token.stdout).toContain('writeBack.auth.apiToken: (stored secret) → (new secret)');
      expect(token.stdout).not.toContain('a-new-zendesk-token');

      const unset = await cli(t, ['plan', file], { HELPDESK_SECRET: '', ZENDESK_WRITEBACK_API_TOKEN: '' });
      expect(unset.status).toBe(1);
      expect(unset.stderr).toMatch(
        /example\.yaml:\d+:\d+: integrations\[0\]\.secret\.env: environment variable HELPDESK_SECRET is not set/,
      );
      // The line and column of the reference in the file.
      const lines = EXAMPLE.split('\n');
      const line = lines.findIndex((l) => l.includes('env: ZENDESK_WRITEBACK_API_TOKEN')) + 1;
      const column = lines[line - 1].indexOf('ZENDESK_WRITEBACK_API_TOKEN') + 1;
      expect(unset.stderr).toContain(
        `example.yaml:${line}:${column}: integrations[1].writeBack.auth.apiToken.env: environment variable ZENDESK_WRITEBACK_API_TOKEN is not set`,
      );
    },
    CLI_TIMEOUT,
  );

  it(
    'reports every problem at once, with paths (HTTP 400 and the CLI with file and line), and writes nothing',
    async () => {
      const bad = `
tiers:
  - { id: gold, name: '' }
calendars:
  - id: office
    name: Office
    timeZone: Mars/Olympus
    weekly: [{ day: 1, start: '09:00', end: '17:00' }]
policies:
  - id: p1
    name: P1
    position: 1
    conditions: { tiers: [platinum] }
    targets:
      high:
        resolution: { minutes: 60, businessDays: 1 }
        reaction: { minutes: 10, calendarId: nowhere }
integrations:
  - { id: hd, name: HD, provider: generic, secret: { env: NOT_SET_ANYWHERE_42 } }
`;
      const res = await yaml(t.http(), '/config/plan', bad).expect(400);
      expect(res.body.error).toBe('validation_failed');
      const paths = res.body.details.problems.map((p: { path: string }) => p.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          'tiers[0].name',
          'calendars[0]',
          'policies[0].targets.high.resolution',
          'integrations[0].secret.env',
        ]),
      );
      // Cross-references are checked once every entry is well-formed; here the rest are reported first.
      await yaml(t.http(), '/config/apply', bad).expect(400);
      expect(await count(t, `SELECT count(*) FROM tiers WHERE id = 'gold'`)).toBe(0);

      const crossRefs = `
policies:
  - id: p1
    name: P1
    position: 1
    conditions: { tiers: [platinum] }
    targets:
      high:
        reaction: { minutes: 10, calendarId: nowhere, ladderId: no-ladder }
customers:
  - { id: c1, tier: platinum }
`;
      const refs = await yaml(t.http(), '/config/plan', crossRefs).expect(400);
      expect(refs.body.details.problems.map((p: { path: string }) => p.path)).toEqual([
        'policies[0].conditions.tiers[0]',
        'policies[0].targets.high.reaction.calendarId',
        'policies[0].targets.high.reaction.ladderId',
        'customers[0].tier',
      ]);

      const file = join(dir, 'bad.yaml');
      writeFileSync(file, bad);
      const out = await cli(t, ['plan', file]);
      expect(out.status).toBe(1);
      expect(out.stderr).toContain(`${file}:3:`);
      expect(out.stderr).toMatch(
        /bad\.yaml:16:\d+: policies\[0\]\.targets\.high\.resolution: give exactly one/,
      );
      expect(out.stderr).toContain('calendars[0]: timeZone "Mars/Olympus" is not a known IANA time zone');
    },
    CLI_TIMEOUT,
  );

  it('deletes what the file does not list only with prune', async () => {
    const onlyAcme = 'customers:\n  - { id: acme, name: ACME Corp, tier: enterprise }\n';
    const kept = await yaml(t.http(), '/config/apply', onlyAcme).expect(200);
    expect(kept.body.changes).toEqual([]);
    expect(kept.body.kept).toEqual([
      { section: 'customers', id: 'globex' },
      { section: 'customers', id: 'initech' },
    ]);
    expect(await count(t, 'SELECT count(*) FROM customers')).toBe(3);

    const plan = await yaml(t.http(), '/config/plan?prune=true', onlyAcme).expect(200);
    expect(plan.body.summary).toEqual({ create: 0, update: 0, delete: 2 });
    expect(await count(t, 'SELECT count(*) FROM customers')).toBe(3);
    await yaml(t.http(), '/config/apply?prune=true', onlyAcme).expect(200);
    expect(await count(t, 'SELECT count(*) FROM customers')).toBe(1);
    // Sections the file does not have are left alone even with prune.
    expect(await count(t, 'SELECT count(*) FROM tiers')).toBe(3);
    await yaml(t.http(), '/config/apply', EXAMPLE).expect(200);
  });

  it('is all or nothing: a refused change rolls back the others', async () => {
    const auditBefore = await count(t, 'SELECT count(*) FROM audit_entries');
    // Creates a tier, then (prune) would delete tiers that policies and customers still use: refused.
    const doc = 'tiers:\n  - { id: extra, name: Extra }\n';
    const res = await yaml(t.http(), '/config/apply?prune=true', doc).expect(409);
    expect(res.body.details.problems[0].message).toMatch(/cannot delete "\w+": Tier "\w+" is still used/);
    expect(await count(t, `SELECT count(*) FROM tiers WHERE id = 'extra'`)).toBe(0);
    expect(await count(t, 'SELECT count(*) FROM audit_entries')).toBe(auditBefore);
    // The plan finds the same refusal, without writing anything either.
    await yaml(t.http(), '/config/plan?prune=true', doc).expect(409);
    expect(await count(t, `SELECT count(*) FROM tiers WHERE id = 'extra'`)).toBe(0);
  });

  it('takes the same document as JSON; refuses non-admin keys and bad documents', async () => {
    const asJson = await t.http().post('/config/plan').send(parse(EXAMPLE)).expect(200);
    expect(asJson.body.changes).toEqual([]);

    const manager = await t.keyFor('manager');
    const asManager = () => request(t.app.getHttpServer());
    for (const path of ['/config/plan', '/config/apply']) {
      await asManager()
        .post(path)
        .set('authorization', `Bearer ${manager}`)
        .set('content-type', 'application/yaml')
        .send(EXAMPLE)
        .expect(403);
    }
    await asManager().get('/config/export').set('authorization', `Bearer ${manager}`).expect(403);
    await asManager().get('/config/export').expect(401);

    const syntax = await yaml(t.http(), '/config/plan', 'tiers:\n  - { id: a\n').expect(400);
    expect(syntax.body.details.problems.length).toBeGreaterThan(0);
    await yaml(t.http(), '/config/apply', 'tiers:\n  - { id: "a\\u0000b", name: x }\n').expect(400);
    await yaml(t.http(), '/config/apply', '__proto__: { polluted: true }\n').expect(400);
    await t.http().post('/config/plan').send([1, 2]).expect(400);
    const unknown = await t.http().post('/config/plan').send({ teirs: [] }).expect(400);
    expect(unknown.body.message).toContain('unknown section "teirs"');
    // YAML is for these routes only.
    await yaml(t.http(), '/tiers', 'id: x\nname: X\n').expect(415);
  });

  it(
    'ships a JSON Schema generated from the API schemas, referenced by the example',
    async () => {
      const shipped = JSON.parse(readFileSync('examples/sla-config.schema.json', 'utf8'));
      const generated = await cli(t, ['schema']);
      expect(JSON.parse(generated.stdout)).toEqual(shipped);
      expect(EXAMPLE.split('\n')[0]).toBe('# yaml-language-server: $schema=./sla-config.schema.json');
      const docs = (await t.http().get('/docs-json').expect(200)).body;
      const content = docs.paths['/config/apply'].post.requestBody.content;
      expect(Object.keys(content)).toEqual(['application/yaml', 'text/yaml', 'application/json']);
      expect(Object.keys(content['application/json'].schema.properties)).toContain('policies');
      expect(Object.keys(shipped.properties)).toEqual([
        'version',
        'tiers',
        'calendars',
        'ladders',
        'channels',
        'integrations',
        'policies',
        'customers',
        'directory',
      ]);
    },
    CLI_TIMEOUT,
  );

  it('plans a changed write-back URL and directory entry field by field; audited with credentials redacted', async () => {
    const edited = EXAMPLE.replace(
      'baseUrl: https://acme.zendesk.com',
      'baseUrl: https://support.acme.example',
    ).replace('email: dana.fischer@acme.example', 'email: dana@acme.example');
    expect(edited).not.toBe(EXAMPLE);
    const plan = await yaml(t.http(), '/config/plan', edited).expect(200);
    expect(plan.body.changes).toEqual([
      {
        section: 'integrations',
        id: 'zendesk',
        action: 'update',
        fields: [
          {
            path: 'writeBack.baseUrl',
            before: 'https://acme.zendesk.com',
            after: 'https://support.acme.example',
          },
        ],
      },
      {
        section: 'directory',
        id: 'zendesk/agent/381',
        action: 'update',
        fields: [{ path: 'email', before: 'dana.fischer@acme.example', after: 'dana@acme.example' }],
      },
    ]);
    expect(renderPlan(plan.body)).toContain(
      [
        '~ update integration "zendesk"',
        '    writeBack.baseUrl: https://acme.zendesk.com → https://support.acme.example',
        '~ update directory entry "zendesk/agent/381"',
        '    email: dana.fischer@acme.example → dana@acme.example',
      ].join('\n'),
    );

    const since = (await t.sql.query<{ max: string }>('SELECT max(id)::text AS max FROM audit_entries'))
      .rows[0].max;
    await yaml(t.http(), '/config/apply', edited).expect(200);
    const again = await yaml(t.http(), '/config/apply', edited).expect(200);
    expect(again.body.changes).toEqual([]);
    expect(renderPlan(again.body)).toBe('No changes: the configuration already matches the file.');
    expect((await t.http().get('/integrations/zendesk').expect(200)).body.writeBack.baseUrl).toBe(
      'https://support.acme.example',
    );

    // A new token (read from the environment) is sealed; the audit entry says so without the value.
    process.env.ZENDESK_WRITEBACK_API_TOKEN = 'rotated-zendesk-token-424242';
    try {
      const rotated = await yaml(t.http(), '/config/apply', edited).expect(200);
      expect(rotated.body.changes[0].fields).toEqual([
        { path: 'writeBack.auth.apiToken', before: '(stored secret)', after: '(new secret)' },
      ]);
      expect((await yaml(t.http(), '/config/plan', edited).expect(200)).body.changes).toEqual([]);
    } finally {
      process.env.ZENDESK_WRITEBACK_API_TOKEN = SECRETS.ZENDESK_WRITEBACK_API_TOKEN;
    }
    const { rows } = await t.sql.query<{
      resource_type: string;
      resource_id: string;
      before: any;
      after: any;
    }>(`SELECT resource_type, resource_id, before, after FROM audit_entries WHERE id > $1 ORDER BY id`, [
      since,
    ]);
    expect(rows.map((r) => `${r.resource_type} ${r.resource_id}`)).toEqual([
      'integration zendesk',
      'directory zendesk/agent/381',
      'integration zendesk',
    ]);
    expect(rows[0].after.writeBack).toMatchObject({ baseUrl: 'https://support.acme.example' });
    expect(rows[0].after.writeBack.auth).toBeUndefined(); // the credentials did not change
    expect(rows[1].before.email).toBe('dana.fischer@acme.example');
    expect(rows[1].after.email).toBe('dana@acme.example');
    expect(rows[2].after.writeBack.auth).toBe('[redacted]');
    const audit = JSON.stringify(rows);
    expectNoSecrets(audit);
    expect(audit).not.toContain('rotated-zendesk-token');
    const exported = (await t.http().get('/config/export').expect(200)).text;
    expectNoSecrets(exported);
    expect(exported).not.toContain('rotated-zendesk-token');

    await yaml(t.http(), '/config/apply', EXAMPLE).expect(200);
    expect((await yaml(t.http(), '/config/plan', EXAMPLE).expect(200)).body.changes).toEqual([]);
  });

  it('deletes a directory entry only with prune; writeBack null (or left out) removes it', async () => {
    const onlyAgent =
      "directory:\n  - { integrationId: zendesk, kind: agent, externalId: '381', name: Dana Fischer, email: dana.fischer@acme.example }\n";
    const kept = await yaml(t.http(), '/config/apply', onlyAgent).expect(200);
    expect(kept.body.changes).toEqual([]);
    expect(kept.body.kept).toEqual([{ section: 'directory', id: 'zendesk/group/20' }]);
    expect(await count(t, 'SELECT count(*) FROM directory_entries')).toBe(2);
    const pruned = await yaml(t.http(), '/config/apply?prune=true', onlyAgent).expect(200);
    expect(pruned.body.changes).toEqual([
      { section: 'directory', id: 'zendesk/group/20', action: 'delete', fields: [] },
    ]);
    expect(await count(t, 'SELECT count(*) FROM directory_entries')).toBe(1);
    expect(
      await count(
        t,
        `SELECT count(*) FROM audit_entries WHERE resource_type = 'directory' AND action = 'delete' AND resource_id = 'zendesk/group/20'`,
      ),
    ).toBe(1);

    const withoutWriteBack = EXAMPLE.replace(/ {4}writeBack:.*\n.*\n.*\n/, '    writeBack: null\n');
    expect(withoutWriteBack).toContain('writeBack: null');
    const plan = await yaml(t.http(), '/config/plan', withoutWriteBack).expect(200);
    const zendesk = plan.body.changes.find((c: { id: string }) => c.id === 'zendesk');
    expect(zendesk.fields).toEqual([
      {
        path: 'writeBack',
        before: {
          baseUrl: 'https://acme.zendesk.com',
          tags: { warning: 'sla_warning', breached: 'sla_breached' },
          auth: { email: '(stored secret)', apiToken: '(stored secret)' },
        },
      },
    ]);
    const leftOut = EXAMPLE.replace(/ {4}writeBack:.*\n.*\n.*\n/, '');
    expect((await yaml(t.http(), '/config/plan', leftOut).expect(200)).body.changes).toEqual(
      plan.body.changes,
    );
    // The whole example again: the pruned group entry comes back, the write-back settings go.
    const applied = await yaml(t.http(), '/config/apply', withoutWriteBack).expect(200);
    expect(applied.body.summary).toEqual({ create: 1, update: 1, delete: 0 });
    expect(await count(t, 'SELECT count(*) FROM directory_entries')).toBe(2);
    expect((await t.http().get('/integrations/zendesk').expect(200)).body.writeBack).toBeNull();
    expect((await yaml(t.http(), '/config/plan', leftOut).expect(200)).body.changes).toEqual([]);

    // Back to the example: the write-back settings are sealed again from the environment.
    const restored = await yaml(t.http(), '/config/apply', EXAMPLE).expect(200);
    expect(restored.body.summary).toEqual({ create: 0, update: 1, delete: 0 });
    expect((await yaml(t.http(), '/config/plan', EXAMPLE).expect(200)).body.changes).toEqual([]);
  });

  it('checks write-back and directory entries like the API, with paths', async () => {
    const bad = `
integrations:
  - id: plain
    name: Plain
    provider: generic
    secret: { env: HELPDESK_SECRET }
    writeBack: { baseUrl: https://plain.example, auth: { token: { env: HELPDESK_SECRET } } }
  - id: zd2
    name: Zendesk 2
    provider: zendesk
    secret: { env: ZENDESK_SECRET }
    writeBack:
      baseUrl: http://zd2.example
      auth: { apiToken: { env: ZENDESK_WRITEBACK_API_TOKEN }, password: 'in-the-file' }
directory:
  - { integrationId: zendesk, kind: agent, externalId: '1', email: a@acme.example, channelId: sla-alerts }
  - { integrationId: zendesk, kind: boss, externalId: '2', email: b@acme.example }
`;
    const res = await yaml(t.http(), '/config/plan', bad).expect(400);
    const problems = res.body.details.problems.map(
      (p: { path: string; message: string }) => `${p.path}: ${p.message}`,
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^integrations\[1\]\.writeBack\.baseUrl: use https/),
        expect.stringMatching(/^integrations\[1\]\.writeBack\.auth\.password: /),
        'directory[0]: give exactly one of email and channelId',
        expect.stringMatching(/^directory\[1\]\.kind: /),
      ]),
    );
    expect(JSON.stringify(res.body)).not.toContain('in-the-file');

    const refs = `
integrations:
  - id: plain
    name: Plain
    provider: generic
    secret: { env: HELPDESK_SECRET }
    writeBack: { baseUrl: https://plain.example, auth: { token: { env: HELPDESK_SECRET } } }
  - id: zd2
    name: Zendesk 2
    provider: zendesk
    secret: { env: ZENDESK_SECRET }
    writeBack: { baseUrl: https://zd2.example, auth: { apiToken: { env: ZENDESK_WRITEBACK_API_TOKEN } } }
directory:
  - { integrationId: nowhere, kind: agent, externalId: '1', email: a@acme.example }
  - { integrationId: zendesk, kind: group, externalId: '2', channelId: no-channel }
`;
    const out = await yaml(t.http(), '/config/plan', refs).expect(400);
    expect(
      out.body.details.problems.map((p: { path: string; message: string }) => `${p.path}: ${p.message}`),
    ).toEqual([
      'integrations[0].writeBack: write-back is not available for provider "generic": it has no helpdesk API to write to',
      'integrations[1].writeBack.auth.email: zendesk write-back takes email, apiToken: add email as { env: NAME }',
      'directory[0].integrationId: refers to integration "nowhere", which is neither in the file\'s integrations nor in the database',
      'directory[1].channelId: refers to channel "no-channel", which is neither in the file\'s channels nor in the database',
    ]);
    expect(await count(t, `SELECT count(*) FROM integrations WHERE id IN ('plain', 'zd2')`)).toBe(0);
  });
});
