import { EventEmitter2 } from '@nestjs/event-emitter';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALWAYS_OPEN_CALENDAR_ID } from '../../src/engine/types.js';
import {
  EvaluationConfigService,
  SLA_CONFIG_CHANGED,
  type SlaConfigChangedEvent,
} from '../../src/policies/evaluation-config.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const MONDAY_0900_BERLIN = Date.parse('2026-11-23T08:00:00Z');

describe('EvaluationConfigService and the sla-config.changed event', () => {
  let t: TestApp;
  let http: ReturnType<typeof request>;
  let config: EvaluationConfigService;
  beforeAll(async () => {
    t = await startTestApp();
    http = t.http();
    config = t.app.get(EvaluationConfigService);
    await http.post('/tiers').send({ id: 'standard', name: 'Standard', isDefault: true }).expect(201);
    await http.post('/tiers').send({ id: 'enterprise', name: 'Enterprise' }).expect(201);
    await http
      .post('/calendars')
      .send({
        id: 'office',
        name: 'Office',
        timeZone: 'Europe/Berlin',
        weekly: [{ day: 1, start: '09:00', end: '17:00' }],
      })
      .expect(201);
    await http
      .post('/policies')
      .send({
        id: 'p',
        name: 'P',
        position: 1,
        targets: { urgent: { reaction: { minutes: 30, calendarId: 'office' } } },
      })
      .expect(201);
    await http
      .put('/policies/p')
      .send({ name: 'P', position: 1, targets: { urgent: { reaction: { minutes: 20 } } } })
      .expect(200);
    await http.post('/customers').send({ id: 'acme', tier: 'standard' }).expect(201);
    await http
      .post('/customers')
      .send({ id: 'acme', integrationId: 'zendesk', tier: 'enterprise' })
      .expect(201);
    await http.post('/customers').send({ id: 'globex', tier: 'standard' }).expect(201);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('returns compiled calendars (with the built-in 24/7 one), their zones, and every policy version', async () => {
    const loaded = await config.load();
    const office = loaded.calendars.get('office')!;
    expect(office.addBusinessTime(MONDAY_0900_BERLIN, 60 * 60_000)).toBe(MONDAY_0900_BERLIN + 60 * 60_000);
    expect(office.nextWorkingInstant(MONDAY_0900_BERLIN + 9 * 3_600_000)).toBe(
      MONDAY_0900_BERLIN + 7 * 86_400_000,
    );
    expect(loaded.calendars.get(ALWAYS_OPEN_CALENDAR_ID)).toBeDefined();
    expect(loaded.calendarZones.get('office')).toBe('Europe/Berlin');
    expect(loaded.policies.map((p) => [p.policyId, p.version])).toEqual([
      ['p', 1],
      ['p', 2],
    ]);
    const [v1, v2] = loaded.policies;
    expect(typeof v1!.validFrom).toBe('number');
    expect(v1!.validTo).toBe(v2!.validFrom);
    expect(v2!.validTo).toBeNull();
    expect(v1!.targets.urgent?.reaction).toEqual({ minutes: 30, calendarId: 'office' });
    expect(loaded.defaultTier).toBe('standard');
  });

  it('maps customers to tiers, integration rows overriding global ones', async () => {
    expect([...(await config.load()).customerTiers]).toEqual(
      expect.arrayContaining([
        ['acme', 'standard'],
        ['globex', 'standard'],
      ]),
    );
    const zendesk = await config.load('zendesk');
    expect(zendesk.customerTiers.get('acme')).toBe('enterprise');
    expect(zendesk.customerTiers.get('globex')).toBe('standard');
  });

  it('serves the cached config while the revision is unchanged, and reloads after a change', async () => {
    const first = await config.load();
    const again = await config.load();
    expect(again).toBe(first);
    const officeBefore = first.calendars.get('office');

    await http.put('/customers/globex').send({ tier: 'enterprise' }).expect(200);
    const after = await config.load();
    expect(after.revision).toBe(first.revision + 1);
    expect(after.customerTiers.get('globex')).toBe('enterprise');
    // The calendar did not change, so its compiled form (and the work in it) is reused.
    expect(after.calendars.get('office')).toBe(officeBefore);

    await http
      .put('/calendars/office')
      .send({ name: 'Office', timeZone: 'Europe/Berlin', weekly: [{ day: 1, start: '10:00', end: '17:00' }] })
      .expect(200);
    const recompiled = (await config.load()).calendars.get('office')!;
    expect(recompiled).not.toBe(officeBefore);
    expect(recompiled.nextWorkingInstant(MONDAY_0900_BERLIN)).toBe(MONDAY_0900_BERLIN + 3_600_000);
  });

  it('sees changes made by another process (directly in the database) through the revision', async () => {
    const before = await config.load();
    await t.sql.query(`UPDATE customers SET tier_id = 'standard' WHERE customer_id = 'globex'`);
    expect((await config.load()).customerTiers.get('globex')).toBe('enterprise'); // same revision: cached
    await t.sql.query('UPDATE config_revision SET revision = revision + 1');
    const after = await config.load();
    expect(after.revision).toBe(before.revision + 1);
    expect(after.customerTiers.get('globex')).toBe('standard');
  });

  it('emits sla-config.changed with { kind, id } after the commit, and nothing for rejected or identical writes', async () => {
    const events = t.app.get(EventEmitter2);
    const seen: Array<{ event: SlaConfigChangedEvent; committedRevision: number }> = [];
    const listener = async (event: SlaConfigChangedEvent) => {
      // Read on another connection: the change must already be visible (committed) when the event arrives.
      const { rows } = await t.sql.query('SELECT revision FROM config_revision');
      seen.push({ event, committedRevision: rows[0].revision });
    };
    events.on(SLA_CONFIG_CHANGED, listener);
    try {
      await http.put('/tiers/gold').send({ name: 'Gold' }).expect(201);
      await http.put('/tiers/gold').send({ name: 'Gold' }).expect(200); // identical: no event
      await http.post('/tiers').send({ id: 'gold', name: 'Gold' }).expect(409); // rejected: no event
      await http.put('/policies/p').send({ name: 'P', position: 2, targets: {} }).expect(200);
      await http
        .put('/calendars/office')
        .send({ name: 'Office', timeZone: 'UTC', alwaysOpen: true })
        .expect(200);
      await http.put('/customers/acme').send({ tier: 'gold' }).expect(200);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(seen.map((s) => [s.event.kind, s.event.id])).toEqual([
        ['tier', 'gold'],
        ['policy', 'p'],
        ['calendar', 'office'],
        ['customer', 'acme'],
      ]);
      for (const { event, committedRevision } of seen)
        expect(committedRevision).toBeGreaterThanOrEqual(event.revision);
    } finally {
      events.off(SLA_CONFIG_CHANGED, listener);
    }
  });
});
