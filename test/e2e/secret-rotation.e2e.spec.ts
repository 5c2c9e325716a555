import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrationSettingsService } from '../../src/integrations/integration-settings.service.js';
import { loadSequence, providerHeaders, type Credential } from '../support/helpdesk-e2e.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { canonicalEvent, postSigned } from '../webhooks/webhook-test-kit.js';

const OLD_SECRET = 'rotation-old-secret-0123456789';
const NEW_SECRET = 'rotation-new-secret-9876543210';
const OLD_PASSWORD = 'old-basic-password-42';
const NEW_PASSWORD = 'new-basic-password-43';

/**
 * Rotation over real HTTP and PostgreSQL: both credential sets are accepted during the grace period, only the new
 * one after it; the integration shows which sets are active and until when, never a value.
 */
describe('integration secret rotation', () => {
  let t: TestApp;
  let n = 0;
  const http = () => t.http();
  const event = () => {
    n++;
    return canonicalEvent({ eventId: `rot-${n}`, ticketId: `R-${n}`, occurredAt: new Date().toISOString() });
  };
  const secretsIn = (text: string) =>
    [OLD_SECRET, NEW_SECRET, OLD_PASSWORD, NEW_PASSWORD].filter((s) => text.includes(s));

  beforeAll(async () => {
    t = await startTestApp({ ROLE: 'api' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('generic HMAC: accepts the old and the new secret during the grace period, only the new one after', async () => {
    await http()
      .post('/integrations')
      .send({ id: 'rot-generic', name: 'Rotating', provider: 'generic', secret: OLD_SECRET })
      .expect(201);
    await postSigned(t, 'rot-generic', event(), OLD_SECRET).expect(202);
    await postSigned(t, 'rot-generic', event(), NEW_SECRET).expect(401);

    const rotated = await http()
      .post('/integrations/rot-generic/rotate-secret')
      .send({ secret: NEW_SECRET, gracePeriodSeconds: 3 })
      .expect(200);
    const [current, previous] = rotated.body.activeCredentials;
    expect(rotated.body.activeCredentials).toHaveLength(2);
    expect(current).toMatchObject({ label: 'current', kinds: ['secret'], expiresAt: null });
    expect(previous).toMatchObject({ label: 'previous', kinds: ['secret'] });
    const expiresAt = Date.parse(previous.expiresAt);
    expect(expiresAt - Date.now()).toBeGreaterThan(1_000);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(3_000);

    // During the grace period: both secrets; anything else is still refused.
    await postSigned(t, 'rot-generic', event(), NEW_SECRET).expect(202);
    await postSigned(t, 'rot-generic', event(), OLD_SECRET).expect(202);
    const wrong = await postSigned(t, 'rot-generic', event(), 'some-other-secret-000000').expect(401);
    expect(wrong.body.error).toBe('invalid_signature');

    const shown = await http().get('/integrations/rot-generic').expect(200);
    expect(shown.body.activeCredentials.map((c: { label: string }) => c.label)).toEqual([
      'current',
      'previous',
    ]);

    // After it: the old secret stops, exactly at its expiry, in this process (its cached settings included).
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now()) + 50));
    const late = await postSigned(t, 'rot-generic', event(), OLD_SECRET).expect(401);
    expect(late.body).toEqual({
      error: 'invalid_signature',
      message: expect.any(String),
      requestId: expect.any(String),
    });
    await postSigned(t, 'rot-generic', event(), NEW_SECRET).expect(202);
    // The rotation is in the audit log, its secrets redacted.
    const audit = await http().get('/audit?resourceType=integration&resourceId=rot-generic&action=rotate');
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0].after.secret).toBe('[redacted]');
    expect(secretsIn(JSON.stringify(audit.body))).toEqual([]);
    const after = await http().get('/integrations/rot-generic').expect(200);
    expect(after.body.activeCredentials).toEqual([
      expect.objectContaining({ label: 'current', expiresAt: null }),
    ]);

    for (const res of [rotated, shown, after]) expect(secretsIn(JSON.stringify(res.body))).toEqual([]);
    const { rows } = await t.sql.query('SELECT * FROM integrations WHERE id = $1', ['rot-generic']);
    expect(secretsIn(JSON.stringify(rows[0]))).toEqual([]);
    expect(rows[0].previous_credentials[0].signingSecretSealed).toMatch(/^v1\./);
  });

  it('Freshdesk basic auth: both passwords during the grace period (default 24 h), only the new one once it ends', async () => {
    const old: Credential = { kind: 'basicAuth', username: 'fd', password: OLD_PASSWORD };
    const fresh: Credential = { kind: 'basicAuth', username: 'fd-2', password: NEW_PASSWORD };
    const { deliveries } = loadSequence('freshdesk');
    const post = (credential: Credential, i: number) =>
      http()
        .post('/webhooks/rot-freshdesk')
        .set(providerHeaders('freshdesk', credential, deliveries[i]!))
        .send(deliveries[i]!.body.toString('utf8'));
    await http()
      .post('/integrations')
      .send({
        id: 'rot-freshdesk',
        name: 'Freshdesk',
        provider: 'freshdesk',
        basicAuth: { username: 'fd', password: OLD_PASSWORD },
      })
      .expect(201);
    await post(old, 0).expect(202);

    const started = Date.now();
    const rotated = await http()
      .post('/integrations/rot-freshdesk/rotate-secret')
      .send({ basicAuth: { username: 'fd-2', password: NEW_PASSWORD } })
      .expect(200);
    const previous = rotated.body.activeCredentials[1];
    expect(rotated.body.activeCredentials[0]).toMatchObject({
      label: 'current',
      kinds: ['basicAuth'],
      basicAuthUsername: 'fd-2',
    });
    expect(previous).toMatchObject({ label: 'previous', kinds: ['basicAuth'], basicAuthUsername: 'fd' });
    const grace = Date.parse(previous.expiresAt) - started;
    expect(grace).toBeGreaterThan(24 * 3600_000 - 60_000);
    expect(grace).toBeLessThanOrEqual(24 * 3600_000 + 1_000);

    await post(fresh, 1).expect(202);
    await post(old, 2).expect(202);
    // The old username with the new password (or the reverse) is neither set.
    await post({ ...fresh, username: 'fd' }, 3).expect(401);
    await post({ ...old, username: 'fd-2' }, 3).expect(401);

    // The grace period ends (moved in the database; other processes re-read settings within their 10 s TTL).
    await t.sql.query(
      `UPDATE integrations SET previous_credentials = jsonb_set(previous_credentials, '{0,expiresAt}', to_jsonb($2::text))
        WHERE id = $1`,
      ['rot-freshdesk', new Date(Date.now() - 1000).toISOString()],
    );
    t.app.get(IntegrationSettingsService).invalidate('rot-freshdesk');
    const refused = await post(old, 3).expect(401);
    expect(refused.body.error).toBe('invalid_credentials');
    await post(fresh, 3).expect(202);
    const shown = await http().get('/integrations/rot-freshdesk').expect(200);
    expect(shown.body.activeCredentials).toHaveLength(1);
    expect(secretsIn(JSON.stringify([rotated.body, shown.body]))).toEqual([]);
  });

  it('Jira (X-Hub-Signature) accepts the previous secret during the grace period too', async () => {
    const { deliveries } = loadSequence('jira');
    const post = (secret: string, i: number) =>
      http()
        .post('/webhooks/rot-jira')
        .set(providerHeaders('jira', { kind: 'hmac', secret }, deliveries[i]!))
        .send(deliveries[i]!.body.toString('utf8'));
    await http()
      .post('/integrations')
      .send({ id: 'rot-jira', name: 'Jira', provider: 'jira', secret: OLD_SECRET })
      .expect(201);
    await http().post('/integrations/rot-jira/rotate-secret').send({ secret: NEW_SECRET }).expect(200);
    await post(OLD_SECRET, 0).expect(202);
    await post(NEW_SECRET, 1).expect(202);
    await post('not-the-jira-secret-000000', 2).expect(401);
  });

  it('a grace period of 0, or a PUT of a credential, ends every earlier set at once', async () => {
    await http()
      .post('/integrations')
      .send({ id: 'rot-now', name: 'Now', provider: 'generic', secret: OLD_SECRET })
      .expect(201);
    await http().post('/integrations/rot-now/rotate-secret').send({ secret: NEW_SECRET }).expect(200);
    await postSigned(t, 'rot-now', event(), OLD_SECRET).expect(202);
    const third = 'rotation-third-secret-000000';
    const res = await http()
      .post('/integrations/rot-now/rotate-secret')
      .send({ secret: third, gracePeriodSeconds: 0 })
      .expect(200);
    expect(res.body.activeCredentials).toHaveLength(1);
    await postSigned(t, 'rot-now', event(), OLD_SECRET).expect(401);
    await postSigned(t, 'rot-now', event(), NEW_SECRET).expect(401);
    await postSigned(t, 'rot-now', event(), third).expect(202);

    await http().post('/integrations/rot-now/rotate-secret').send({ secret: NEW_SECRET }).expect(200);
    await postSigned(t, 'rot-now', event(), third).expect(202);
    const put = await http().put('/integrations/rot-now').send({ secret: OLD_SECRET }).expect(200);
    expect(put.body.activeCredentials).toHaveLength(1);
    await postSigned(t, 'rot-now', event(), third).expect(401);
    await postSigned(t, 'rot-now', event(), NEW_SECRET).expect(401);
    await postSigned(t, 'rot-now', event(), OLD_SECRET).expect(202);
  });

  it('keeps at most three earlier sets, each with its own expiry', async () => {
    const secrets = [0, 1, 2, 3, 4].map((i) => `rotation-chain-secret-${i}-000000`);
    await http()
      .post('/integrations')
      .send({ id: 'rot-chain', name: 'Chain', provider: 'generic', secret: secrets[0] })
      .expect(201);
    let res;
    for (const secret of secrets.slice(1)) {
      res = await http().post('/integrations/rot-chain/rotate-secret').send({ secret }).expect(200);
    }
    expect(res!.body.activeCredentials.map((c: { label: string }) => c.label)).toEqual([
      'current',
      'previous',
      'previous',
      'previous',
    ]);
    await postSigned(t, 'rot-chain', event(), secrets[0]).expect(401);
    for (const secret of secrets.slice(1)) await postSigned(t, 'rot-chain', event(), secret).expect(202);
  });

  it('refuses bad rotations with 4xx JSON', async () => {
    await http()
      .post('/integrations')
      .send({ id: 'rot-bad', name: 'Bad', provider: 'generic', secret: OLD_SECRET })
      .expect(201);
    const none = await http().post('/integrations/rot-bad/rotate-secret').send({}).expect(400);
    expect(none.body.error).toBe('validation_failed');
    const tooLong = await http()
      .post('/integrations/rot-bad/rotate-secret')
      .send({ secret: NEW_SECRET, gracePeriodSeconds: 8 * 24 * 3600 })
      .expect(400);
    expect(tooLong.body.message).toMatch(/gracePeriodSeconds/);
    await http().post('/integrations/rot-bad/rotate-secret').send({ secret: 'short' }).expect(400);
    const missing = await http()
      .post('/integrations/nope/rotate-secret')
      .send({ secret: NEW_SECRET })
      .expect(404);
    expect(missing.body.error).toBe('not_found');
    const manager = await t.keyFor('manager');
    await http()
      .post('/integrations/rot-bad/rotate-secret')
      .set('authorization', `Bearer ${manager}`)
      .send({ secret: NEW_SECRET })
      .expect(403);
    await postSigned(t, 'rot-bad', event(), OLD_SECRET).expect(202);
  });
});
