import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Priority } from '../../src/engine/types.js';
import { TicketIngestService } from '../../src/tickets/ticket-ingest.service.js';
import { TimerReconciler } from '../../src/timers/timer-reconciler.js';
import { TimerScheduler } from '../../src/timers/timer-scheduler.js';
import { timerJobId, TimersQueue } from '../../src/timers/timers.queue.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { MINUTE, seedIntegration, TicketStory } from '../tickets/ticket-fixtures.js';
import { itLeavesWriteDigestsTrue } from '../support/write-digests.js';

const DESK = 'timer-desk';
const SECOND = 1000;

/**
 * Targets of one minute counted 24/7, on tickets created most of a minute ago (a backdated creation is an
 * ordinary backfill), so that steps fall due a few seconds into the test.
 */
const POLICY = {
  id: 'fast',
  name: 'Fast',
  position: 0,
  targets: {
    urgent: {
      first_response: { minutes: 1, warnAtPercent: [90] },
      resolution: { minutes: 1 },
    },
    normal: { first_response: { minutes: 10 }, resolution: { minutes: 10 } },
  },
};

interface Step {
  metric: string;
  step: string;
  status: string;
  due_at: Date;
  detected_at: Date;
  lateness_ms: string;
  late: boolean;
}

describe('timers: warnings and breaches on time, exactly once', () => {
  let t: TestApp;
  let second: TestApp;
  let ingest: TicketIngestService;
  const http = () => t.http();

  beforeAll(async () => {
    t = await startTestApp({ TIMER_SCAN_SECONDS: 1 });
    // A second process on the same database and queues: both fire timers and run reconciler passes.
    second = await startTestApp({
      TIMER_SCAN_SECONDS: 1,
      DATABASE_URL: t.config.DATABASE_URL,
      QUEUE_PREFIX: t.config.QUEUE_PREFIX,
    });
    await seedIntegration(t.sql, DESK);
    await http().post('/policies').send(POLICY).expect(201);
    ingest = t.app.get(TicketIngestService);
  });
  afterAll(async () => {
    await second?.close();
    await t?.close();
  });

  const deliver = async (story: TicketStory) =>
    ingest.ingest({
      integrationId: DESK,
      defaultPriority: 'normal',
      events: story.events,
      receivedAt: Date.now(),
    });

  const open = (id: string, ageMs: number, priority: Priority = 'urgent') =>
    new TicketStory(id, Date.now() - ageMs, { priority, status: 'open' });

  const steps = async (externalId: string): Promise<Step[]> =>
    (
      await t.sql.query(
        `SELECT s.metric, s.step, s.status, s.due_at, s.detected_at, s.lateness_ms, s.late FROM sla_steps s
         JOIN tickets t ON t.id = s.ticket_id WHERE t.external_id = $1 ORDER BY s.metric, s.due_at`,
        [externalId],
      )
    ).rows;

  const waitFor = async <T>(probe: () => Promise<T | undefined>, ms = 8 * SECOND): Promise<T> => {
    const until = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > until) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stepOf = (externalId: string, metric: string, step: string, ms?: number) =>
    waitFor(async () => (await steps(externalId)).find((s) => s.metric === metric && s.step === step), ms);
  const settle = () => new Promise((r) => setTimeout(r, 4 * SECOND));

  it('records a warning at its threshold and the breach within a second of the deadline, once each', async () => {
    // Created 52 s ago: the 90 % warning is due in 2 s, the breach in 8 s.
    await deliver(open('on-time', 52 * SECOND));
    const warning = await stepOf('on-time', 'first_response', 'warning-90');
    expect(warning.status).toBe('recorded');
    expect(Number(warning.lateness_ms)).toBeLessThan(SECOND);
    const breach = await stepOf('on-time', 'first_response', 'breach', 15 * SECOND);
    expect(breach).toMatchObject({ status: 'recorded', late: false });
    expect(Number(breach.lateness_ms)).toBeLessThan(SECOND);
    // Two processes fired and reconciled: each step is there once.
    expect((await steps('on-time')).filter((s) => s.metric === 'first_response')).toHaveLength(2);

    const ticket = await http().get(`/tickets/${DESK}/on-time`).expect(200);
    const clock = ticket.body.clocks.find((c: { metric: string }) => c.metric === 'first_response');
    expect(clock.state).toBe('breached');
    expect(clock.log.map((e: { event: string }) => e.event)).toEqual(['started', 'warned', 'breached']);
    expect(clock.steps.map((s: { step: string }) => s.step)).toEqual(['warning-90', 'breach']);
  });

  it('records nothing for a clock answered, paused or pushed out before its deadline', async () => {
    await deliver(open('answered', 57 * SECOND).comment('reply', Date.now(), 'agent'));
    await deliver(
      open('paused', 57 * SECOND).update('pending', Date.now() - 50 * SECOND, { status: 'pending' }),
    );
    // A downgrade from urgent (1 minute) to normal (10 minutes) cancels the breach that was 3 s away.
    await deliver(open('downgraded', 57 * SECOND).update('down', Date.now(), { priority: 'normal' }));
    await settle();
    // Answered in time: first response met, no step; resolution (still open) goes on and may breach.
    expect((await steps('answered')).filter((s) => s.metric === 'first_response')).toEqual([]);
    expect((await steps('paused')).filter((s) => s.metric === 'resolution')).toEqual([]);
    expect((await steps('downgraded')).filter((s) => s.step === 'breach')).toEqual([]);
  });

  it('moves the timer when the priority goes up', async () => {
    // Normal: 10 minutes; bumped to urgent, the 1-minute deadline is 3 s away.
    const story = open('bumped', 57 * SECOND, 'normal');
    await deliver(story);
    await deliver(story.update('up', Date.now(), { priority: 'urgent' }));
    const breach = await stepOf('bumped', 'first_response', 'breach');
    expect(Number(breach.lateness_ms)).toBeLessThan(SECOND);
  });

  it('records a target exceeded long ago once, late, with the earlier steps skipped (rules 19, 26)', async () => {
    await deliver(open('backfill', 2 * 60 * MINUTE));
    const first = (await steps('backfill')).filter((s) => s.metric === 'first_response');
    expect(first.map((s) => [s.step, s.status, s.late])).toEqual([
      ['warning-90', 'skipped', true],
      ['breach', 'recorded', true],
    ]);
  });

  it('withdraws a breach when a late event shows the deadline was met, and lists it as withdrawn', async () => {
    const story = open('withdrawn', 65 * SECOND);
    await deliver(story);
    const breach = await stepOf('withdrawn', 'first_response', 'breach');
    expect(breach.status).toBe('recorded');
    // The agent's reply happened 10 s before the deadline, and arrives now.
    await deliver(story.comment('late-reply', Date.now() - 15 * SECOND, 'agent'));
    const after = (await steps('withdrawn')).find(
      (s) => s.step === 'breach' && s.metric === 'first_response',
    );
    expect(after?.status).toBe('withdrawn');
    const query = { metric: 'first_response' };
    const list = await http()
      .get('/breaches')
      .query({ ...query, state: 'withdrawn' })
      .expect(200);
    expect(list.body.items.map((b: { ticket: { externalId: string } }) => b.ticket.externalId)).toContain(
      'withdrawn',
    );
    const active = await http().get('/breaches').query(query).expect(200);
    const ids = active.body.items.map((b: { ticket: { externalId: string } }) => b.ticket.externalId);
    expect(ids).not.toContain('withdrawn');
    const withdrawnId = list.body.items.find(
      (b: { ticket: { externalId: string } }) => b.ticket.externalId === 'withdrawn',
    ).id;
    await http().post(`/breaches/${withdrawnId}/ack`).send({}).expect(409);
  });

  it('lists breaches with filters and pages, and acknowledges one once', async () => {
    const page = await http().get('/breaches').query({ metric: 'first_response', limit: 1 }).expect(200);
    expect(page.body.items).toHaveLength(1);
    expect(page.body.nextCursor).toEqual(expect.any(String));
    const next = await http()
      .get('/breaches')
      .query({ metric: 'first_response', limit: 1, cursor: page.body.nextCursor })
      .expect(200);
    expect(next.body.items[0].id).not.toBe(page.body.items[0].id);
    await http().get('/breaches').query({ metric: 'nope' }).expect(400);

    const id = page.body.items[0].id;
    const acked = await http().post(`/breaches/${id}/ack`).send({}).expect(200);
    expect(acked.body).toMatchObject({
      acknowledgedBy: 'test-admin',
      acknowledgedAt: expect.any(String),
    });
    const other = await t.keyFor('manager', { name: 'someone-else' });
    const again = await http()
      .post(`/breaches/${id}/ack`)
      .set('authorization', `Bearer ${other}`)
      .send({})
      .expect(200);
    expect(again.body.acknowledgedAt).toBe(acked.body.acknowledgedAt);
    expect(again.body.acknowledgedBy).toBe('test-admin');
    const unacked = await http().get('/breaches').query({ acknowledged: 'false' }).expect(200);
    expect(unacked.body.items.map((b: { id: string }) => b.id)).not.toContain(id);
    await http().post('/breaches/999999/ack').send({}).expect(404);
  });

  /**
   * Everything of this app's queues goes (as after a Redis restart without persistence). All at once, in one MULTI,
   * as a restart would: deleted batch by batch while both processes run passes, a pass could re-place the timers
   * between two batches and see its work deleted by the next.
   */
  const emptyRedis = async () => {
    const redis = new Redis(t.config.REDIS_URL);
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `{${t.config.QUEUE_PREFIX}}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    const flush = redis.multi();
    for (let i = 0; i < keys.length; i += 500) flush.del(...keys.slice(i, i + 500));
    await flush.exec();
    redis.disconnect();
  };

  it('puts every timer back after Redis lost its data, and the breach still happens on time', async () => {
    await deliver(open('after-flush', 54 * SECOND));
    await emptyRedis();
    await t.app.get(TimerReconciler).pass();
    const breach = await stepOf('after-flush', 'first_response', 'breach');
    expect(Number(breach.lateness_ms)).toBeLessThan(1.5 * SECOND);
  });

  it('puts back more than a page of timers (5,000) in one pass', async () => {
    // 5,100 tickets whose next step is 10 minutes away: within the horizon, and none falls due during the test.
    const { rows } = await t.sql.query(
      `INSERT INTO tickets (integration_id, external_id, status, priority, default_priority, clock_version, next_step_at)
       SELECT $1, 'paged-' || i, 'open', 'normal', 'normal', 1, now() + interval '10 minutes' + i * interval '1 ms'
       FROM generate_series(1, 5100) AS i
       RETURNING id, next_step_at`,
      [DESK],
    );
    const queue = t.app.get<Queue>(getQueueToken(TimersQueue.Fire));
    // The ticket due last: beyond the first page of any pass.
    const last = rows[rows.length - 1] as { id: string; next_step_at: Date };
    try {
      await emptyRedis();
      await t.app.get(TimerReconciler).pass();
      // That pass, or the other process's if it held the lock, placed every page.
      await waitFor(async () => (await queue.getJob(timerJobId(last.next_step_at.getTime()))) ?? undefined);
      expect(await queue.getDelayedCount()).toBeGreaterThanOrEqual(rows.length);
    } finally {
      await t.sql.query(`DELETE FROM tickets WHERE external_id LIKE 'paged-%'`);
    }
  });

  it('leaves the next pass a full one when Redis is emptied while a pass is placing jobs', async () => {
    // Both processes' periodic passes stop, so that this test's pass is the one Redis is emptied under.
    const apps = [t, second];
    for (const app of apps) app.app.get(TimerReconciler).onModuleDestroy();
    const scheduler = t.app.get(TimerScheduler);
    const queue = t.app.get<Queue>(getQueueToken(TimersQueue.Fire));
    const markerKey = `${queue.keys.meta}:timer-horizon`;
    const redis = new Redis(t.config.REDIS_URL);
    try {
      // Due in 30 s: within the horizon, so a full pass places its job.
      await deliver(open('flush-mid-pass', 30 * SECOND));
      let emptied = false;
      scheduler.place = async (placements) => {
        await TimerScheduler.prototype.place.call(scheduler, placements);
        emptied = true;
        await emptyRedis();
      };
      // A pass already under way in the other process holds the lock: try until this one ran.
      await waitFor(async () => {
        await t.app.get(TimerReconciler).pass();
        return emptied ? true : undefined;
      });
      delete (scheduler as Partial<TimerScheduler>).place;
      // The pass did not bring its marker back into the emptied Redis: the next pass knows to place everything.
      expect(await redis.get(markerKey)).toBeNull();
      expect(await queue.getDelayedCount()).toBe(0);
      expect(await t.app.get(TimerReconciler).pass()).toBeGreaterThan(0);
      expect(await queue.getDelayedCount()).toBeGreaterThan(0);
      expect(await redis.get(markerKey)).toMatch(/^\d+$/);
    } finally {
      delete (scheduler as Partial<TimerScheduler>).place;
      redis.disconnect();
      for (const app of apps) app.app.get(TimerReconciler).onApplicationBootstrap();
    }
  });

  it('records a burst at one instant in full from one shared job, each step once, across both processes', async () => {
    // 1,100 tickets created at the same instant: more than two claims (500 each), so loops in both processes help.
    const count = 1_100;
    // The 90 % warnings are due at once, the breaches in 5 s; the shared job is looked up after the first chunk,
    // while it still waits for its instant.
    const createdAt = Date.now() - 55 * SECOND;
    const deadline = createdAt + MINUTE;
    const queue = t.app.get<Queue>(getQueueToken(TimersQueue.Fire));
    for (let i = 0; i < count; i += 250) {
      await ingest.ingestMany(
        Array.from({ length: Math.min(250, count - i) }, (_, k) => ({
          integrationId: DESK,
          defaultPriority: 'normal' as const,
          events: new TicketStory(`burst-${i + k}`, createdAt, { priority: 'urgent', status: 'open' }).events,
          receivedAt: Date.now(),
        })),
      );
      // Both breaches (first response, resolution) of every ticket fall due at the deadline: one job holds them
      // all. (A breach is due 1 ms after the deadline: a clock is breached once now is past it.)
      if (i === 0) await waitFor(async () => (await queue.getJob(timerJobId(deadline + 1))) ?? undefined);
    }
    const breaches = await waitFor(async () => {
      const { rows } = await t.sql.query(
        `SELECT t.external_id, s.metric, s.due_at, s.detected_at FROM sla_steps s JOIN tickets t ON t.id = s.ticket_id
         WHERE t.external_id LIKE 'burst-%' AND s.step = 'breach'`,
      );
      return rows.length >= 2 * count
        ? (rows as Array<{ external_id: string; metric: string; due_at: Date; detected_at: Date }>)
        : undefined;
    }, 30 * SECOND);
    await settle();
    const { rows: again } = await t.sql.query(
      `SELECT count(*)::int AS n FROM sla_steps s JOIN tickets t ON t.id = s.ticket_id
       WHERE t.external_id LIKE 'burst-%' AND s.step = 'breach'`,
    );
    expect(again[0].n).toBe(2 * count);
    expect(new Set(breaches.map((b) => `${b.external_id}/${b.metric}`)).size).toBe(2 * count);
    // Never before the instant.
    expect(
      breaches.every((b) => b.detected_at.getTime() > deadline && b.due_at.getTime() === deadline + 1),
    ).toBe(true);
  });

  it('does not let one ticket whose evaluation fails hold back the others due with it', async () => {
    const createdAt = Date.now() - 57 * SECOND;
    const evaluate = TicketIngestService.prototype as unknown as { evaluateTicket: (id: string) => unknown };
    const original = evaluate.evaluateTicket;
    const ids = new Map<string, string>();
    try {
      for (const name of ['poison', 'healthy-1', 'healthy-2'])
        await deliver(new TicketStory(name, createdAt, { priority: 'urgent', status: 'open' }));
      const { rows } = await t.sql.query(
        `SELECT id, external_id FROM tickets WHERE external_id IN ('poison', 'healthy-1', 'healthy-2')`,
      );
      for (const r of rows as Array<{ id: string; external_id: string }>) ids.set(r.external_id, r.id);
      // A bug that only this ticket's timeline triggers, in whichever process claims it.
      evaluate.evaluateTicket = function (this: unknown, id: string, ...rest: unknown[]) {
        if (id === ids.get('poison')) throw new Error('evaluation bug');
        return (original as (...args: unknown[]) => unknown).call(this, id, ...rest);
      };
      await stepOf('healthy-1', 'first_response', 'breach');
      await stepOf('healthy-2', 'first_response', 'breach');
      expect((await steps('poison')).filter((s) => s.step === 'breach')).toEqual([]);
    } finally {
      evaluate.evaluateTicket = original;
      // Its processes leave it out of their claims for a while: no later test should wait for it.
      await t.sql.query(`UPDATE tickets SET next_step_at = NULL WHERE external_id = 'poison'`);
    }
  });

  it('clears the due instant of a ticket with nothing to evaluate, rather than claiming it forever', async () => {
    const { rows } = await t.sql.query(
      `INSERT INTO tickets (integration_id, external_id, status, priority, default_priority, clock_version, next_step_at)
       VALUES ($1, 'no-events', 'open', 'normal', 'normal', 1, now() - interval '1 second') RETURNING id`,
      [DESK],
    );
    await t.app.get(TimerScheduler).place([Date.now()]);
    await waitFor(async () => {
      const { rows: now } = await t.sql.query('SELECT next_step_at FROM tickets WHERE id = $1', [rows[0].id]);
      return now[0].next_step_at === null ? true : undefined;
    });
  });

  itLeavesWriteDigestsTrue(() => t.sql);
});
