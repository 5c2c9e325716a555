import { describe, expect, it } from 'vitest';
import { intercomAdapter } from '../../src/webhooks/providers/intercom.adapter.js';
import {
  at,
  delivery,
  fixture,
  hubSignature,
  integration,
  normaliseFile,
  reserialised,
  SECRET,
  sequence,
} from './support.js';

const settings = integration('intercom');
const one = (f: string, s = settings) => normaliseFile(intercomAdapter, 'intercom', f, s);

describe('Intercom signature: X-Hub-Signature: sha1=<hex HMAC-SHA1 keyed with the client secret>', () => {
  const { raw, json } = fixture('intercom', '04-admin-replied.json');
  const sig = hubSignature('sha1', SECRET, raw);

  it('accepts the documented scheme; dedupes on the notification id', () => {
    expect(intercomAdapter.verify(delivery(raw, { 'x-hub-signature': sig }), settings)).toEqual({ ok: true });
    expect(intercomAdapter.deliveryId(delivery(raw), json)).toBe('notif_ccd8a4d0-0004');
  });

  it('rejects re-serialised bodies, wrong secrets, missing and malformed headers', () => {
    expect(
      intercomAdapter.verify(delivery(reserialised(raw), { 'x-hub-signature': sig }), settings),
    ).toMatchObject({ error: 'invalid_signature' });
    expect(
      intercomAdapter.verify(
        delivery(raw, { 'x-hub-signature': hubSignature('sha1', 'other', raw) }),
        settings,
      ),
    ).toMatchObject({
      error: 'invalid_signature',
    });
    expect(intercomAdapter.verify(delivery(raw, {}), settings)).toMatchObject({ error: 'missing_signature' });
    expect(
      intercomAdapter.verify(delivery(raw, { 'x-hub-signature': sig.slice(0, 20) }), settings),
    ).toMatchObject({
      error: 'malformed_signature',
    });
  });
});

describe('Intercom normalisation', () => {
  it('conversation.user.created → ticket.created + the customer opening message', () => {
    const ticket = {
      id: '215467895',
      createdAt: at('2026-11-20T09:15:00Z'),
      status: 'open',
      priority: 'normal',
      customerId: '6329bdc1fe4e2e91dac761a0',
      groupId: '5017691',
      channel: 'customer_initiated',
      tags: ['tier_business'],
    };
    const actor = { role: 'customer', id: '6329bd9ffe4e2e91dac76188' };
    expect(one('01-user-created.json')).toEqual([
      {
        id: 'intercom:215467895:created',
        type: 'ticket.created',
        occurredAt: at('2026-11-20T09:15:00Z'),
        externalTicketId: '215467895',
        ticket,
        actor,
      },
      {
        id: 'intercom:215467895:part:3000001',
        type: 'comment.created',
        occurredAt: at('2026-11-20T09:15:00Z'),
        externalTicketId: '215467895',
        ticket,
        comment: { id: '3000001', public: true, authorRole: 'customer' },
        actor,
      },
    ]);
  });

  it('bot reply is system, admin note is internal, admin reply public, user reply customer', () => {
    expect(one('02-bot-reply.json')[0]?.comment).toEqual({
      id: '9000001',
      public: true,
      authorRole: 'system',
    });
    expect(one('03-admin-noted.json')[0]).toMatchObject({
      type: 'comment.created',
      occurredAt: at('2026-11-20T09:20:00Z'),
      comment: { id: '9000002', public: false, authorRole: 'agent' },
      ticket: { assigneeId: '5017690' },
    });
    expect(one('04-admin-replied.json')[0]?.comment).toEqual({
      id: '9000003',
      public: true,
      authorRole: 'agent',
    });
    expect(one('06-user-replied.json')[0]).toMatchObject({
      comment: { id: '9000005', authorRole: 'customer' },
      actor: { role: 'customer' },
    });
  });

  it('snoozed → pending, priority → high, closed → solved, opened → open, deleted → removed', () => {
    expect(one('05-admin-snoozed.json')[0]).toMatchObject({
      id: 'intercom:215467895:part:9000004',
      type: 'ticket.updated',
      ticket: { status: 'pending' },
      actor: { role: 'agent', id: '5017690' },
    });
    expect(one('07-priority-updated.json')[0]).toMatchObject({
      id: 'intercom:215467895:notification:notif_ccd8a4d0-0007',
      ticket: { priority: 'high' },
      occurredAt: at('2026-11-20T10:05:00Z'),
    });
    expect(one('08-admin-closed.json')[0]?.ticket.status).toBe('solved');
    expect(one('09-admin-opened.json')[0]?.ticket.status).toBe('open');
    expect(one('conversation-deleted.json')[0]).toMatchObject({
      type: 'ticket.deleted',
      ticket: { removed: 'deleted' },
    });
  });

  it('an admin reply whose part is an assignment or an open is a public agent reply (reply-and-assign, reply-and-reopen)', () => {
    expect(one('reply-parts-02-admin-replied-assignment.json')).toEqual([
      expect.objectContaining({
        id: 'intercom:215467901:part:9100002',
        type: 'comment.created',
        occurredAt: at('2026-11-20T09:25:00Z'),
        comment: { id: '9100002', public: true, authorRole: 'agent' },
        actor: { role: 'agent', id: '5017690' },
      }),
    ]);
    expect(one('reply-parts-04-admin-replied-open.json')[0]).toMatchObject({
      type: 'comment.created',
      ticket: { status: 'open' },
      comment: { id: '9100004', public: true, authorRole: 'agent' },
    });
    // An assignment part without text in a reply topic is not a reply.
    const json = JSON.parse(
      fixture('intercom', 'reply-parts-02-admin-replied-assignment.json').raw.toString('utf8'),
    );
    json.data.item.conversation_parts.conversation_parts[0].body = '<p> </p>';
    expect(() => intercomAdapter.normalise(json, delivery('{}'), settings)).toThrow(/comment/);
  });

  it('conversation.deleted with only ids removes the conversation', () => {
    expect(one('deleted-03-conversation-deleted.json')).toEqual([
      {
        id: 'intercom:215467902:deleted',
        type: 'ticket.deleted',
        occurredAt: at('2026-11-20T09:30:01Z'),
        ticket: {
          id: '215467902',
          createdAt: at('2026-11-20T09:30:01Z'),
          status: 'closed',
          removed: 'deleted',
        },
        externalTicketId: '215467902',
        actor: { role: 'system' },
      },
    ]);
  });

  it('configurable priority and closed mappings; tier from custom attribute', () => {
    const s = integration('intercom', {
      priorities: { priority: 'urgent', NOT_PRIORITY: 'low' },
      statuses: { closed: 'closed' },
      tier: { source: 'field', field: 'Plan' },
    });
    expect(one('08-admin-closed.json', s)[0]?.ticket).toMatchObject({
      status: 'closed',
      priority: 'urgent',
      tier: 'enterprise',
    });
    expect(one('01-user-created.json', s)[0]?.ticket.priority).toBe('low');
  });

  it('ignores ping and unrelated topics; rejects notifications without a conversation', () => {
    expect(one('ping.json')).toEqual([]);
    expect(() =>
      intercomAdapter.normalise({ topic: 'conversation.admin.replied', data: {} }, delivery('{}'), settings),
    ).toThrow(/data.item/);
    expect(() => intercomAdapter.normalise('nope', delivery('"nope"'), settings)).toThrow(
      /Intercom notification/,
    );
  });

  it.each(['sequence.json', 'reply-parts-sequence.json', 'deleted-sequence.json'])(
    '%s ends in the documented state',
    (name) => {
      const seq = sequence('intercom', name);
      const events = seq.files.flatMap((f) => one(f));
      expect(events).toHaveLength(seq.expected.events!);
      // Fields a sequence leaves out of `expected` are absent from its last (ids-only) event.
      const { status, priority, customerId } = seq.expected;
      expect(events[events.length - 1]!.ticket).toMatchObject(
        Object.fromEntries(
          Object.entries({ status, priority, customerId }).filter(([, v]) => v !== undefined),
        ),
      );
    },
  );
});
