import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Priority } from '../../src/engine/types.js';
import { TicketIngestService } from '../../src/tickets/ticket-ingest.service.js';
import { SmtpReceiver } from '../notifications/smtp-receiver.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { seedIntegration, TicketStory } from '../tickets/ticket-fixtures.js';

const DESK = 'mail-desk';
const SECOND = 1000;
const PASSWORD = 'smtp-pass-0123456789';
const POLICY = {
  id: 'fast',
  name: 'Fast',
  position: 0,
  targets: {
    urgent: { first_response: { minutes: 1 } },
    high: { first_response: { minutes: 1, ladderId: 'people' } },
  },
};

interface Delivery {
  id: string;
  channelId: string | null;
  address: string | null;
  status: string;
  attempts: number;
  lastError: string | null;
  idempotencyKey: string;
}

/** E-mail over a real SMTP server on 127.0.0.1, and the directory that turns an assignee into an address. */
describe('e-mail notifications and the directory', () => {
  let t: TestApp;
  let smtp: SmtpReceiver;
  let ingest: TicketIngestService;
  const http = () => t.http();

  beforeAll(async () => {
    smtp = await new SmtpReceiver().start({ username: 'mailer', password: PASSWORD });
    t = await startTestApp({
      SMTP_URL: smtp.url('mailer', PASSWORD),
      SMTP_FROM: 'SLA Desk <sla@example.com>',
      TIMER_SCAN_SECONDS: 1,
      NOTIFY_SCAN_SECONDS: 1,
      NOTIFY_ATTEMPTS: 3,
      NOTIFY_BACKOFF_MS: 50,
      NOTIFY_DIGEST_SECONDS: 0,
    });
    await seedIntegration(t.sql, DESK);
    await http()
      .post('/ladders')
      .send({
        id: 'people',
        name: 'People',
        steps: [{ breach: true, notify: [{ type: 'assignee', fallback: 'fallback-mail' }] }],
      })
      .expect(201);
    await http().post('/policies').send(POLICY).expect(201);
    ingest = t.app.get(TicketIngestService);
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  const deliver = (id: string, ageMs: number, priority: Priority = 'urgent', assigneeId?: string) =>
    ingest.ingest({
      integrationId: DESK,
      defaultPriority: 'normal',
      events: new TicketStory(id, Date.now() - ageMs, {
        priority,
        status: 'open',
        ...(assigneeId ? { assigneeId } : {}),
      }).events,
      receivedAt: Date.now(),
    });
  const waitFor = async <T>(probe: () => T | undefined | Promise<T | undefined>, ms = 15 * SECOND) => {
    const until = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > until) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const mailsAbout = (externalId: string) =>
    smtp.mails.filter((m) => m.subject.includes(`ticket ${externalId} `));
  const deliveries = async (query: Record<string, string>): Promise<Delivery[]> =>
    (await http().get('/notifications').query(query).expect(200)).body as Delivery[];

  it('manages e-mail channels: addresses shown, bad addresses refused', async () => {
    const created = await http()
      .put('/channels/oncall')
      .send({
        type: 'email',
        name: 'On call',
        to: ['oncall@example.com', 'lead@example.com'],
        subscribe: { kinds: ['breach'], priorities: ['urgent'] },
      })
      .expect(201);
    expect(created.body).toMatchObject({
      id: 'oncall',
      type: 'email',
      to: ['oncall@example.com', 'lead@example.com'],
    });
    expect(created.body.urlHost).toBeUndefined();
    await http()
      .put('/channels/fallback-mail')
      .send({ type: 'email', name: 'Desk fallback', to: ['desk@example.com'] })
      .expect(201);
    const bad = await http()
      .put('/channels/x')
      .send({ type: 'email', name: 'x', to: ['not an address'] })
      .expect(400);
    expect(bad.body.error).toEqual(expect.any(String));
    await http().put('/channels/x').send({ type: 'email', name: 'x', to: [] }).expect(400);
    await http()
      .put('/channels/x')
      .send({ type: 'email', name: 'x', to: ['a@example.com\r\nBcc: evil@example.com'] })
      .expect(400);
  });

  it('sends a breach e-mail with subject, text and escaped HTML, and the idempotency key as Message-ID', async () => {
    const id = 'esc<b>&"1';
    await deliver(id, 58 * SECOND);
    const [mail] = await waitFor(() => (mailsAbout(id).length > 0 ? mailsAbout(id) : undefined));
    expect(mail.to.sort()).toEqual(['lead@example.com', 'oncall@example.com']);
    expect(mail.from).toBe('sla@example.com');
    expect(mail.headers.from).toBe('SLA Desk <sla@example.com>');
    expect(mail.subject).toMatch(
      /^SLA breached: first response on ticket esc<b>&"1 \(mail-desk\), deadline \d{4}-\d\d-\d\dT[\d:.]+Z\.$/,
    );
    expect(mail.text).toContain(mail.subject);
    expect(mail.text).toContain('  Clock: first response\r\n');
    expect(mail.text).toContain('Priority: urgent');
    expect(mail.html).toContain('esc&lt;b&gt;&amp;&quot;1');
    expect(mail.html).not.toContain('<b>&');
    const [delivery] = await waitFor(async () => {
      const rows = await deliveries({ channelId: 'oncall', status: 'sent' });
      return rows.length > 0 ? rows : undefined;
    });
    expect(mail.headers['x-sla-idempotency-key']).toBe(delivery.idempotencyKey);
    expect(mail.headers['message-id']).toBe(`<${delivery.idempotencyKey}@sla-tracker.invalid>`);
    expect(smtp.logins.every((l) => l.username === 'mailer' && l.password === PASSWORD)).toBe(true);
  });

  it('tries again after an SMTP 4xx and sends once', async () => {
    let refused = 0;
    smtp.reject = (raw) => (raw.includes('ticket retry-4xx ') && refused++ < 1 ? 451 : null);
    await deliver('retry-4xx', 58 * SECOND);
    await waitFor(() => (mailsAbout('retry-4xx').length > 0 ? true : undefined));
    expect(refused).toBe(2); // the refusal, then the accepted attempt was looked at once more
    const sent = await waitFor(async () => {
      const rows = (await deliveries({ channelId: 'oncall', status: 'sent' })).filter(
        (d) => d.attempts === 2,
      );
      return rows.length > 0 ? rows : undefined;
    });
    expect(sent[0].lastError).toBe('smtp server answered 451');
    await new Promise((r) => setTimeout(r, 2 * SECOND));
    expect(mailsAbout('retry-4xx')).toHaveLength(1);
  });

  it('ends failed after an SMTP 5xx at once, with no secret in the record', async () => {
    smtp.reject = (raw) => (raw.includes('ticket perm-5xx ') ? 550 : null);
    await deliver('perm-5xx', 58 * SECOND);
    const failed = await waitFor(async () => {
      const rows = await deliveries({ channelId: 'oncall', status: 'failed' });
      return rows.length > 0 ? rows[0] : undefined;
    });
    expect(failed).toMatchObject({ attempts: 1, lastError: 'smtp server answered 550' });
    const everything = JSON.stringify([
      (await http().get('/notifications').expect(200)).body,
      (await http().get('/channels').expect(200)).body,
    ]);
    expect(everything).not.toContain(PASSWORD);
    smtp.reject = () => null;
    await http().post(`/notifications/${failed.id}/retry`).expect(202);
    await waitFor(() => (mailsAbout('perm-5xx').length > 0 ? true : undefined));
  });

  it('manages the directory: admin only, validated, audited', async () => {
    const agentKey = await t.keyFor('agent');
    await http().get('/directory').set('authorization', `Bearer ${agentKey}`).expect(403);
    await http().put(`/directory/${DESK}/agent/agent-7`).send({ email: 'agent7@example.com' }).expect(201);
    await http()
      .put(`/directory/${DESK}/agent/agent-7`)
      .send({ name: 'Agent Seven', email: 'agent7@example.com' })
      .expect(200);
    await http().put(`/directory/${DESK}/group/tier-2`).send({ channelId: 'oncall' }).expect(201);
    await http().put(`/directory/${DESK}/group/g`).send({ channelId: 'nope' }).expect(422);
    await http().put(`/directory/no-desk/agent/a`).send({ email: 'a@example.com' }).expect(422);
    await http()
      .put(`/directory/${DESK}/agent/a`)
      .send({ email: 'a@example.com', channelId: 'oncall' })
      .expect(400);
    await http().put(`/directory/${DESK}/robot/a`).send({ email: 'a@example.com' }).expect(400);
    const one = await http().get(`/directory/${DESK}/agent/agent-7`).expect(200);
    expect(one.body).toMatchObject({ name: 'Agent Seven', email: 'agent7@example.com', channelId: null });
    await http().get(`/directory/${DESK}/agent/nobody`).expect(404);
    const list = await http().get('/directory').query({ integrationId: DESK }).expect(200);
    expect(list.body.map((e: { externalId: string }) => e.externalId)).toEqual(['agent-7', 'tier-2']);
    await http().delete(`/directory/${DESK}/group/tier-2`).expect(204);
    await http().delete(`/directory/${DESK}/group/tier-2`).expect(404);
    const audit = await http().get('/audit').query({ resourceType: 'directory' }).expect(200);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual([
      'delete',
      'create',
      'update',
      'create',
    ]);
    expect(audit.body.items[2].resourceId).toBe(`${DESK}/agent/agent-7`);
  });

  it("sends the assignee's step to the address the directory gives, and an unknown assignee's to the fallback", async () => {
    await deliver('for-agent-7', 58 * SECOND, 'high', 'agent-7');
    await deliver('for-stranger', 58 * SECOND, 'high', 'agent-unknown');
    const [mine] = await waitFor(() =>
      smtp.to('agent7@example.com').length > 0 ? smtp.to('agent7@example.com') : undefined,
    );
    expect(mine.subject).toContain('ticket for-agent-7 ');
    const [fallback] = await waitFor(() =>
      smtp.to('desk@example.com').length > 0 ? smtp.to('desk@example.com') : undefined,
    );
    expect(fallback.subject).toContain('ticket for-stranger ');
    const direct = await waitFor(async () => {
      const rows = (await deliveries({ status: 'sent' })).filter((d) => d.address === 'agent7@example.com');
      return rows.length > 0 ? rows : undefined;
    });
    expect(direct[0].channelId).toBeNull();
    expect((await deliveries({ channelId: 'fallback-mail', status: 'sent' })).length).toBe(1);
    const metrics = await http().get('/metrics').expect(200);
    expect(metrics.text).toMatch(/sla_notifications\{channel_type="email",status="sent"\} \d+/);
  });
});
