import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Priority } from '../../src/engine/types.js';
import { TicketIngestService } from '../../src/tickets/ticket-ingest.service.js';
import { Receiver, type Received } from '../notifications/receiver.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { seedIntegration, TicketStory } from '../tickets/ticket-fixtures.js';

const DESK = 'notify-desk';
const SECOND = 1000;
const SECRET = 'whsec-0123456789abcdef';
const POLICY = {
  id: 'fast',
  name: 'Fast',
  position: 0,
  targets: {
    urgent: { first_response: { minutes: 1, warnAtPercent: [90] }, resolution: { minutes: 30 } },
    normal: { first_response: { minutes: 10 }, resolution: { minutes: 30 } },
  },
};

interface WebhookBody {
  id: string;
  type: string;
  ticket: { externalId: string };
  clock: { metric: string };
}

describe('notifications: breaches and withdrawals delivered once, signed, retried', () => {
  let t: TestApp;
  let receiver: Receiver;
  let ingest: TicketIngestService;
  const http = () => t.http();

  beforeAll(async () => {
    receiver = await new Receiver().start();
    t = await startTestApp({
      TIMER_SCAN_SECONDS: 1,
      NOTIFY_SCAN_SECONDS: 1,
      NOTIFY_ATTEMPTS: 3,
      NOTIFY_BACKOFF_MS: 50,
    });
    await seedIntegration(t.sql, DESK);
    await http().post('/policies').send(POLICY).expect(201);
    ingest = t.app.get(TicketIngestService);
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  const deliver = (story: TicketStory) =>
    ingest.ingest({
      integrationId: DESK,
      defaultPriority: 'normal',
      events: story.events,
      receivedAt: Date.now(),
    });
  const open = (id: string, ageMs: number, priority: Priority = 'urgent') =>
    new TicketStory(id, Date.now() - ageMs, { priority, status: 'open' });
  const waitFor = async <T>(probe: () => T | undefined | Promise<T | undefined>, ms = 15 * SECOND) => {
    const until = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > until) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const hooks = (path: string, externalId: string, type?: string): Array<Received & { json: WebhookBody }> =>
    receiver
      .on(path)
      .map((r) => ({ ...r, json: JSON.parse(r.body) as WebhookBody }))
      .filter((r) => r.json.ticket?.externalId === externalId && (!type || r.json.type === type));
  const settle = () => new Promise((r) => setTimeout(r, 3 * SECOND));

  it('manages channels without ever returning their secrets', async () => {
    const hook = { type: 'webhook', name: 'Ops', url: `${receiver.url}/hook`, secret: SECRET };
    const created = await http()
      .post('/channels')
      .send({ id: 'ops', ...hook, subscribe: { kinds: ['breach'] } })
      .expect(201);
    expect(created.body).toMatchObject({ id: 'ops', type: 'webhook', urlHost: receiver.url });
    expect(JSON.stringify(created.body)).not.toContain(SECRET);
    expect(JSON.stringify(created.body)).not.toContain('/hook');
    await http()
      .post('/channels')
      .send({ id: 'ops', ...hook })
      .expect(409);
    const bad = await http().post('/channels').send({ id: 'x', type: 'pager', name: 'x' }).expect(400);
    expect(bad.body.error).toEqual(expect.any(String));
    await http()
      .post('/channels')
      .send({ id: 'y', ...hook, secret: 'short' })
      .expect(400);
    await http()
      .put('/channels/team-slack')
      .send({
        type: 'slack',
        name: 'Team',
        url: `${receiver.url}/slack/T000/B000/XXX`,
        subscribe: { kinds: ['warning', 'breach'], metrics: ['first_response'], priorities: ['urgent'] },
      })
      .expect(201);
    await http()
      .put('/channels/broken')
      .send({
        type: 'webhook',
        name: 'Broken',
        url: `${receiver.url}/broken`,
        secret: SECRET,
        subscribe: { kinds: ['breach'] },
      })
      .expect(201);
    const list = await http().get('/channels').expect(200);
    expect(list.body.map((c: { id: string }) => c.id)).toEqual(['broken', 'ops', 'team-slack']);
    await http().get('/channels/nope').expect(404);
    await http().delete('/channels/nope').expect(404);
  });

  it('sends a breach once to the webhook (signed) and to Slack, and the warning to Slack only', async () => {
    receiver.statusFor.set('/broken', 500);
    // Created 55 s ago: the 90 % warning is already due, the breach in 5 s.
    await deliver(open('breached', 55 * SECOND));
    const [hit] = await waitFor(() => {
      const found = hooks('/hook', 'breached', 'sla.breach');
      return found.length > 0 ? found : undefined;
    });
    expect(hit.method).toBe('POST');
    expect(hit.json).toMatchObject({ type: 'sla.breach', clock: { metric: 'first_response' } });
    const timestamp = String(hit.headers['x-sla-timestamp']);
    const expected = createHmac('sha256', SECRET).update(`${timestamp}.${hit.body}`).digest('hex');
    expect(hit.headers['x-signature-256']).toBe(`sha256=${expected}`);
    expect(hit.headers['idempotency-key']).toBe(hit.json.id);

    const slack = await waitFor(() => {
      const found = receiver
        .on('/slack/T000/B000/XXX')
        .map((r) => JSON.parse(r.body) as { text: string; blocks: unknown[] })
        .filter((b) => b.text.includes('ticket breached '));
      return found.length >= 2 ? found : undefined;
    });
    expect(slack.map((b) => b.text.split(':')[0]).sort()).toEqual(['SLA breached', 'SLA warning']);
    expect(slack[0].blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn' } });
    await settle();
    // Reconciler passes ran meanwhile: still once each.
    expect(hooks('/hook', 'breached')).toHaveLength(1);
    const rows = await http().get('/notifications').query({ channelId: 'ops', status: 'sent' }).expect(200);
    expect(rows.body.length).toBeGreaterThanOrEqual(1);
  });

  it('retries a failing receiver, ends failed, and the retry endpoint sends it', async () => {
    const failed = await waitFor(async () => {
      const res = await http().get('/notifications').query({ channelId: 'broken', status: 'failed' });
      return res.body.length > 0 ? res.body[0] : undefined;
    });
    expect(failed).toMatchObject({ attempts: 3, lastError: 'webhook receiver answered HTTP 500' });
    await http().post(`/notifications/${failed.id}/retry`).expect(202);
    await http().post(`/notifications/${failed.id}/retry`).expect(409);
    await http().post('/notifications/999999/retry').expect(404);
    await http().get('/notifications').query({ status: 'bogus' }).expect(400);
  });

  it('lets the retry through once the receiver recovers', async () => {
    receiver.statusFor.set('/broken', 200);
    const [row] = (await http().get('/notifications').query({ channelId: 'broken' })).body as Array<{
      id: string;
    }>;
    await waitFor(async () => {
      const res = await http().get('/notifications').query({ channelId: 'broken', status: 'failed' });
      for (const f of res.body as Array<{ id: string }>) await http().post(`/notifications/${f.id}/retry`);
      const sent = await http().get('/notifications').query({ channelId: 'broken', status: 'sent' });
      return sent.body.some((n: { id: string }) => n.id === row.id) ? true : undefined;
    });
  });

  it('notifies a withdrawal where the breach went', async () => {
    const story = open('withdrawn', 62 * SECOND);
    await deliver(story);
    await waitFor(() => (hooks('/hook', 'withdrawn', 'sla.breach').length > 0 ? true : undefined));
    // The agent's reply happened before the deadline, and arrives now.
    await deliver(story.comment('late-reply', Date.now() - 10 * SECOND, 'agent'));
    const [withdrawal] = await waitFor(() => {
      const found = hooks('/hook', 'withdrawn', 'sla.breach_withdrawn');
      return found.length > 0 ? found : undefined;
    });
    expect(withdrawal.json.clock.metric).toBe('first_response');
    await settle();
    expect(hooks('/hook', 'withdrawn')).toHaveLength(2);
  });

  it('counts deliveries by channel type and status in /metrics', async () => {
    const metrics = await http().get('/metrics').expect(200);
    expect(metrics.text).toMatch(/sla_notifications\{channel_type="webhook",status="sent"\} \d+/);
    expect(metrics.text).toMatch(/sla_notifications\{channel_type="slack",status="sent"\} \d+/);
  });
});
