import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketIngestService } from '../../src/tickets/ticket-ingest.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { seedIntegration, TicketStory } from '../tickets/ticket-fixtures.js';

const DESK = 'dispatch-desk';
const SECOND = 1000;

/**
 * Deliveries are planned by the listener of the write that recorded the step, not left to the reconciler (off here:
 * one pass an hour). A step whose ladder names the ticket's assignee gets its delivery from the directory at once.
 */
describe('notifications planned as steps are recorded', () => {
  let t: TestApp;
  let ingest: TicketIngestService;
  const http = () => t.http();

  beforeAll(async () => {
    t = await startTestApp({ NOTIFY_SCAN_SECONDS: 3600, NOTIFY_DIGEST_SECONDS: 0 });
    await seedIntegration(t.sql, DESK);
    await http()
      .post('/ladders')
      .send({ id: 'people', name: 'People', steps: [{ breach: true, notify: [{ type: 'assignee' }] }] })
      .expect(201);
    await http()
      .post('/policies')
      .send({
        id: 'fast',
        name: 'Fast',
        position: 0,
        targets: {
          urgent: { first_response: { minutes: 1 } },
          high: { first_response: { minutes: 1, ladderId: 'people' } },
        },
      })
      .expect(201);
    await http().put(`/directory/${DESK}/agent/agent-7`).send({ email: 'agent7@example.com' }).expect(201);
    ingest = t.app.get(TicketIngestService);
  });
  afterAll(async () => {
    await t?.close();
  });

  const addressesOf = async (externalId: string) =>
    (
      await t.sql.query(
        `SELECT n.address FROM notifications n JOIN sla_steps s ON s.id = n.step_id
         JOIN tickets t ON t.id = s.ticket_id WHERE t.external_id = $1 AND n.event = 'step'`,
        [externalId],
      )
    ).rows.map((r: { address: string | null }) => r.address);

  it("plans the assignee's delivery from the directory as soon as the breach is recorded", async () => {
    // Created 61 s ago with a 1-minute target: the breach is recorded by this very write.
    await ingest.ingest({
      integrationId: DESK,
      defaultPriority: 'normal',
      events: new TicketStory('for-agent-7', Date.now() - 61 * SECOND, {
        priority: 'high',
        status: 'open',
        assigneeId: 'agent-7',
      }).events,
      receivedAt: Date.now(),
    });
    const until = Date.now() + 5 * SECOND;
    while ((await addressesOf('for-agent-7')).length === 0 && Date.now() < until)
      await new Promise((r) => setTimeout(r, 50));
    expect(await addressesOf('for-agent-7')).toEqual(['agent7@example.com']);
  });
});
