import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketIngestService } from '../../src/tickets/ticket-ingest.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { seedIntegration, TicketStory } from '../tickets/ticket-fixtures.js';
import { itLeavesWriteDigestsTrue } from '../support/write-digests.js';

const DESK = 'ladder-desk';
const SECOND = 1000;

/** Escalation ladders: per tier, overridable per policy target; steps at a %, at the breach and after it. */
describe('escalation ladders', () => {
  let t: TestApp;
  let ingest: TicketIngestService;
  const http = () => t.http();

  beforeAll(async () => {
    t = await startTestApp({ TIMER_SCAN_SECONDS: 1 });
    await seedIntegration(t.sql, DESK);
    ingest = t.app.get(TicketIngestService);
    await http().post('/tiers').send({ id: 'enterprise', name: 'Enterprise' }).expect(201);
    await http()
      .post('/policies')
      .send({
        id: 'fast',
        name: 'Fast',
        position: 0,
        targets: {
          urgent: { first_response: { minutes: 1 } },
          high: { first_response: { minutes: 1, ladderId: 'vip' } },
        },
      })
      .expect(422); // the ladder does not exist yet
  });
  afterAll(async () => {
    await t?.close();
  });

  const deliver = (id: string, ageMs: number, priority: 'urgent' | 'high' = 'urgent') =>
    ingest.ingest({
      integrationId: DESK,
      defaultPriority: 'normal',
      events: new TicketStory(id, Date.now() - ageMs, { priority, status: 'open', tier: 'enterprise' })
        .events,
      receivedAt: Date.now(),
    });

  const steps = async (externalId: string) =>
    (
      await t.sql.query(
        `SELECT s.step, s.kind, s.status, s.recipients FROM sla_steps s JOIN tickets t ON t.id = s.ticket_id
         WHERE t.external_id = $1 AND s.metric = 'first_response' ORDER BY s.due_at, s.id`,
        [externalId],
      )
    ).rows as Array<{ step: string; kind: string; status: string; recipients: unknown[] }>;

  it('validates ladders: one trigger per step, known tiers, and policies must name existing ladders', async () => {
    const bad = await http()
      .post('/ladders')
      .send({ name: 'x', steps: [{ percent: 50, breach: true, notify: [{ type: 'assignee' }] }] })
      .expect(400);
    expect(JSON.stringify(bad.body)).toContain('exactly one of percent, breach and afterBreachMinutes');
    await http()
      .post('/ladders')
      .send({ name: 'x', tiers: ['nope'], steps: [{ breach: true, notify: [{ type: 'group' }] }] })
      .expect(422);

    await http()
      .post('/ladders')
      .send({
        id: 'enterprise-ladder',
        name: 'Enterprise',
        tiers: ['enterprise'],
        steps: [
          { percent: 50, notify: [{ type: 'assignee' }] },
          { breach: true, notify: [{ type: 'channel', id: 'team-leads' }] },
          { afterBreachMinutes: 1, basis: 'calendar', notify: [{ type: 'channel', id: 'head-of-support' }] },
        ],
      })
      .expect(201);
    await http()
      .post('/ladders')
      .send({
        id: 'vip',
        name: 'VIP',
        steps: [{ breach: true, notify: [{ type: 'channel', id: 'vip-desk' }] }],
      })
      .expect(201);
    await http()
      .post('/policies')
      .send({
        id: 'fast',
        name: 'Fast',
        position: 0,
        targets: {
          urgent: { first_response: { minutes: 1 } },
          high: { first_response: { minutes: 1, ladderId: 'vip' } },
        },
      })
      .expect(201);
    expect((await http().delete('/ladders/vip').expect(409)).body.error).toBe('in_use');
  });

  it("records the tier ladder's steps with their recipients: the % step now, the breach at the deadline", async () => {
    await deliver('ladder-a', 55 * SECOND);
    expect(await steps('ladder-a')).toEqual([
      { step: 'warning-50', kind: 'warning', status: 'recorded', recipients: [{ type: 'assignee' }] },
    ]);
    const until = Date.now() + 10 * SECOND;
    while ((await steps('ladder-a')).length < 2 && Date.now() < until)
      await new Promise((r) => setTimeout(r, 100));
    expect((await steps('ladder-a'))[1]).toEqual({
      step: 'breach',
      kind: 'breach',
      status: 'recorded',
      recipients: [{ type: 'channel', id: 'team-leads' }],
    });
  });

  it('sends only the latest of several overdue steps; the earlier ones are recorded as skipped (rule 26)', async () => {
    await deliver('ladder-b', 125 * SECOND);
    expect((await steps('ladder-b')).map((s) => [s.step, s.status])).toEqual([
      ['warning-50', 'skipped'],
      ['breach', 'skipped'],
      ['breach+1m', 'recorded'],
    ]);
  });

  it("uses the policy target's ladder instead of the tier's", async () => {
    await deliver('ladder-vip', 65 * SECOND, 'high');
    expect(await steps('ladder-vip')).toEqual([
      {
        step: 'breach',
        kind: 'breach',
        status: 'recorded',
        recipients: [{ type: 'channel', id: 'vip-desk' }],
      },
    ]);
  });

  it('an acknowledged breach stops the rest of its ladder', async () => {
    await deliver('ladder-ack', 62 * SECOND);
    const { rows } = await t.sql.query(
      `SELECT s.id, t.id AS ticket_id, t.next_step_at FROM sla_steps s JOIN tickets t ON t.id = s.ticket_id
       WHERE t.external_id = 'ladder-ack' AND s.step = 'breach'`,
    );
    expect(rows[0].next_step_at).not.toBeNull(); // the escalation a minute after the breach
    await http().post(`/breaches/${rows[0].id}/ack`).send({ note: 'on it' }).expect(200);
    await ingest.reevaluate(rows[0].ticket_id);
    const after = await t.sql.query('SELECT next_step_at FROM tickets WHERE id = $1', [rows[0].ticket_id]);
    expect(after.rows[0].next_step_at).toBeNull();
  });

  itLeavesWriteDigestsTrue(() => t.sql);
});
