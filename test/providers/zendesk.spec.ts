import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NormaliseError } from '../../src/webhooks/providers/provider-adapter.js';
import {
  ZENDESK_MIN_REPLAY_WINDOW_SECONDS,
  zendeskAdapter,
} from '../../src/webhooks/providers/zendesk.adapter.js';
import {
  at,
  delivery,
  fixture,
  integration,
  normaliseFile,
  RECEIVED_AT,
  reserialised,
  SECRET,
  sequence,
} from './support.js';

const settings = integration('zendesk');
const TS = '2026-11-20T14:59:30Z';

function sign(body: Buffer, timestamp = TS, secret = SECRET): string {
  return createHmac('sha256', secret).update(timestamp).update(body).digest('base64');
}
function headers(body: Buffer, timestamp = TS, secret = SECRET): Record<string, string> {
  return {
    'x-zendesk-webhook-signature': sign(body, timestamp, secret),
    'x-zendesk-webhook-signature-timestamp': timestamp,
  };
}

describe('Zendesk signature: base64(HMAC-SHA256(secret, timestamp + raw body))', () => {
  const { raw } = fixture('zendesk', '01-ticket-created.json');

  it('accepts a correctly signed delivery within the replay window', () => {
    expect(zendeskAdapter.verify(delivery(raw, headers(raw)), settings)).toEqual({ ok: true });
  });

  it('matches an independently computed vector', () => {
    const body = Buffer.from('{"type":"zen:event-type:ticket.created"}');
    const expected = createHmac('sha256', 'secret')
      .update(`${TS}{"type":"zen:event-type:ticket.created"}`)
      .digest('base64');
    const res = zendeskAdapter.verify(
      delivery(body, {
        'x-zendesk-webhook-signature': expected,
        'x-zendesk-webhook-signature-timestamp': TS,
      }),
      integration('zendesk', {}, { signingSecret: 'secret' }),
    );
    expect(res).toEqual({ ok: true });
  });

  it('rejects a re-serialised body (signature is over the exact bytes)', () => {
    const res = zendeskAdapter.verify(delivery(reserialised(raw), headers(raw)), settings);
    expect(res).toMatchObject({ ok: false, error: 'invalid_signature' });
  });

  it('rejects a wrong secret', () => {
    const res = zendeskAdapter.verify(delivery(raw, headers(raw, TS, 'another-secret')), settings);
    expect(res).toMatchObject({ ok: false, error: 'invalid_signature' });
  });

  it('rejects a signature made for another timestamp', () => {
    const h = headers(raw);
    h['x-zendesk-webhook-signature-timestamp'] = '2026-11-20T14:59:31Z';
    expect(zendeskAdapter.verify(delivery(raw, h), settings)).toMatchObject({
      ok: false,
      error: 'invalid_signature',
    });
  });

  it('rejects a missing signature or timestamp header', () => {
    expect(
      zendeskAdapter.verify(delivery(raw, { 'x-zendesk-webhook-signature-timestamp': TS }), settings),
    ).toMatchObject({
      ok: false,
      error: 'missing_signature',
    });
    expect(
      zendeskAdapter.verify(delivery(raw, { 'x-zendesk-webhook-signature': sign(raw) }), settings),
    ).toMatchObject({
      ok: false,
      error: 'missing_timestamp',
    });
  });

  it('rejects malformed headers', () => {
    expect(
      zendeskAdapter.verify(
        delivery(raw, { ...headers(raw), 'x-zendesk-webhook-signature': 'sha256=zz!' }),
        settings,
      ),
    ).toMatchObject({ ok: false, error: 'malformed_signature' });
    expect(zendeskAdapter.verify(delivery(raw, headers(raw, 'yesterday-ish')), settings)).toMatchObject({
      ok: false,
      error: 'malformed_timestamp',
    });
  });

  it('rejects a stale (or far-future) timestamp even with a valid signature; the window is at least 15 minutes', () => {
    // The configured 300 s is raised to 15 minutes: Zendesk's own retries must not meet a 401.
    expect(ZENDESK_MIN_REPLAY_WINDOW_SECONDS).toBe(900);
    const retried = '2026-11-20T14:50:00Z'; // a retry 10 minutes after the first attempt, same timestamp
    expect(zendeskAdapter.verify(delivery(raw, headers(raw, retried)), settings)).toEqual({ ok: true });
    const old = '2026-11-20T14:44:59Z'; // 15 min 1 s before receipt
    expect(zendeskAdapter.verify(delivery(raw, headers(raw, old)), settings)).toMatchObject({
      ok: false,
      error: 'stale_timestamp',
    });
    const future = '2026-11-20T15:15:01Z';
    expect(zendeskAdapter.verify(delivery(raw, headers(raw, future)), settings)).toMatchObject({
      ok: false,
      error: 'future_timestamp',
    });
    const edge = '2026-11-20T14:45:00Z'; // exactly the window
    expect(zendeskAdapter.verify(delivery(raw, headers(raw, edge)), settings)).toEqual({ ok: true });
    // A longer configured window is kept.
    const hour = { ...settings, replayWindowSeconds: 3600 };
    expect(zendeskAdapter.verify(delivery(raw, headers(raw, old)), hour)).toEqual({ ok: true });
  });

  it('reports an integration without a secret as not configured', () => {
    const res = zendeskAdapter.verify(delivery(raw, headers(raw)), integration('zendesk', {}, {}));
    expect(res).toMatchObject({ ok: false, error: 'no_signing_secret' });
  });
});

describe('Zendesk event subscriptions', () => {
  it('ticket.created: full snapshot, event id, time with nanoseconds truncated to ms, sequence position', () => {
    const [e, ...rest] = normaliseFile(zendeskAdapter, 'zendesk', '01-ticket-created.json', settings);
    expect(rest).toEqual([]);
    expect(e).toEqual({
      id: '7c1c2f4e-0001-4a8e-9e55-000000000001',
      type: 'ticket.created',
      occurredAt: at('2026-11-20T09:15:00.123Z'),
      sequence: 1,
      externalTicketId: '5158',
      ticket: {
        id: '5158',
        createdAt: at('2026-11-20T09:15:00Z'),
        status: 'new',
        priority: 'high',
        customerId: '9001',
        groupId: '360004',
        channel: 'web_form',
        tags: ['export', 'tier_enterprise'],
      },
      actor: { role: 'customer', id: '8447388090495' },
    });
  });

  it('internal note: comment.created, private, agent', () => {
    const [e] = normaliseFile(zendeskAdapter, 'zendesk', '02-internal-note.json', settings);
    expect(e).toMatchObject({
      type: 'comment.created',
      occurredAt: at('2026-11-20T09:20:00Z'),
      comment: { id: '30001', public: false, authorRole: 'agent' },
      actor: { role: 'agent', id: '1900000000001' },
      ticket: { status: 'open', assigneeId: '1900000000001' },
    });
  });

  it('agent public reply and customer reply', () => {
    const [agent] = normaliseFile(zendeskAdapter, 'zendesk', '04-agent-public-reply.json', settings);
    expect(agent?.comment).toEqual({ id: '30002', public: true, authorRole: 'agent' });
    const [customer] = normaliseFile(zendeskAdapter, 'zendesk', '06-customer-reply.json', settings);
    expect(customer?.comment).toEqual({ id: '30003', public: true, authorRole: 'customer' });
    expect(customer?.actor).toEqual({ role: 'customer', id: '8447388090495' });
  });

  it('status changes in upper case: PENDING, HOLD → on_hold, SOLVED, reopen by the requester', () => {
    const status = (f: string) => normaliseFile(zendeskAdapter, 'zendesk', f, settings)[0]!;
    expect(status('05-status-pending.json')).toMatchObject({
      type: 'ticket.updated',
      ticket: { status: 'pending' },
      actor: { role: 'agent' },
    });
    expect(status('09-status-hold.json').ticket.status).toBe('on_hold');
    expect(status('10-status-solved.json').ticket.status).toBe('solved');
    expect(status('11-status-reopened.json')).toMatchObject({
      ticket: { status: 'open' },
      actor: { role: 'customer' },
    });
  });

  it('priority change and agent assignment are updates by an agent', () => {
    const [p] = normaliseFile(zendeskAdapter, 'zendesk', '08-priority-urgent.json', settings);
    expect(p).toMatchObject({
      type: 'ticket.updated',
      ticket: { priority: 'urgent' },
      actor: { role: 'agent' },
    });
    const [a] = normaliseFile(zendeskAdapter, 'zendesk', '03-agent-assigned.json', settings);
    expect(a).toMatchObject({
      type: 'ticket.updated',
      ticket: { assigneeId: '1900000000001' },
      actor: { role: 'agent', id: '1900000000001' },
    });
  });

  it('soft-deleted, spam and merged-away tickets are removed (ticket.deleted)', () => {
    const one = (f: string) => normaliseFile(zendeskAdapter, 'zendesk', f, settings)[0]!;
    expect(one('soft-deleted.json')).toMatchObject({
      type: 'ticket.deleted',
      ticket: { removed: 'deleted', status: 'closed' },
    });
    expect(one('marked-as-spam.json')).toMatchObject({ type: 'ticket.deleted', ticket: { removed: 'spam' } });
    expect(one('merged.json')).toMatchObject({ type: 'ticket.deleted', ticket: { removed: 'merged' } });
  });

  it('ignores non-ticket and irrelevant ticket events', () => {
    const user = {
      type: 'zen:event-type:user.active_changed',
      id: 'x',
      time: '2026-11-20T09:00:00Z',
      detail: { id: '1' },
    };
    expect(zendeskAdapter.normalise(user, delivery('{}'), settings)).toEqual([]);
    const subj = {
      type: 'zen:event-type:ticket.subject_changed',
      id: 'y',
      time: '2026-11-20T09:00:00Z',
      detail: { id: '1' },
    };
    expect(zendeskAdapter.normalise(subj, delivery('{}'), settings)).toEqual([]);
  });

  it('the whole sequence ends in the documented state', () => {
    const seq = sequence('zendesk');
    const events = seq.files.flatMap((f) => normaliseFile(zendeskAdapter, 'zendesk', f, settings));
    expect(events).toHaveLength(seq.expected.events!);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    const last = events[events.length - 1]!;
    expect(last.ticket).toMatchObject({
      status: seq.expected.status,
      priority: seq.expected.priority,
      customerId: seq.expected.customerId,
    });
    expect(events.every((e) => e.externalTicketId === seq.ticketId)).toBe(true);
  });

  it('deliveryId is the event id', () => {
    const { raw, json } = fixture('zendesk', '04-agent-public-reply.json');
    expect(zendeskAdapter.deliveryId(delivery(raw), json)).toBe('7c1c2f4e-0004-4a8e-9e55-000000000004');
  });
});

describe('Zendesk mappings and tiers', () => {
  it('merges case-insensitive overrides over the defaults and uses the default priority when missing', () => {
    const s = integration('zendesk', {
      statuses: { Hold: 'pending' },
      priorities: { HIGH: 'urgent' },
      defaultPriority: 'low',
    });
    const [hold] = normaliseFile(zendeskAdapter, 'zendesk', '09-status-hold.json', s);
    expect(hold?.ticket.status).toBe('pending');
    const [created] = normaliseFile(zendeskAdapter, 'zendesk', '01-ticket-created.json', s);
    expect(created?.ticket.priority).toBe('urgent');
    const { json } = fixture('zendesk', '01-ticket-created.json');
    const noPriority = structuredClone(json) as { detail: Record<string, unknown> };
    delete noPriority.detail['priority'];
    // Absent: unchanged. The engine carries the last priority forward; a ticket that never had one gets 'low'.
    expect(zendeskAdapter.normalise(noPriority, delivery('{}'), s)[0]?.ticket.priority).toBeUndefined();
  });

  it('tier from a tag prefix, keeping the organisation as customerId', () => {
    const s = integration('zendesk', { tier: { source: 'tag', tagPrefix: 'tier_' } });
    const [e] = normaliseFile(zendeskAdapter, 'zendesk', '01-ticket-created.json', s);
    expect(e?.ticket).toMatchObject({ tier: 'enterprise', customerId: '9001' });
  });

  it('unknown status → NormaliseError telling how to fix it', () => {
    const { json } = fixture('zendesk', '05-status-pending.json');
    const odd = structuredClone(json) as { detail: Record<string, unknown> };
    odd.detail['status'] = 'Waiting on vendor';
    expect(() => zendeskAdapter.normalise(odd, delivery('{}'), settings)).toThrow(
      /add it to the integration's status mapping/,
    );
  });

  it('unusable payloads → NormaliseError', () => {
    expect(() => zendeskAdapter.normalise([1, 2], delivery('[]'), settings)).toThrow(NormaliseError);
    const noId = {
      type: 'zen:event-type:ticket.created',
      id: 'z',
      time: '2026-11-20T09:00:00Z',
      detail: { status: 'open' },
    };
    expect(() => zendeskAdapter.normalise(noId, delivery('{}'), settings)).toThrow(/no ticket id/);
    expect(() => zendeskAdapter.normalise({ hello: 'world' }, delivery('{}'), settings)).toThrow(
      /recommended trigger template/,
    );
  });
});

describe('Zendesk trigger webhooks (recommended template)', () => {
  const h = { 'x-zendesk-webhook-invocation-id': '8350205582' };

  it('created: snapshot in title case with minute-precision timestamps, plus the opening comment', () => {
    const events = normaliseFile(zendeskAdapter, 'zendesk', 'trigger-01-created.json', settings, h);
    expect(events).toEqual([
      {
        id: 'zendesk:5200:created',
        type: 'ticket.created',
        occurredAt: at('2026-11-20T09:15:00Z'),
        externalTicketId: '5200',
        ticket: {
          id: '5200',
          createdAt: at('2026-11-20T09:15:00Z'),
          status: 'new',
          priority: 'normal',
          customerId: '9001',
          groupId: '360004',
          channel: 'web form',
          tags: ['export', 'tier_business'],
        },
        actor: { role: 'customer', id: '8447388090495' },
      },
      expect.objectContaining({
        id: 'zendesk:5200:comment:40001',
        type: 'comment.created',
        comment: { id: '40001', public: true, authorRole: 'customer' },
      }),
    ]);
  });

  it('agent reply setting Pending; internal note by an Admin with On-hold; "-" priority → default', () => {
    const [upd, reply] = normaliseFile(
      zendeskAdapter,
      'zendesk',
      'trigger-02-agent-reply-pending.json',
      settings,
      h,
    );
    expect(upd).toMatchObject({
      id: 'zendesk:5200:update:8350205582',
      type: 'ticket.updated',
      ticket: { status: 'pending' },
      actor: { role: 'agent' },
    });
    expect(reply?.comment).toEqual({ id: '40002', public: true, authorRole: 'agent' });
    const [hold, note] = normaliseFile(
      zendeskAdapter,
      'zendesk',
      'trigger-03-internal-note-hold.json',
      settings,
    );
    expect(hold?.ticket).toMatchObject({ status: 'on_hold', priority: 'high' });
    expect(note?.comment).toEqual({ id: '40003', public: false, authorRole: 'agent' });
    const [solved, sameNote] = normaliseFile(zendeskAdapter, 'zendesk', 'trigger-04-solved.json', settings);
    expect(solved?.ticket).toMatchObject({ status: 'solved', priority: 'normal' });
    expect(sameNote?.id).toBe(note?.id); // the same latest comment dedupes
  });

  it('without an invocation id, update ids are derived from the snapshot (stable across retries)', () => {
    const a = normaliseFile(zendeskAdapter, 'zendesk', 'trigger-02-agent-reply-pending.json', settings)[0]!;
    const b = normaliseFile(zendeskAdapter, 'zendesk', 'trigger-02-agent-reply-pending.json', settings)[0]!;
    expect(a.id).toBe(b.id);
    expect(a.id).not.toBe(
      normaliseFile(zendeskAdapter, 'zendesk', 'trigger-03-internal-note-hold.json', settings)[0]!.id,
    );
  });

  it('trigger sequence ends solved', () => {
    const seq = sequence('zendesk', 'trigger-sequence.json');
    const events = seq.files.flatMap((f) => normaliseFile(zendeskAdapter, 'zendesk', f, settings));
    expect(events[events.length - 1]!.ticket).toMatchObject({
      status: seq.expected.status,
      priority: seq.expected.priority,
    });
    expect(
      zendeskAdapter.deliveryId(delivery('{}', h), fixture('zendesk', 'trigger-01-created.json').json),
    ).toBe('8350205582');
    expect(RECEIVED_AT).toBeGreaterThan(0);
  });
});

describe('Zendesk flat trigger bodies', () => {
  const h = (i: number) => ({ 'x-zendesk-webhook-invocation-id': `inv-flat-${i}` });

  it('ticket_id / status / updater_role / latest_comment_* without a ticket object read like the template', () => {
    const seq = sequence('zendesk', 'flat-sequence.json');
    const events = seq.files.flatMap((f, i) =>
      normaliseFile(
        zendeskAdapter,
        'zendesk',
        f,
        integration('zendesk', { tier: { source: 'tag', tagPrefix: 'tier_' } }),
        h(i),
      ),
    );
    expect(events).toHaveLength(seq.expected.events!);
    expect(events[0]).toMatchObject({
      id: 'zendesk:5301:created',
      type: 'ticket.created',
      occurredAt: at('2026-11-20T09:15:00Z'),
      ticket: {
        id: '5301',
        status: 'new',
        priority: 'high',
        customerId: '9001',
        tier: 'enterprise',
        assigneeId: '1900000000001',
        groupId: '360004',
        tags: ['export', 'tier_enterprise'],
      },
      actor: { role: 'customer', id: '9100' },
    });
    expect(events.map((e) => `${e.type}:${e.actor?.role}:${e.comment?.authorRole ?? '-'}`)).toEqual([
      'ticket.created:customer:-',
      'comment.created:customer:customer',
      'ticket.updated:agent:-',
      'comment.created:agent:agent',
      'ticket.updated:customer:-',
      'comment.created:customer:customer',
      'ticket.updated:agent:-',
      'comment.created:agent:agent',
    ]);
    expect(events.at(-1)!.ticket).toMatchObject({
      status: seq.expected.status,
      priority: seq.expected.priority,
    });
  });

  it('ticket_-prefixed and current_user_* names work too; a body without ticket_id is still refused', () => {
    const flat = {
      ticket_id: '77',
      ticket_status: 'open',
      ticket_priority: 'urgent',
      current_user_id: '5',
      current_user_role: 'Agent',
      comment_id: '9',
      comment_public: 'false',
      comment_author_role: 'Agent',
    };
    const events = zendeskAdapter.normalise(flat, delivery('{}', h(9)), settings);
    expect(events[0]).toMatchObject({
      ticket: { id: '77', status: 'open', priority: 'urgent' },
      actor: { role: 'agent' },
    });
    expect(events[1]).toMatchObject({ comment: { id: '9', public: false, authorRole: 'agent' } });
    expect(() => zendeskAdapter.normalise({ status: 'open' }, delivery('{}'), settings)).toThrow(/ticket_id/);
  });
});

describe('Zendesk event-subscription actors', () => {
  const { json } = fixture('zendesk', '07-status-open-by-customer.json');
  const withActor = (patch: (p: Record<string, Record<string, unknown>>) => void) => {
    const p = structuredClone(json) as Record<string, Record<string, unknown>>;
    p['detail']!['actor_id'] = '9200'; // not the requester: a CC'd end user, or an API user
    patch(p);
    return zendeskAdapter.normalise(p, delivery('{}'), settings)[0]!.actor;
  };

  it('uses the role the payload states: an end user other than the requester is a customer, a trigger the system', () => {
    expect(withActor(() => {})).toEqual({ role: 'agent', id: '9200' }); // nothing stated: anyone but the requester
    expect(withActor((p) => (p['event']!['actor'] = { id: '9200', type: 'end_user' }))).toEqual({
      role: 'customer',
      id: '9200',
    });
    expect(withActor((p) => (p['detail']!['actor'] = { id: '9200', role: 'end-user' }))?.role).toBe(
      'customer',
    );
    expect(withActor((p) => (p['event']!['actor'] = { id: '9200', is_staff: false }))?.role).toBe('customer');
    expect(withActor((p) => (p['event']!['actor'] = { type: 'trigger' }))?.role).toBe('system');
    expect(withActor((p) => (p['event']!['actor'] = { type: 'agent' }))?.role).toBe('agent');
  });

  it('comment_added before status_changed (one action, order not guaranteed): the customer message still opens a cycle', () => {
    // Ticket 5158 was answered and solved; the customer writes at 12:00 and Zendesk reopens it in the same action.
    // The comment event's snapshot still reads SOLVED; the status_changed event follows a second later.
    const solved = fixture('zendesk', '10-status-solved.json').json as Record<
      string,
      Record<string, unknown>
    >;
    const comment = structuredClone(fixture('zendesk', '06-customer-reply.json').json) as Record<
      string,
      Record<string, unknown>
    >;
    comment['id'] = 'reopen-comment' as never;
    comment['time'] = '2026-11-20T12:00:00Z' as never;
    comment['detail']!['status'] = 'SOLVED';
    const reopen = structuredClone(fixture('zendesk', '07-status-open-by-customer.json').json) as Record<
      string,
      Record<string, unknown>
    >;
    reopen['id'] = 'reopen-status' as never;
    reopen['time'] = '2026-11-20T12:00:01Z' as never;
    reopen['event'] = { current: 'OPEN', previous: 'SOLVED' };
    const events = [solved, comment, reopen].map(
      (p) => zendeskAdapter.normalise(p, delivery('{}'), settings)[0]!,
    );
    expect(events.map((e) => `${e.type}:${e.ticket.status}`)).toEqual([
      'ticket.updated:solved',
      'comment.created:solved',
      'ticket.updated:open',
    ]);
  });
});
