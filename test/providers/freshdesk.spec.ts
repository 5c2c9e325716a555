import { describe, expect, it } from 'vitest';
import {
  FRESHDESK_RETRY_WINDOW_MS,
  freshdeskAdapter,
  parseTriggeredEvent,
} from '../../src/webhooks/providers/freshdesk.adapter.js';
import type { IntegrationCredentials } from '../../src/webhooks/providers/provider-adapter.js';
import { at, delivery, fixture, integration, normaliseFile, RECEIVED_AT, sequence } from './support.js';

const basic: IntegrationCredentials = { verifyBasicAuth: (u, p) => u === 'sla' && p === 's3cret:with-colon' };
const secretHeader: IntegrationCredentials = {
  secretHeaderName: 'X-SLA-Token',
  verifySecretHeader: (v) => v === 'tok-123',
};
const settings = integration('freshdesk', {}, basic);
const one = (f: string, s = settings) => normaliseFile(freshdeskAdapter, 'freshdesk', f, s);
const auth = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('Freshdesk authentication (no signature): HTTP basic auth or a secret header', async () => {
  const { raw } = fixture('freshdesk', '01-ticket-created.json');

  it('basic auth: accepts the right credentials (password may contain a colon), rejects wrong/missing/malformed', async () => {
    expect(
      await freshdeskAdapter.verify(
        delivery(raw, { authorization: auth('sla', 's3cret:with-colon') }),
        settings,
      ),
    ).toEqual({ ok: true });
    expect(
      await freshdeskAdapter.verify(delivery(raw, { authorization: auth('sla', 'wrong') }), settings),
    ).toMatchObject({ error: 'invalid_credentials' });
    expect(await freshdeskAdapter.verify(delivery(raw, {}), settings)).toMatchObject({
      error: 'missing_credentials',
    });
    expect(
      await freshdeskAdapter.verify(delivery(raw, { authorization: 'Bearer abc' }), settings),
    ).toMatchObject({
      error: 'malformed_credentials',
    });
    expect(
      await freshdeskAdapter.verify(
        delivery(raw, { authorization: `Basic ${Buffer.from('nocolon').toString('base64')}` }),
        settings,
      ),
    ).toMatchObject({
      error: 'malformed_credentials',
    });
  });

  it('secret header: header names are matched case-insensitively; wrong or missing values are rejected', async () => {
    const s = integration('freshdesk', {}, secretHeader);
    expect(await freshdeskAdapter.verify(delivery(raw, { 'x-sla-token': 'tok-123' }), s)).toEqual({
      ok: true,
    });
    expect(await freshdeskAdapter.verify(delivery(raw, { 'x-sla-token': 'tok-124' }), s)).toMatchObject({
      error: 'invalid_credentials',
    });
    expect(await freshdeskAdapter.verify(delivery(raw, {}), s)).toMatchObject({
      error: 'missing_credentials',
    });
  });

  it('both configured: both must pass; none configured: no_credentials', async () => {
    const both = integration('freshdesk', {}, { ...basic, ...secretHeader });
    expect(await freshdeskAdapter.verify(delivery(raw, { 'x-sla-token': 'tok-123' }), both)).toMatchObject({
      error: 'missing_credentials',
    });
    expect(
      await freshdeskAdapter.verify(
        delivery(raw, { 'x-sla-token': 'tok-123', authorization: auth('sla', 's3cret:with-colon') }),
        both,
      ),
    ).toEqual({ ok: true });
    expect(await freshdeskAdapter.verify(delivery(raw, {}), integration('freshdesk', {}, {}))).toMatchObject({
      error: 'no_credentials',
    });
  });

  it('sends no delivery id: the same bytes are one delivery only within the retry window', () => {
    const { raw } = fixture('freshdesk', 'repeated-02-agent-reply.json');
    const at0 = Date.parse('2026-11-20T10:00:00Z');
    const key = (receivedAt: number) => freshdeskAdapter.deliveryId(delivery(raw, {}, receivedAt));
    const eventId = (receivedAt: number) =>
      freshdeskAdapter.normalise(
        JSON.parse(raw.toString('utf8')),
        delivery(raw, {}, receivedAt),
        settings,
      )[0]!.id;
    // Freshdesk retries after 5, 30 and 60 more minutes.
    expect(key(at0 + 35 * 60_000)).toBe(key(at0));
    expect(eventId(at0 + 35 * 60_000)).toBe(eventId(at0));
    // The same bytes hours later are a distinct event (a second reply with unchanged fields).
    expect(key(at0 + FRESHDESK_RETRY_WINDOW_MS)).not.toBe(key(at0));
    expect(eventId(at0 + FRESHDESK_RETRY_WINDOW_MS)).not.toBe(eventId(at0));
    // latest_comment makes two replies with unchanged fields differ.
    const other = fixture('freshdesk', 'repeated-04-agent-reply-again.json').raw;
    expect(freshdeskAdapter.deliveryId(delivery(other, {}, at0))).not.toBe(key(at0));
  });

  it('understands who acted: actor_role, actor (role or e-mail), actor_email against the requester', () => {
    const base = { ticket_id: '12', ticket_status: 'Open', requester_email: 'Chris@example.com' };
    const role = (extra: Record<string, string>) =>
      freshdeskAdapter.normalise({ freshdesk_webhook: { ...base, ...extra } }, delivery('{}'), settings)[0]!
        .actor;
    expect(role({ actor: 'customer' })).toEqual({ role: 'customer', id: 'Chris@example.com' });
    expect(role({ actor: 'chris@example.com' })).toEqual({ role: 'customer', id: 'chris@example.com' });
    expect(role({ actor_email: 'ada@example.com' })).toEqual({ role: 'agent', id: 'ada@example.com' });
    expect(role({ actor_email: 'ada@example.com', actor_role: 'system' })).toEqual({ role: 'system' });
  });
});

describe('Freshdesk normalisation (recommended automation payload)', () => {
  it('ticket created', () => {
    expect(one('01-ticket-created.json')).toEqual([
      {
        id: 'freshdesk:11:created',
        type: 'ticket.created',
        occurredAt: at('2026-11-20T09:15:00Z'),
        externalTicketId: '11',
        ticket: {
          id: '11',
          createdAt: at('2026-11-20T09:15:00Z'),
          status: 'open',
          priority: 'normal',
          customerId: 'Acme GmbH',
          groupId: 'Billing',
          channel: 'email',
          tags: ['billing', 'tier_enterprise'],
        },
        actor: { role: 'customer', id: 'chris@example.com' },
      },
    ]);
  });

  it('private note, agent reply, customer reply', () => {
    expect(one('02-private-note.json')[0]).toMatchObject({
      type: 'comment.created',
      occurredAt: at('2026-11-20T09:20:00Z'),
      comment: { public: false, authorRole: 'agent' },
      actor: { role: 'agent', id: 'ada@example.com' },
    });
    expect(one('03-agent-reply.json')[0]).toMatchObject({
      type: 'comment.created',
      comment: { public: true, authorRole: 'agent' },
    });
    expect(one('05-customer-reply.json')[0]).toMatchObject({
      comment: { public: true, authorRole: 'customer' },
      actor: { role: 'customer' },
    });
  });

  it('status and priority: Pending, Urgent, Waiting on Customer → pending, Resolved → solved, reopen by customer, Closed', () => {
    expect(one('04-status-pending.json')[0]).toMatchObject({
      type: 'ticket.updated',
      ticket: { status: 'pending' },
    });
    expect(one('06-priority-urgent.json')[0]?.ticket.priority).toBe('urgent');
    expect(one('07-status-waiting-on-customer.json')[0]?.ticket.status).toBe('pending');
    expect(one('08-status-resolved.json')[0]?.ticket.status).toBe('solved');
    expect(one('09-status-reopened.json')[0]).toMatchObject({
      ticket: { status: 'open' },
      actor: { role: 'customer' },
    });
    expect(one('10-status-closed.json')[0]?.ticket.status).toBe('closed');
  });

  it('numeric statuses/priorities; no timestamps → receipt time; public note counts as an agent public comment', () => {
    const [e] = one('minimal-no-timestamps.json');
    expect(e).toMatchObject({
      type: 'comment.created',
      occurredAt: RECEIVED_AT,
      ticket: { status: 'open', priority: 'high', createdAt: RECEIVED_AT },
      comment: { public: true, authorRole: 'agent' },
    });
  });

  it('custom status without a mapping → NormaliseError naming the fix; with a mapping it works', () => {
    expect(() => one('custom-status-unmapped.json')).toThrow(
      /Unknown Freshdesk status "Awaiting Parts": add it to the integration's status mapping/,
    );
    const mapped = integration('freshdesk', { statuses: { 'awaiting parts': 'on_hold' } }, basic);
    expect(one('custom-status-unmapped.json', mapped)[0]?.ticket.status).toBe('on_hold');
  });

  it('event ids are stable per body and distinct across bodies', () => {
    expect(one('04-status-pending.json')[0]?.id).toBe(one('04-status-pending.json')[0]?.id);
    expect(one('04-status-pending.json')[0]?.id).not.toBe(one('10-status-closed.json')[0]?.id);
  });

  it('tier from a tag, a custom field or the payload; unusable payloads', () => {
    expect(
      one(
        '01-ticket-created.json',
        integration('freshdesk', { tier: { source: 'tag', tagPrefix: 'tier_' } }, basic),
      )[0]?.ticket.tier,
    ).toBe('enterprise');
    const body = {
      freshdesk_webhook: {
        ticket_id: '12',
        ticket_status: 'Open',
        ticket_priority: 'Low',
        fields: { plan: 'business' },
      },
    };
    const fieldSettings = integration('freshdesk', { tier: { source: 'field', field: 'plan' } }, basic);
    expect(
      freshdeskAdapter.normalise(body, delivery(JSON.stringify(body)), fieldSettings)[0]?.ticket.tier,
    ).toBe('business');
    expect(() =>
      freshdeskAdapter.normalise({ freshdesk_webhook: { ticket_status: 'Open' } }, delivery('{}'), settings),
    ).toThrow(/no ticket id/);
    expect(() => freshdeskAdapter.normalise('x', delivery('"x"'), settings)).toThrow(/JSON object/);
    const bad = { freshdesk_webhook: { ticket_id: '1', ticket_status: 'Open', sla_event: 'party' } };
    expect(() => freshdeskAdapter.normalise(bad, delivery('{}'), settings)).toThrow(/sla_event/);
  });

  it('parses Freshdesk triggered_event strings', () => {
    expect(parseTriggeredEvent('{ticket_action:created}')).toEqual({
      key: 'ticket_action',
      value: 'created',
    });
    expect(parseTriggeredEvent('{status:{from:4,to:6}}')).toEqual({ key: 'status', from: '4', to: '6' });
    expect(parseTriggeredEvent('{note_type:private}')).toEqual({ key: 'note_type', value: 'private' });
  });

  it('the whole sequence ends in the documented state', () => {
    const seq = sequence('freshdesk');
    const events = seq.files.flatMap((f) => one(f));
    expect(events).toHaveLength(seq.expected.events!);
    expect(events[events.length - 1]!.ticket).toMatchObject({
      status: seq.expected.status,
      priority: seq.expected.priority,
      customerId: seq.expected.customerId,
    });
  });

  it('without an event kind, a delivery that says who acted and carries the latest comment is a reply', () => {
    const seq = sequence('freshdesk', 'actor-sequence.json');
    const events = seq.files.flatMap((f) => one(f));
    expect(events).toHaveLength(seq.expected.events!);
    expect(events.map((e) => `${e.type}:${e.actor?.role}:${e.comment?.authorRole ?? '-'}`)).toEqual([
      'ticket.created:customer:-',
      'comment.created:agent:agent', // "actor": "agent"
      'ticket.updated:agent:-', // a status change carrying the same latest comment stays an update
      'comment.created:customer:customer', // "actor": the requester's e-mail
      'comment.created:agent:agent', // "actor_email": another address
      'ticket.updated:agent:-',
    ]);
    expect(events[1]!.comment).toMatchObject({ public: true });
    // Keyed by the comment's text: the same latest comment delivered again is the same reply.
    const again = freshdeskAdapter.normalise(
      {
        freshdesk_webhook: {
          ...(fixture('freshdesk', 'actor-02-agent-reply.json').json as { freshdesk_webhook: object })
            .freshdesk_webhook,
          ticket_status: 'Pending',
        },
      },
      delivery('{}', {}, RECEIVED_AT + FRESHDESK_RETRY_WINDOW_MS * 3),
      settings,
    );
    expect(again[0]!.id).toBe(events[1]!.id);
  });

  it('a system actor, no actor, or no comment leaves a delivery without an event kind an update', () => {
    const base = { ticket_id: '13', ticket_status: 'Open', latest_comment: 'Hello' };
    const type = (extra: Record<string, string>) =>
      freshdeskAdapter.normalise({ freshdesk_webhook: { ...base, ...extra } }, delivery('{}'), settings)[0]!
        .type;
    expect(type({ actor: 'system' })).toBe('ticket.updated');
    expect(type({})).toBe('ticket.updated');
    expect(type({ actor: 'agent', latest_comment: '' })).toBe('ticket.updated');
    expect(type({ actor: 'agent', triggered_event: '{priority:{from:1,to:4}}' })).toBe('ticket.updated');
    expect(type({ actor: 'agent', triggered_event: '{ticket_action:updated}' })).toBe('ticket.updated');
    expect(type({ actor: 'agent' })).toBe('comment.created');
  });
});
