import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Priority } from '../../src/engine/types.js';
import type { ClaimedRow } from '../../src/notifications/delivery-facts.js';
import { DeliveryHygiene } from '../../src/notifications/delivery-hygiene.js';
import { notifyJobId, NotifyQueue } from '../../src/notifications/notify.queue.js';
import { TicketIngestService } from '../../src/tickets/ticket-ingest.service.js';
import { SmtpReceiver } from '../notifications/smtp-receiver.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { HOUR, seedIntegration, TicketStory } from '../tickets/ticket-fixtures.js';

const DESK = 'hygiene-desk';
const SECOND = 1000;
const WINDOW_SECONDS = 6;

interface Delivery {
  id: string;
  address: string | null;
  status: string;
  lastError: string | null;
  notBefore: string | null;
  batchId: string | null;
  sentAt: string | null;
}

/**
 * Notification hygiene over real SMTP: a digest per recipient within a window, a per-recipient rate limit that
 * holds steps back (never drops them), working hours, and no notice for a clock that stopped in between.
 */
describe('notification hygiene', () => {
  let t: TestApp;
  let smtp: SmtpReceiver;
  let ingest: TicketIngestService;
  let queue: Queue;
  const http = () => t.http();
  // The next full hour at least two hours away: the office's only working hour this week.
  const opening = Math.ceil((Date.now() + 2 * HOUR) / HOUR) * HOUR;

  beforeAll(async () => {
    smtp = await new SmtpReceiver().start();
    t = await startTestApp({
      SMTP_URL: smtp.url(),
      TIMER_SCAN_SECONDS: 1,
      NOTIFY_SCAN_SECONDS: 1,
      NOTIFY_BACKOFF_MS: 50,
      NOTIFY_DIGEST_SECONDS: WINDOW_SECONDS,
      NOTIFY_RATE_PER_HOUR: 2,
    });
    await seedIntegration(t.sql, DESK);
    ingest = t.app.get(TicketIngestService);
    queue = t.app.get(getQueueToken(NotifyQueue.Send));
    const open = new Date(opening);
    const hh = String(open.getUTCHours()).padStart(2, '0');
    const next = String((open.getUTCHours() + 1) % 24).padStart(2, '0');
    await http()
      .post('/calendars')
      .send({
        id: 'office',
        name: 'Office',
        timeZone: 'UTC',
        weekly: [{ day: open.getUTCDay() || 7, start: `${hh}:00`, end: `${next}:00` }],
      })
      .expect(201);
    const steps = (extra: object) => [
      { percent: 50, notify: [{ type: 'assignee', ...extra }] },
      { breach: true, notify: [{ type: 'assignee', ...extra }] },
    ];
    await http()
      .post('/ladders')
      .send({ id: 'people', name: 'People', steps: steps({}) })
      .expect(201);
    await http()
      .post('/ladders')
      .send({ name: 'Unknown hours', steps: steps({ workingHours: 'nope' }) })
      .expect(422);
    await http()
      .post('/ladders')
      .send({ id: 'daytime', name: 'Daytime', steps: steps({ workingHours: 'office' }) })
      .expect(201);
    await http()
      .post('/policies')
      .send({
        id: 'fast',
        name: 'Fast',
        position: 0,
        targets: {
          urgent: { first_response: { minutes: 1, ladderId: 'people' } },
          high: { first_response: { minutes: 1, ladderId: 'daytime' } },
        },
      })
      .expect(201);
    for (const agent of ['digest', 'busy', 'night', 'together', 'aside'])
      await http()
        .put(`/directory/${DESK}/agent/${agent}`)
        .send({ email: `${agent}@example.com` })
        .expect(201);
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  const story = (id: string, ageMs: number, assigneeId: string, priority: Priority = 'urgent') =>
    new TicketStory(id, Date.now() - ageMs, { priority, status: 'open', assigneeId });
  const deliver = (s: TicketStory) =>
    ingest.ingest({
      integrationId: DESK,
      defaultPriority: 'normal',
      events: s.events,
      receivedAt: Date.now(),
    });
  const waitFor = async <T>(probe: () => T | undefined | Promise<T | undefined>, ms = 20 * SECOND) => {
    const until = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > until) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const mailsTo = (n: number, address: string) => () =>
    smtp.to(address).length >= n ? smtp.to(address) : undefined;
  const deliveriesTo = async (address: string): Promise<Delivery[]> =>
    ((await http().get('/notifications').query({ limit: 500 }).expect(200)).body as Delivery[])
      .filter((d) => d.address === address)
      .reverse();
  /** The recipient's deliveries once `count` of them are all sent. */
  const allSent = (address: string, count: number) =>
    waitFor(async () => {
      const all = await deliveriesTo(address);
      return all.length >= count && all.every((d) => d.status === 'sent') ? all : undefined;
    });
  /** As if the held delivery's time had come: its hold ends now and its delayed job runs at once. */
  const wakeUp = async (d: Delivery) => {
    await t.sql.query('UPDATE notifications SET not_before = now() WHERE id = $1', [d.id]);
    await (await queue.getJob(notifyJobId(d.id)))?.promote();
  };
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('sends the first step at once and the steps within the window after it as one digest', async () => {
    await deliver(story('d1', 58 * SECOND, 'digest'));
    const [first] = await waitFor(mailsTo(1, 'digest@example.com'));
    expect(first.subject).toMatch(/^SLA warning: first response on ticket d1 /);
    // Within the window: d2's warning now, d1's breach in about 2 s, d2's breach in about 3 s.
    await deliver(story('d2', 57 * SECOND, 'digest'));
    const mails = await waitFor(mailsTo(2, 'digest@example.com'), (WINDOW_SECONDS + 8) * SECOND);
    const digest = mails[1];
    expect(digest.subject).toBe('SLA digest: 3 notifications (2 breached, 1 at risk)');
    expect(digest.text).toContain('1. SLA warning: first response on ticket d2 ');
    expect(digest.text).toMatch(
      /SLA breached: first response on ticket d1 [\s\S]*SLA breached: first response on ticket d2 /,
    );
    expect(digest.headers['x-sla-digest-keys'].split(', ')).toHaveLength(3);
    expect(Date.parse(digest.headers.date) - Date.parse(first.headers.date)).toBeGreaterThanOrEqual(
      (WINDOW_SECONDS - 1) * SECOND,
    );
    // The receiver has the message a moment before the rows are marked sent.
    const rows = await allSent('digest@example.com', 4);
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
    const batches = new Set(rows.map((r) => r.batchId));
    expect(batches.size).toBe(2);
    await pause(2 * SECOND);
    expect(smtp.to('digest@example.com')).toHaveLength(2);
  });

  it('sends held steps that wake at the same instant as one message (each job claims its own first)', async () => {
    await deliver(story('w1', 58 * SECOND, 'together'));
    await waitFor(mailsTo(1, 'together@example.com'));
    await deliver(story('w2', 57 * SECOND, 'together'));
    const held = await waitFor(async () => {
      const rows = (await deliveriesTo('together@example.com')).filter(
        (d) => d.status === 'pending' && d.notBefore,
      );
      return rows.length >= 3 ? rows : undefined;
    });
    // The window closes for all three at once: their jobs run side by side and each claims its own delivery
    // before one of them gets the recipient's lock (held here until all three have claimed, as under load).
    expect(new Set(held.map((d) => d.notBefore)).size).toBe(1);
    const lock = await t.sql.connect();
    const recipient = [`notify-recipient`, 'mailto:together@example.com'];
    try {
      await lock.query('SELECT pg_advisory_lock(hashtext($1), hashtext($2))', recipient);
      await waitFor(async () => {
        const claimed = await t.sql.query(
          'SELECT count(*)::int AS n FROM notifications WHERE id = ANY($1::bigint[]) AND sending_since IS NOT NULL',
          [held.map((d) => d.id)],
        );
        return claimed.rows[0].n === 3 ? true : undefined;
      });
    } finally {
      await lock.query('SELECT pg_advisory_unlock(hashtext($1), hashtext($2))', recipient);
      lock.release();
    }
    const unlocked = Date.now();
    const mails = await waitFor(mailsTo(2, 'together@example.com'));
    // Whichever job goes first carries the other two now, rather than waiting another window for them.
    expect(Date.now() - unlocked).toBeLessThan((WINDOW_SECONDS - 2) * SECOND);
    expect(mails[1].subject).toBe('SLA digest: 3 notifications (2 breached, 1 at risk)');
    const rows = await allSent('together@example.com', 4);
    expect(new Set(rows.map((r) => r.batchId)).size).toBe(2);
    await pause(2 * SECOND);
    expect(smtp.to('together@example.com')).toHaveLength(2);
  });

  it('gathers deliveries that sibling jobs claimed but have not decided on; those jobs then step aside', async () => {
    await deliver(story('a1', 58 * SECOND, 'aside'));
    await waitFor(mailsTo(1, 'aside@example.com'));
    await deliver(story('a2', 57 * SECOND, 'aside'));
    const held = await waitFor(async () => {
      const rows = (await deliveriesTo('aside@example.com')).filter(
        (d) => d.status === 'pending' && d.notBefore,
      );
      return rows.length >= 3 ? rows : undefined;
    });
    // Taken over by hand: the window is over, and two of the three were claimed by their own jobs just after the
    // lead looked for messages on their way (the interleaving that once split a digest).
    await Promise.all(held.map(async (d) => (await queue.getJob(notifyJobId(d.id)))?.remove()));
    await t.sql.query(
      `UPDATE notifications SET sent_at = sent_at - interval '1 minute' WHERE address = 'aside@example.com' AND status = 'sent'`,
    );
    const [lead, ...siblings] = held.map((d) => d.id);
    await t.sql.query(
      'UPDATE notifications SET sending_since = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])',
      [held.map((d) => d.id)],
    );
    const hygiene = t.app.get(DeliveryHygiene);
    const claimed = (id: string) => ({ id, event: 'step' }) as ClaimedRow;
    const plan = await hygiene.prepare(claimed(lead), 15);
    expect(plan).toMatchObject({ holdUntil: null, carriedBy: null });
    expect('batch' in plan && plan.batch.map((b) => b.id).sort()).toEqual([...siblings].sort());
    for (const id of siblings)
      expect(await hygiene.prepare(claimed(id), 15)).toEqual({ holdUntil: null, carriedBy: lead });
    await hygiene.sent(lead, siblings);
    const rows = await deliveriesTo('aside@example.com');
    expect(rows.map((r) => [r.status, r.batchId === lead])).toEqual([
      ['sent', false],
      ['sent', true],
      ['sent', true],
      ['sent', true],
    ]);
  });

  it('holds steps beyond the hourly rate limit and folds them into the next message, never dropping one', async () => {
    await deliver(story('r1', 58 * SECOND, 'busy'));
    // Message 1: r1's warning; message 2 (after the window): r1's breach.
    await waitFor(mailsTo(2, 'busy@example.com'), (WINDOW_SECONDS + 8) * SECOND);
    await deliver(story('r2', 58 * SECOND, 'busy'));
    const held = await waitFor(async () => {
      const rows = (await deliveriesTo('busy@example.com')).filter(
        (d) => d.status === 'pending' && d.notBefore,
      );
      return rows.length >= 2 ? rows : undefined;
    });
    const sentAt = (await deliveriesTo('busy@example.com'))
      .filter((d) => d.sentAt)
      .map((d) => Date.parse(d.sentAt!));
    // Until the older of the two messages leaves the hour.
    expect(Date.parse(held[0].notBefore!)).toBeGreaterThanOrEqual(Math.min(...sentAt) + HOUR - 1000);
    await pause(2 * SECOND);
    expect(smtp.to('busy@example.com')).toHaveLength(2);
    // An hour later: the two messages leave the window, and what was held goes out as one.
    await t.sql.query(
      `UPDATE notifications SET sent_at = sent_at - interval '1 hour' WHERE address = 'busy@example.com' AND status = 'sent'`,
    );
    await wakeUp(held[0]);
    const mails = await waitFor(mailsTo(3, 'busy@example.com'));
    expect(mails[2].subject).toBe('SLA digest: 2 notifications (1 breached, 1 at risk)');
    const rows = await allSent('busy@example.com', 4);
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
  });

  it("waits for the recipient's working hours: scheduled at the calendar's next opening", async () => {
    await deliver(story('q1', 40 * SECOND, 'night', 'high'));
    const [held] = await waitFor(async () => {
      const rows = (await deliveriesTo('night@example.com')).filter((d) => d.notBefore);
      return rows.length > 0 ? rows : undefined;
    });
    expect(held).toMatchObject({ status: 'pending', notBefore: new Date(opening).toISOString() });
    const job = await queue.getJob(notifyJobId(held.id));
    expect(await job?.getState()).toBe('delayed');
    expect(job!.timestamp + (job!.opts.delay ?? 0)).toBeGreaterThanOrEqual(opening - 5 * SECOND);
    await pause(2 * SECOND);
    expect(smtp.to('night@example.com')).toHaveLength(0);
    await wakeUp(held);
    const [mail] = await waitFor(mailsTo(1, 'night@example.com'));
    expect(mail.subject).toMatch(/^SLA warning: first response on ticket q1 /);
  });

  it('skips a held notice whose clock stopped in between, with the reason', async () => {
    const s = story('q2', 40 * SECOND, 'night', 'high');
    await deliver(s);
    const held = await waitFor(async () => {
      const rows = await t.sql.query(
        `SELECT n.id FROM notifications n JOIN sla_steps st ON st.id = n.step_id JOIN tickets tk ON tk.id = st.ticket_id
         WHERE tk.external_id = 'q2' AND n.not_before IS NOT NULL`,
      );
      return rows.rows[0] as { id: string } | undefined;
    });
    // The agent answers: first response met, before the office opens.
    await deliver(s.comment('reply', Date.now(), 'agent'));
    await wakeUp({ id: held.id } as Delivery);
    const row = await waitFor(async () => {
      const found = (await deliveriesTo('night@example.com')).find((d) => d.id === held.id);
      return found?.status === 'skipped' ? found : undefined;
    });
    expect(row.lastError).toBe('clock met before it was sent');
    await pause(SECOND);
    expect(smtp.to('night@example.com').filter((m) => m.subject.includes('ticket q2 '))).toHaveLength(0);
  });
});
