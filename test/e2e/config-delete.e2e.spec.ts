import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketIngestService } from '../../src/tickets/ticket-ingest.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { MINUTE, TicketStory } from '../tickets/ticket-fixtures.js';

const OFFICE = {
  id: 'office',
  name: 'Office',
  timeZone: 'Europe/Berlin',
  weekly: [1, 2, 3, 4, 5].map((day) => ({ day, start: '09:00', end: '17:00' })),
};

const policyBody = (name: string, position: number, calendarId = 'office') => ({
  name,
  position,
  conditions: { tiers: ['gold'] },
  targets: { normal: { first_response: { minutes: 60, calendarId } } },
});
const policy = (id: string, position: number, calendarId = 'office') => ({
  id,
  ...policyBody(id, position, calendarId),
});

/** DELETE on every configuration resource: 204 when nothing refers to it, a 409 that names what does otherwise. */
describe('DELETE configuration', () => {
  let t: TestApp;
  const http = () => t.http();

  beforeAll(async () => {
    t = await startTestApp();
    await http().post('/tiers').send({ id: 'gold', name: 'Gold', isDefault: true }).expect(201);
    await http().post('/tiers').send({ id: 'silver', name: 'Silver' }).expect(201);
    await http().post('/calendars').send(OFFICE).expect(201);
  });
  afterAll(async () => {
    await t?.close();
  });

  const expectInUse = (body: { error: string; message: string; details: unknown }, mentions: string[]) => {
    expect(body.error).toBe('in_use');
    for (const word of mentions) expect(body.message).toContain(word);
  };

  it('deletes an unused tier, and refuses one that customers or policies use, or the default', async () => {
    await http().post('/tiers').send({ id: 'bronze', name: 'Bronze' }).expect(201);
    await http().delete('/tiers/bronze').expect(204);
    await http().get('/tiers/bronze').expect(404);
    await http().delete('/tiers/bronze').expect(404);

    await http().post('/customers').send({ id: 'acme', tier: 'silver' }).expect(201);
    const byCustomer = await http().delete('/tiers/silver').expect(409);
    expectInUse(byCustomer.body, ['1 customer mappings', 'PUT /customers']);
    expect(byCustomer.body.details).toEqual({ references: { 'customer mappings': 1 } });

    await http().post('/policies').send(policy('gold-sla', 10)).expect(201);
    const gold = await http().delete('/tiers/gold').expect(409);
    expectInUse(gold.body, ['1 policies']);
    await http().delete('/customers/acme').expect(204);
    await http().delete('/tiers/silver').expect(204);

    // The default tier stays until another one takes its place.
    await http().post('/tiers').send({ id: 'plain', name: 'Plain', isDefault: true }).expect(201);
    await http().post('/tiers').send({ id: 'other', name: 'Other' }).expect(201);
    const byDefault = await http().delete('/tiers/plain').expect(409);
    expect(byDefault.body.message).toContain('isDefault');
    await http().put('/tiers/other').send({ name: 'Other', isDefault: true }).expect(200);
    await http().delete('/tiers/plain').expect(204);
  });

  it('deletes a customer mapping per integration, 404 for one that does not exist', async () => {
    await http().post('/customers').send({ id: 'globex', tier: 'gold' }).expect(201);
    await http().delete('/customers/globex?integrationId=elsewhere').expect(404);
    await http().delete('/customers/globex').expect(204);
    await http().get('/customers/globex').expect(404);
  });

  it('shows the built-in 24x7 calendar, which cannot be deleted or replaced', async () => {
    const builtIn = await http().get('/calendars/24x7').expect(200);
    expect(builtIn.body).toMatchObject({ id: '24x7', alwaysOpen: true, builtIn: true, timeZone: 'UTC' });
    const list = await http().get('/calendars').expect(200);
    expect(list.body.map((c: { id: string }) => c.id)).toEqual(['24x7', 'office']);
    expect((await http().delete('/calendars/24x7').expect(409)).body.message).toContain('built in');
    await http().put('/calendars/24x7').send(OFFICE).expect(400);
  });

  it('refuses to delete a calendar a current policy counts in, then deletes it with its versions', async () => {
    await http()
      .post('/calendars')
      .send({ ...OFFICE, id: 'night' })
      .expect(201);
    await http()
      .post('/policies')
      .send(policy('night-sla', 20, 'night'))
      .expect(201);
    expectInUse((await http().delete('/calendars/night').expect(409)).body, ['1 policies']);
    await http()
      .put('/policies/night-sla')
      .send(policyBody('night-sla', 20, 'office'))
      .expect(200);
    await http().delete('/calendars/night').expect(204);
    await http().get('/calendars/night').expect(404);
    const { rows } = await t.sql.query(`SELECT 1 FROM calendar_versions WHERE calendar_id = 'night'`);
    expect(rows).toHaveLength(0);
  });

  it('deletes a policy no clock ran under; once clocks ran under one it must be deactivated instead', async () => {
    await http().post('/policies').send(policy('unused', 30)).expect(201);
    await http().delete('/policies/unused').expect(204);
    await http().get('/policies/unused').expect(404);

    await http()
      .post('/integrations')
      .send({ id: 'desk', name: 'Desk', provider: 'generic', secret: 'a-long-enough-signing-secret' })
      .expect(201);
    const now = Date.now();
    await t.app.get(TicketIngestService).ingest({
      integrationId: 'desk',
      defaultPriority: 'normal',
      events: new TicketStory('T-1', now - MINUTE, { priority: 'normal', tier: 'gold' }).events,
      receivedAt: now,
    });
    const refused = await http().delete('/policies/gold-sla').expect(409);
    expectInUse(refused.body, ['clocks', '"active": false']);
    // The tier is held by both policies and by the open ticket.
    expect((await http().delete('/tiers/gold').expect(409)).body.details.references).toMatchObject({
      policies: 2,
      'open tickets': 1,
    });
    // The calendar the clock ran in is kept for its record, even when no policy points at it any more.
    await http().delete('/policies/night-sla').expect(204);
    const office = await http().delete('/calendars/office').expect(409);
    expect(office.body.details.references).toMatchObject({ clocks: 1 });
  });

  it('refuses to delete an integration with tickets unless purged, and purges everything it owns', async () => {
    const refused = await http().delete('/integrations/desk').expect(409);
    expectInUse(refused.body, ['1 tickets', 'purge=true']);
    await http().delete('/integrations/desk?purge=maybe').expect(400);
    await http().delete('/integrations/desk?purge=true').expect(204);
    await http().get('/integrations/desk').expect(404);
    const { rows } = await t.sql.query(
      `SELECT count(*)::int AS n FROM tickets WHERE integration_id = 'desk'`,
    );
    expect(rows[0].n).toBe(0);
    // Its webhook is gone at once in this process.
    await http().post('/webhooks/desk').set('content-type', 'application/json').send('{}').expect(404);

    await http()
      .post('/integrations')
      .send({ id: 'empty', name: 'Empty', provider: 'generic', secret: 'a-long-enough-signing-secret' })
      .expect(201);
    await http().delete('/integrations/empty').expect(204);
  });
});
