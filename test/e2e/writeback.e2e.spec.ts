import type { LoggerService } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Priority } from '../../src/engine/types.js';
import { TicketIngestService } from '../../src/tickets/ticket-ingest.service.js';
import { FakeHelpdesk, type HelpdeskRequest } from '../notifications/fake-helpdesk.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { TicketStory } from '../tickets/ticket-fixtures.js';

const SECOND = 1000;
const WEBHOOK_SECRET = 'whsec-0123456789abcdef';
const POLICY = {
  id: 'fast',
  name: 'Fast',
  position: 0,
  targets: { urgent: { first_response: { minutes: 1, warnAtPercent: [90] }, resolution: { minutes: 30 } } },
};

const ZENDESK_TOKEN = 'zd-token-5f1c0a9e7b3d';
const FRESHDESK_KEY = 'fd-key-a81b27c94e60';
const JIRA_TOKEN = 'jira-token-0c7d5e19b2a4';
const ZAMMAD_TOKEN = 'zammad-token-7e42b9d01c5f';
const INTERCOM_TOKEN = 'ic-token-3b96f0e2d7a1';
const SECRETS = [ZENDESK_TOKEN, FRESHDESK_KEY, JIRA_TOKEN, ZAMMAD_TOKEN, INTERCOM_TOKEN];
const b64 = (s: string) => Buffer.from(s).toString('base64');

class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  private capture = (...args: unknown[]) =>
    void this.lines.push(args.map((a) => JSON.stringify(a)).join(' '));
  log = this.capture;
  error = this.capture;
  warn = this.capture;
  debug = this.capture;
  verbose = this.capture;
  fatal = this.capture;
}

/** Freshdesk keeps each ticket's tags (GET answers them, PUT replaces them), as its API does. */
function freshdeskApi(): FakeHelpdesk {
  const tags = new Map<string, string[]>();
  return new FakeHelpdesk((r) => {
    const id = /^\/api\/v2\/tickets\/([^/]+)$/.exec(r.path)?.[1];
    if (!id) return { id: 1 };
    if (r.method === 'PUT') tags.set(id, (r.body as { tags: string[] }).tags);
    return { id: Number(id), tags: tags.get(id) ?? ['vip'] };
  });
}

/** Intercom answers POST /tags with the tag (created or found by name). */
function intercomApi(): FakeHelpdesk {
  return new FakeHelpdesk((r) =>
    r.method === 'POST' && r.path === '/tags'
      ? {
          type: 'tag',
          id: `tag-${(r.body as { name: string }).name}`,
          name: (r.body as { name: string }).name,
        }
      : { type: 'conversation' },
  );
}

describe('write-back to the helpdesk: tags and internal notes through each provider API', () => {
  let t: TestApp;
  let ingest: TicketIngestService;
  const logger = new CapturingLogger();
  const fakes = {
    zendesk: new FakeHelpdesk(),
    freshdesk: freshdeskApi(),
    jira: new FakeHelpdesk(),
    zammad: new FakeHelpdesk(),
    intercom: intercomApi(),
    flaky: new FakeHelpdesk(),
    locked: new FakeHelpdesk(),
  };
  const http = () => t.http();

  beforeAll(async () => {
    await Promise.all(Object.values(fakes).map((f) => f.start()));
    t = await startTestApp({
      TIMER_SCAN_SECONDS: 1,
      NOTIFY_SCAN_SECONDS: 1,
      NOTIFY_ATTEMPTS: 4,
      NOTIFY_BACKOFF_MS: 50,
    });
    t.app.useLogger(logger);
    await http().post('/policies').send(POLICY).expect(201);
    ingest = t.app.get(TicketIngestService);
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all(Object.values(fakes).map((f) => f.close()));
  });

  const integration = (id: string, provider: string, writeBack: object) =>
    http()
      .post('/integrations')
      .send({ id, name: id, provider, secret: WEBHOOK_SECRET, writeBack })
      .expect(201);
  const deliver = (integrationId: string, story: TicketStory) =>
    ingest.ingest({ integrationId, defaultPriority: 'urgent', events: story.events, receivedAt: Date.now() });
  const open = (id: string, ageMs: number, priority: Priority = 'urgent') =>
    new TicketStory(id, Date.now() - ageMs, { priority, status: 'open' });
  const waitFor = async <T>(probe: () => T | undefined | Promise<T | undefined>, ms = 20 * SECOND) => {
    const until = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > until) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const settle = () => new Promise((r) => setTimeout(r, 2500));

  it('keeps write-back credentials sealed: set, validated, never shown, redacted in the audit log', async () => {
    const zd = await integration('zd', 'zendesk', {
      baseUrl: `${fakes.zendesk.url}/`,
      auth: { email: 'sla@acme.test', apiToken: ZENDESK_TOKEN },
    });
    expect(zd.body.writeBack).toEqual({
      baseUrl: fakes.zendesk.url,
      tags: { warning: 'sla_warning', breached: 'sla_breached' },
      hasCredentials: true,
    });
    await integration('fd', 'freshdesk', { baseUrl: fakes.freshdesk.url, auth: { apiKey: FRESHDESK_KEY } });
    await integration('jsm', 'jira', {
      baseUrl: fakes.jira.url,
      auth: { email: 'sla@acme.test', apiToken: JIRA_TOKEN },
    });
    await integration('zm', 'zammad', { baseUrl: fakes.zammad.url, auth: { token: ZAMMAD_TOKEN } });
    await integration('ic', 'intercom', {
      baseUrl: fakes.intercom.url,
      auth: { accessToken: INTERCOM_TOKEN, adminId: '991' },
    });
    await integration('zd-flaky', 'zendesk', {
      baseUrl: fakes.flaky.url,
      auth: { email: 'sla@acme.test', apiToken: ZENDESK_TOKEN },
    });
    await integration('zd-locked', 'zendesk', {
      baseUrl: fakes.locked.url,
      auth: { email: 'sla@acme.test', apiToken: ZENDESK_TOKEN },
    });
    // Tag names changed without sending the credentials again: the stored ones stay.
    const renamed = await http()
      .put('/integrations/jsm')
      .send({ writeBack: { baseUrl: fakes.jira.url, tags: { warning: 'sla-warn', breached: 'sla-late' } } })
      .expect(200);
    expect(renamed.body.writeBack).toMatchObject({ tags: { warning: 'sla-warn' }, hasCredentials: true });

    // Bad settings are 400s that name the problem, never echo a credential.
    const plainHttp = await http()
      .post('/integrations')
      .send({
        name: 'x',
        provider: 'zendesk',
        secret: WEBHOOK_SECRET,
        writeBack: { baseUrl: 'http://helpdesk.example.com', auth: { email: 'a@b.c', apiToken: 'x' } },
      })
      .expect(400);
    expect(plainHttp.body.message).toContain('https');
    const wrongShape = await http()
      .post('/integrations')
      .send({
        name: 'x',
        provider: 'zendesk',
        secret: WEBHOOK_SECRET,
        writeBack: { baseUrl: 'https://acme.zendesk.com', auth: { apiKey: ZENDESK_TOKEN } },
      })
      .expect(400);
    expect(wrongShape.body.message).toContain('{email, apiToken}');
    expect(JSON.stringify(wrongShape.body)).not.toContain(ZENDESK_TOKEN);
    await http()
      .post('/integrations')
      .send({
        name: 'x',
        provider: 'generic',
        secret: WEBHOOK_SECRET,
        writeBack: { baseUrl: 'https://desk.example.com', auth: { token: 'abcdef' } },
      })
      .expect(400);
    await http()
      .put('/integrations/zd')
      .send({ writeBack: { baseUrl: 'https://acme.zendesk.com', tags: { warning: 'has space' } } })
      .expect(400);
    await http()
      .put('/integrations/zd')
      .send({ writeBack: { baseUrl: 'not a url' } })
      .expect(400);

    const shown = JSON.stringify([
      (await http().get('/integrations').expect(200)).body,
      (await http().get('/integrations/ic').expect(200)).body,
      (await http().get('/audit').query({ resourceType: 'integration' }).expect(200)).body,
    ]);
    for (const secret of SECRETS) expect(shown).not.toContain(secret);
    const audit = await http().get('/audit').query({ resourceType: 'integration', resourceId: 'zm' });
    expect(audit.body.items[0].after.writeBack).toMatchObject({ auth: '[redacted]', hasCredentials: true });

    // One helpdesk channel writes back every ticket through its own integration.
    const channel = await http()
      .put('/channels/desk')
      .send({ type: 'helpdesk', name: 'Helpdesk', subscribe: { kinds: ['warning', 'breach'] } })
      .expect(201);
    expect(channel.body).toMatchObject({ type: 'helpdesk', urlHost: null, integrationId: null });
    await http()
      .post('/channels')
      .send({ id: 'nowhere', type: 'helpdesk', name: 'x', integrationId: 'nope' })
      .expect(400);
  });

  /** Each provider's ticket ids and the requests (in order) that concern one ticket. */
  const providers = {
    zendesk: {
      integration: 'zd',
      ids: ['101', '102', '103'],
      about: (r: HelpdeskRequest, id: string) => r.path.startsWith(`/api/v2/tickets/${id}`),
    },
    freshdesk: {
      integration: 'fd',
      ids: ['201', '202', '203'],
      about: (r: HelpdeskRequest, id: string) => r.path.startsWith(`/api/v2/tickets/${id}`),
    },
    jira: {
      integration: 'jsm',
      ids: ['SUP-1', 'SUP-2', 'SUP-3'],
      about: (r: HelpdeskRequest, id: string) => r.path.endsWith(`/${id}`) || r.path.includes(`/${id}/`),
    },
    zammad: {
      integration: 'zm',
      ids: ['401', '402', '403'],
      about: (r: HelpdeskRequest, id: string) => {
        const b = r.body as { o_id?: number; ticket_id?: number } | null;
        return b?.o_id === Number(id) || b?.ticket_id === Number(id);
      },
    },
    intercom: {
      integration: 'ic',
      ids: ['501', '502', '503'],
      about: (r: HelpdeskRequest, id: string) => r.path.startsWith(`/conversations/${id}/`),
    },
  } as const;
  type Name = keyof typeof providers;
  const names = Object.keys(providers) as Name[];
  const calls = (name: Name, id: string) =>
    fakes[name].requests
      .filter((r) => providers[name].about(r, id))
      .map((r) => ({ method: r.method, path: r.path, body: r.body }));
  /** Waits until the provider received at least n requests about the ticket. */
  const received = (name: Name, id: string, n: number) =>
    waitFor(() => (calls(name, id).length >= n ? calls(name, id) : undefined));

  it('a warning adds the warning tag; the breach adds the breached tag and an internal note', async () => {
    // Created 55 s ago with a 1-minute target: the 90 % warning is due now, the breach in 5 s.
    for (const name of names)
      await deliver(providers[name].integration, open(providers[name].ids[0], 55 * SECOND));
    const [zd, fd, jira, zm, ic] = await Promise.all([
      received('zendesk', '101', 3),
      received('freshdesk', '201', 5),
      received('jira', 'SUP-1', 3),
      received('zammad', '401', 3),
      received('intercom', '501', 3),
    ]);
    const note = expect.stringMatching(
      /SLA breached: the first response clock missed its deadline\.\nDeadline: \S+Z \(UTC\)\. Missed by: /,
    );
    const htmlNote = expect.stringMatching(
      /^<p>SLA breached: the first response clock missed its deadline\.<\/p><p>Deadline: /,
    );
    expect(zd).toEqual([
      { method: 'PUT', path: '/api/v2/tickets/101/tags', body: { tags: ['sla_warning'] } },
      { method: 'PUT', path: '/api/v2/tickets/101/tags', body: { tags: ['sla_breached'] } },
      {
        method: 'PUT',
        path: '/api/v2/tickets/101',
        body: { ticket: { comment: { body: note, public: false } } },
      },
    ]);
    expect(fd).toEqual([
      { method: 'GET', path: '/api/v2/tickets/201', body: null },
      { method: 'PUT', path: '/api/v2/tickets/201', body: { tags: ['vip', 'sla_warning'] } },
      { method: 'GET', path: '/api/v2/tickets/201', body: null },
      { method: 'PUT', path: '/api/v2/tickets/201', body: { tags: ['vip', 'sla_warning', 'sla_breached'] } },
      { method: 'POST', path: '/api/v2/tickets/201/notes', body: { body: htmlNote, private: true } },
    ]);
    expect(jira).toEqual([
      { method: 'PUT', path: '/rest/api/3/issue/SUP-1', body: { update: { labels: [{ add: 'sla-warn' }] } } },
      { method: 'PUT', path: '/rest/api/3/issue/SUP-1', body: { update: { labels: [{ add: 'sla-late' }] } } },
      {
        method: 'POST',
        path: '/rest/servicedeskapi/request/SUP-1/comment',
        body: { body: note, public: false },
      },
    ]);
    expect(zm).toEqual([
      {
        method: 'POST',
        path: '/api/v1/tags/add',
        body: { item: 'sla_warning', object: 'Ticket', o_id: 401 },
      },
      {
        method: 'POST',
        path: '/api/v1/tags/add',
        body: { item: 'sla_breached', object: 'Ticket', o_id: 401 },
      },
      {
        method: 'POST',
        path: '/api/v1/ticket_articles',
        body: {
          ticket_id: 401,
          subject: 'SLA',
          body: note,
          content_type: 'text/plain',
          type: 'note',
          internal: true,
        },
      },
    ]);
    expect(ic).toEqual([
      { method: 'POST', path: '/conversations/501/tags', body: { id: 'tag-sla_warning', admin_id: '991' } },
      { method: 'POST', path: '/conversations/501/tags', body: { id: 'tag-sla_breached', admin_id: '991' } },
      {
        method: 'POST',
        path: '/conversations/501/reply',
        body: { message_type: 'note', type: 'admin', admin_id: '991', body: htmlNote },
      },
    ]);
    expect(fakes.intercom.requests.filter((r) => r.path === '/tags').map((r) => r.body)).toEqual(
      expect.arrayContaining([{ name: 'sla_warning' }, { name: 'sla_breached' }]),
    );

    // Each provider's documented authentication, on every request.
    const auth = (name: Name) => [...new Set(fakes[name].requests.map((r) => r.authorization))];
    expect(auth('zendesk')).toEqual([`Basic ${b64(`sla@acme.test/token:${ZENDESK_TOKEN}`)}`]);
    expect(auth('freshdesk')).toEqual([`Basic ${b64(`${FRESHDESK_KEY}:X`)}`]);
    expect(auth('jira')).toEqual([`Basic ${b64(`sla@acme.test:${JIRA_TOKEN}`)}`]);
    expect(auth('zammad')).toEqual([`Token token=${ZAMMAD_TOKEN}`]);
    expect(auth('intercom')).toEqual([`Bearer ${INTERCOM_TOKEN}`]);
    expect(new Set(fakes.intercom.requests.map((r) => r.headers['intercom-version']))).toEqual(
      new Set(['2.11']),
    );
    expect(
      fakes.zendesk.requests.every(
        (r) => r.method === 'GET' || r.headers['content-type'] === 'application/json',
      ),
    ).toBe(true);
  });

  it('a clock met after its warning takes the warning tag off', async () => {
    const stories = new Map(names.map((name) => [name, open(providers[name].ids[1], 55 * SECOND)]));
    for (const name of names) await deliver(providers[name].integration, stories.get(name)!);
    await Promise.all([
      received('zendesk', '102', 1),
      received('freshdesk', '202', 2),
      received('jira', 'SUP-2', 1),
      received('zammad', '402', 1),
      received('intercom', '502', 1),
    ]);
    // An agent answers in time.
    for (const name of names)
      await deliver(providers[name].integration, stories.get(name)!.comment('reply', Date.now(), 'agent'));
    const [zd, fd, jira, zm, ic] = await Promise.all([
      received('zendesk', '102', 2),
      received('freshdesk', '202', 4),
      received('jira', 'SUP-2', 2),
      received('zammad', '402', 2),
      received('intercom', '502', 2),
    ]);
    expect(zd[1]).toEqual({
      method: 'DELETE',
      path: '/api/v2/tickets/102/tags',
      body: { tags: ['sla_warning'] },
    });
    expect(fd.slice(2)).toEqual([
      { method: 'GET', path: '/api/v2/tickets/202', body: null },
      { method: 'PUT', path: '/api/v2/tickets/202', body: { tags: ['vip'] } },
    ]);
    expect(jira[1]).toEqual({
      method: 'PUT',
      path: '/rest/api/3/issue/SUP-2',
      body: { update: { labels: [{ remove: 'sla-warn' }] } },
    });
    expect(zm[1]).toEqual({
      method: 'DELETE',
      path: '/api/v1/tags/remove',
      body: { item: 'sla_warning', object: 'Ticket', o_id: 402 },
    });
    expect(ic[1]).toEqual({
      method: 'DELETE',
      path: '/conversations/502/tags/tag-sla_warning',
      body: { admin_id: '991' },
    });
    await settle();
    // No breach, no note, nothing twice.
    expect(calls('zendesk', '102')).toHaveLength(2);
    expect(calls('intercom', '502')).toHaveLength(2);
  });

  it('a withdrawn breach takes both tags off and says so in an internal note', async () => {
    // Created 62 s ago: breached 2 s ago (the warning is skipped with it).
    const stories = new Map(names.map((name) => [name, open(providers[name].ids[2], 62 * SECOND)]));
    for (const name of names) await deliver(providers[name].integration, stories.get(name)!);
    await Promise.all([
      received('zendesk', '103', 2),
      received('freshdesk', '203', 3),
      received('jira', 'SUP-3', 2),
      received('zammad', '403', 2),
      received('intercom', '503', 2),
    ]);
    // The agent's reply happened before the deadline, and arrives now.
    for (const name of names)
      await deliver(
        providers[name].integration,
        stories.get(name)!.comment('late-reply', Date.now() - 10 * SECOND, 'agent'),
      );
    const [zd, fd, jira, zm, ic] = await Promise.all([
      received('zendesk', '103', 4),
      received('freshdesk', '203', 6),
      received('jira', 'SUP-3', 4),
      received('zammad', '403', 5),
      received('intercom', '503', 5),
    ]);
    const note = expect.stringMatching(
      /^SLA breach withdrawn: the first response clock met its deadline \S+ \(UTC\) after all/,
    );
    const htmlNote = expect.stringMatching(
      /^<p>SLA breach withdrawn: the first response clock met its deadline/,
    );
    expect(zd.slice(2)).toEqual([
      { method: 'DELETE', path: '/api/v2/tickets/103/tags', body: { tags: ['sla_warning', 'sla_breached'] } },
      {
        method: 'PUT',
        path: '/api/v2/tickets/103',
        body: { ticket: { comment: { body: note, public: false } } },
      },
    ]);
    expect(fd.slice(3)).toEqual([
      { method: 'GET', path: '/api/v2/tickets/203', body: null },
      { method: 'PUT', path: '/api/v2/tickets/203', body: { tags: ['vip'] } },
      { method: 'POST', path: '/api/v2/tickets/203/notes', body: { body: htmlNote, private: true } },
    ]);
    expect(jira.slice(2)).toEqual([
      {
        method: 'PUT',
        path: '/rest/api/3/issue/SUP-3',
        body: { update: { labels: [{ remove: 'sla-warn' }, { remove: 'sla-late' }] } },
      },
      {
        method: 'POST',
        path: '/rest/servicedeskapi/request/SUP-3/comment',
        body: { body: note, public: false },
      },
    ]);
    expect(zm.slice(2)).toEqual([
      {
        method: 'DELETE',
        path: '/api/v1/tags/remove',
        body: { item: 'sla_warning', object: 'Ticket', o_id: 403 },
      },
      {
        method: 'DELETE',
        path: '/api/v1/tags/remove',
        body: { item: 'sla_breached', object: 'Ticket', o_id: 403 },
      },
      expect.objectContaining({
        method: 'POST',
        path: '/api/v1/ticket_articles',
        body: expect.objectContaining({ body: note, internal: true }),
      }),
    ]);
    expect(ic.slice(2)).toEqual([
      { method: 'DELETE', path: '/conversations/503/tags/tag-sla_warning', body: { admin_id: '991' } },
      { method: 'DELETE', path: '/conversations/503/tags/tag-sla_breached', body: { admin_id: '991' } },
      {
        method: 'POST',
        path: '/conversations/503/reply',
        body: expect.objectContaining({ message_type: 'note', body: htmlNote }),
      },
    ]);
    const sent = await http().get('/notifications').query({ channelId: 'desk', status: 'sent' }).expect(200);
    expect(sent.body.map((n: { event: string }) => n.event)).toEqual(
      expect.arrayContaining(['step', 'met', 'withdrawal']),
    );
  });

  it('honours 429 Retry-After, retries a 500, and sends once the helpdesk answers', async () => {
    fakes.flaky.script(
      '/api/v2/tickets/901/tags',
      { status: 429, headers: { 'retry-after': '1' }, body: { error: 'TooManyRequests' } },
      { status: 500, body: { error: 'InternalError' } },
    );
    await deliver('zd-flaky', open('901', 62 * SECOND));
    const reqs = await waitFor(() => {
      const r = fakes.flaky.about('/901');
      return r.length >= 4 ? r : undefined;
    });
    expect(reqs.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PUT /api/v2/tickets/901/tags',
      'PUT /api/v2/tickets/901/tags',
      'PUT /api/v2/tickets/901/tags',
      'PUT /api/v2/tickets/901',
    ]);
    expect(reqs[1].at - reqs[0].at).toBeGreaterThanOrEqual(900);
    const row = await waitFor(async () => {
      const res = await http().get('/notifications').query({ channelId: 'desk', status: 'sent' });
      const stepId = (res.body as Array<{ stepId: string; attempts: number; lastError: string | null }>).find(
        (n) => n.attempts === 3,
      );
      return stepId;
    });
    expect(row.lastError).toBe('zendesk answered HTTP 500 to PUT /api/v2/tickets/901/tags: InternalError');
  });

  it('ends failed on a 401 with the provider message and no credential in it; retry sends again', async () => {
    fakes.locked.always('/', {
      status: 401,
      body: { error: `Couldn't authenticate you with ${ZENDESK_TOKEN}` },
    });
    await deliver('zd-locked', open('902', 62 * SECOND));
    const failed = await waitFor(async () => {
      const res = await http().get('/notifications').query({ channelId: 'desk', status: 'failed' });
      return (res.body as Array<{ id: string; attempts: number; lastError: string }>)[0];
    });
    expect(failed.attempts).toBe(1);
    expect(failed.lastError).toBe(
      "zendesk answered HTTP 401 to PUT /api/v2/tickets/902/tags: Couldn't authenticate you with [redacted]",
    );
    expect(fakes.locked.requests).toHaveLength(1);
    await http().post(`/notifications/${failed.id}/retry`).expect(202);
    await waitFor(() => (fakes.locked.requests.length >= 2 ? true : undefined));
  });

  it('never puts a credential in a response or a log line', async () => {
    const everything = JSON.stringify([
      (await http().get('/notifications').query({ limit: 500 })).body,
      (await http().get('/integrations')).body,
      (await http().get('/channels')).body,
      (await http().get('/audit').query({ limit: 500 })).body,
    ]);
    const logs = logger.lines.join('\n');
    expect(logs).toContain('zendesk answered HTTP 401 to PUT /api/v2/tickets/902/tags');
    for (const secret of SECRETS) {
      expect(everything).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
    const metrics = await http().get('/metrics').expect(200);
    expect(metrics.text).toMatch(/sla_notifications\{channel_type="helpdesk",status="sent"\} \d+/);
  });
});
