import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveEventStream } from '../../src/live-events/live-event-stream.js';
import { TicketIngestService } from '../../src/tickets/ticket-ingest.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { seedIntegration, TicketStory } from '../tickets/ticket-fixtures.js';

const DESK = 'live-desk';

interface SseEvent {
  id?: string;
  event?: string;
  data?: Record<string, unknown>;
}

let bearer = '';

/** A minimal SSE client over node:http (with the test's admin key): collects parsed events until closed. */
function connect(
  url: string,
  headers: Record<string, string> = {},
): { events: SseEvent[]; close: () => void; status: Promise<number> } {
  const events: SseEvent[] = [];
  let buffer = '';
  let resolveStatus!: (s: number) => void;
  const status = new Promise<number>((r) => (resolveStatus = r));
  const req = http.get(
    url,
    { headers: { accept: 'text/event-stream', authorization: `Bearer ${bearer}`, ...headers } },
    (res) => {
      resolveStatus(res.statusCode ?? 0);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event: SseEvent = {};
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) event.id = line.slice(4);
            else if (line.startsWith('event: ')) event.event = line.slice(7);
            else if (line.startsWith('data: ')) event.data = JSON.parse(line.slice(6));
          }
          if (event.event) events.push(event);
        }
      });
    },
  );
  req.on('error', () => undefined);
  return { events, close: () => req.destroy(), status };
}

const until = async (check: () => boolean, ms = 8000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
};

/** GET /events on an API process, fed by a separate worker process through Redis. */
describe('live events (SSE)', () => {
  let worker: TestApp;
  let api: TestApp;
  let base: string;

  beforeAll(async () => {
    worker = await startTestApp({ ROLE: 'worker' });
    api = await startTestApp({
      ROLE: 'api',
      DATABASE_URL: worker.config.DATABASE_URL,
      QUEUE_PREFIX: worker.config.QUEUE_PREFIX,
    });
    await api.app.listen({ port: 0, host: '127.0.0.1' });
    base = (await api.app.getUrl()).replace('[::1]', '127.0.0.1');
    bearer = api.adminKey;
    await seedIntegration(worker.sql, DESK);
    await api
      .http()
      .post('/policies')
      .send({ id: 'p', name: 'P', position: 0, targets: { normal: { first_response: { minutes: 1 } } } })
      .expect(201);
  });
  afterAll(async () => {
    await api?.close();
    await worker?.close();
  });

  const deliver = (id: string, tier: string, ageMs = 0) =>
    worker.app.get(TicketIngestService).ingest({
      integrationId: DESK,
      defaultPriority: 'normal',
      events: new TicketStory(id, Date.now() - ageMs, { tier, status: 'open' }).events,
      receivedAt: Date.now(),
    });

  it('delivers an event produced in a worker process to a client of an API process, filtered', async () => {
    const all = connect(`${base}/events`);
    const gold = connect(`${base}/events?tier=gold`);
    expect(await all.status).toBe(200);
    await new Promise((r) => setTimeout(r, 200)); // the hub's reader is listening
    await deliver('L1', 'silver');
    await deliver('L2', 'gold');
    await until(() => all.events.filter((e) => e.event === 'clock.changed').length >= 2);
    await until(() => gold.events.length >= 1);
    expect(gold.events.map((e) => e.data?.externalId)).toEqual(['L2']);
    expect(all.events[0]).toMatchObject({
      id: expect.stringMatching(/^\d+-\d+$/),
      event: 'clock.changed',
      data: { type: 'clock.changed', integrationId: DESK, externalId: 'L1', tier: 'silver' },
    });
    all.close();
    gold.close();
  });

  it('resumes from Last-Event-ID without losing what happened while disconnected', async () => {
    const first = connect(`${base}/events?types=clock.changed`);
    await first.status;
    await new Promise((r) => setTimeout(r, 200));
    await deliver('R1', 'gold');
    await until(() => first.events.some((e) => e.data?.externalId === 'R1'));
    const lastId = first.events.at(-1)!.id!;
    first.close();
    await deliver('R2', 'gold'); // while nobody listens
    await deliver('R3', 'gold');
    const again = connect(`${base}/events?types=clock.changed`, { 'last-event-id': lastId });
    await until(() => again.events.length >= 2);
    expect(again.events.map((e) => e.data?.externalId)).toEqual(['R2', 'R3']);
    await deliver('R4', 'gold'); // and live again afterwards
    await until(() => again.events.length >= 3);
    expect(again.events.map((e) => e.data?.externalId)).toEqual(['R2', 'R3', 'R4']);
    again.close();
  });

  it('announces breaches and their acknowledgement', async () => {
    const client = connect(`${base}/events?types=step.breach,breach.acknowledged`);
    await client.status;
    await new Promise((r) => setTimeout(r, 200));
    await deliver('B1', 'gold', 2 * 60_000); // one minute past its deadline
    await until(() => client.events.some((e) => e.event === 'step.breach'));
    const breach = client.events.find((e) => e.event === 'step.breach')!;
    expect(breach.data).toMatchObject({ externalId: 'B1', metric: 'first_response', step: 'breach' });
    await api
      .http()
      .post(`/breaches/${String(breach.data!.stepId)}/ack`)
      .send({})
      .expect(200);
    await until(() => client.events.some((e) => e.event === 'breach.acknowledged'));
    expect(client.events.at(-1)!.data).toMatchObject({ externalId: 'B1', by: 'test-admin' });
    client.close();
  });

  it("filters by the key's role: agents get no escalations or acknowledgements; managers do", async () => {
    const agentKey = await api.keyFor('agent');
    const managerKey = await api.keyFor('manager');
    const agent = connect(`${base}/events`, { authorization: `Bearer ${agentKey}` });
    const agentB2 = connect(`${base}/events?ticket=B2&tier=gold`, { authorization: `Bearer ${agentKey}` });
    const manager = connect(`${base}/events?ticket=B2`, { authorization: `Bearer ${managerKey}` });
    expect([await agent.status, await agentB2.status, await manager.status]).toEqual([200, 200, 200]);
    await new Promise((r) => setTimeout(r, 200));
    await deliver('B3', 'gold');
    await deliver('B2', 'gold', 2 * 60_000);
    await until(() => manager.events.some((e) => e.event === 'step.breach'));
    const breach = manager.events.find((e) => e.event === 'step.breach')!;
    await api
      .http()
      .post(`/breaches/${String(breach.data!.stepId)}/ack`)
      .send({})
      .expect(200);
    await until(() => manager.events.some((e) => e.event === 'breach.acknowledged'));
    await deliver('B4', 'gold'); // a later event: the agent streams are past the acknowledgement
    await until(() => agent.events.some((e) => e.data?.externalId === 'B4'));
    expect(agent.events.map((e) => e.event)).not.toContain('breach.acknowledged');
    expect(agent.events.filter((e) => e.data?.externalId === 'B2').map((e) => e.event)).toEqual([
      'clock.changed',
      'step.breach',
    ]);
    expect(agentB2.events.map((e) => `${e.event} ${e.data?.externalId}`)).toEqual([
      'clock.changed B2',
      'step.breach B2',
    ]);
    expect(manager.events.map((e) => e.event)).toEqual([
      'clock.changed',
      'step.breach',
      'breach.acknowledged',
    ]);
    for (const c of [agent, agentB2, manager]) c.close();

    const refused = await api
      .http()
      .get('/events?types=clock.changed,breach.acknowledged')
      .set('authorization', `Bearer ${agentKey}`)
      .expect(403);
    expect(refused.body).toMatchObject({
      error: 'insufficient_role',
      message: expect.stringContaining('breach.acknowledged'),
    });
  });

  it('keeps every event of a batch larger than one script call, each its own entry, in order', async () => {
    const stream = worker.app.get(LiveEventStream);
    const from = `${Date.now() - 1}-0`;
    const batch = Array.from({ length: 2_500 }, (_, i) => ({
      type: 'clock.changed' as const,
      ticketId: `t-${i}`,
      integrationId: DESK,
      externalId: `chunk-${i}`,
      tier: null,
      priority: null,
      assigneeId: null,
      at: new Date().toISOString(),
      clockVersion: 1,
    }));
    await stream.publish(batch);
    const { events } = await stream.after(from, 10_000);
    const ours = events.filter((e) => e.externalId.startsWith('chunk-'));
    expect(ours.map((e) => e.externalId)).toEqual(batch.map((e) => e.externalId));
    expect(new Set(ours.map((e) => e.id)).size).toBe(batch.length);
  });

  it('refuses unknown filters with a 400 in the usual shape', async () => {
    const res = await api.http().get('/events').query({ types: 'nope' }).expect(400);
    expect(res.body.error).toBe('validation_failed');
  });
});
