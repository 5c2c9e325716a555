import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  canonicalEvent,
  createGenericIntegration,
  postSigned,
  waitFor,
} from '../webhooks/webhook-test-kit.js';

const INTEGRATION = 'http-desk';
const MINUTE = 60_000;

/** Everything over HTTP: admin config, a signed webhook, then the tickets API. */
describe('tickets API fed by webhooks', () => {
  let t: TestApp;
  const http = () => t.http();

  beforeAll(async () => {
    t = await startTestApp();
    await createGenericIntegration(t, INTEGRATION, { defaultPriority: 'low' });
    await http()
      .post('/policies')
      .send({
        id: 'standard',
        name: 'Standard',
        position: 0,
        targets: { low: { first_response: { minutes: 240 } }, high: { first_response: { minutes: 30 } } },
      })
      .expect(201);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('shows a ticket delivered by webhook, with its clock, in the queue and on its own', async () => {
    const created = new Date(Date.now() - 10 * MINUTE).toISOString();
    const event = canonicalEvent({ eventId: 'w-1', ticketId: '9001', occurredAt: created, priority: 'high' });
    await postSigned(t, INTEGRATION, event).expect(202);

    const ticket = await waitFor(async () => {
      const res = await http().get(`/tickets/${INTEGRATION}/9001`);
      return res.status === 200 ? res.body : undefined;
    });
    expect(ticket).toMatchObject({
      externalId: '9001',
      priority: 'high',
      status: 'new',
      policyId: 'standard',
    });
    const firstResponse = ticket.clocks.find((c: { metric: string }) => c.metric === 'first_response');
    expect(firstResponse).toMatchObject({
      state: 'running',
      targetMs: 30 * MINUTE,
      deadline: new Date(Date.parse(created) + 30 * MINUTE).toISOString(),
    });

    // The same delivery again: a duplicate, nothing changes.
    await postSigned(t, INTEGRATION, event);
    const queue = (await http().get('/tickets?state=running&breachWithin=PT1H').expect(200)).body;
    expect(queue.items.map((i: { externalId: string }) => i.externalId)).toEqual(['9001']);
    expect(queue.items[0].clockVersion).toBe(1);
  });
});
