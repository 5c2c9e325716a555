import { describe, expect, it } from 'vitest';
import { zammadAdapter } from '../../src/webhooks/providers/zammad.adapter.js';
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

const settings = integration('zammad');
const one = (f: string, s = settings) => normaliseFile(zammadAdapter, 'zammad', f, s);

describe('Zammad signature: X-Hub-Signature: sha1=<hex HMAC-SHA1 of the raw body>', () => {
  const { raw } = fixture('zammad', '01-ticket-created.json');
  const sig = hubSignature('sha1', SECRET, raw);

  it('accepts the documented scheme and dedupes on X-Zammad-Delivery', () => {
    const d = delivery(raw, { 'x-hub-signature': sig, 'x-zammad-delivery': 'c2a6f2a0-delivery' });
    expect(zammadAdapter.verify(d, settings)).toEqual({ ok: true });
    expect(zammadAdapter.deliveryId(d, {})).toBe('c2a6f2a0-delivery');
  });

  it('rejects re-serialised bodies, wrong secrets, missing/malformed headers and sha256', () => {
    expect(
      zammadAdapter.verify(delivery(reserialised(raw), { 'x-hub-signature': sig }), settings),
    ).toMatchObject({ error: 'invalid_signature' });
    expect(
      zammadAdapter.verify(delivery(raw, { 'x-hub-signature': hubSignature('sha1', 'x', raw) }), settings),
    ).toMatchObject({
      error: 'invalid_signature',
    });
    expect(zammadAdapter.verify(delivery(raw, {}), settings)).toMatchObject({ error: 'missing_signature' });
    expect(
      zammadAdapter.verify(delivery(raw, { 'x-hub-signature': 'sha1:' + sig.slice(5) }), settings),
    ).toMatchObject({
      error: 'malformed_signature',
    });
    expect(
      zammadAdapter.verify(
        delivery(raw, { 'x-hub-signature': hubSignature('sha256', SECRET, raw) }),
        settings,
      ),
    ).toMatchObject({
      error: 'malformed_signature',
    });
    expect(
      zammadAdapter.verify(delivery(raw, { 'x-hub-signature': sig }), integration('zammad', {}, {})),
    ).toMatchObject({
      error: 'no_signing_secret',
    });
  });
});

describe('Zammad normalisation', () => {
  it('first article → ticket.created + customer comment', () => {
    const ticket = {
      id: '81',
      createdAt: at('2026-11-20T09:15:00.282Z'),
      status: 'new',
      priority: 'normal',
      customerId: '3',
      groupId: '3',
      channel: 'email',
      tags: ['tier_enterprise'],
    };
    expect(one('01-ticket-created.json')).toEqual([
      {
        id: 'zammad:81:created',
        type: 'ticket.created',
        occurredAt: at('2026-11-20T09:15:00.282Z'),
        externalTicketId: '81',
        ticket,
        actor: { role: 'customer', id: '8' },
      },
      {
        id: 'zammad:81:article:104',
        type: 'comment.created',
        occurredAt: at('2026-11-20T09:15:00.318Z'),
        externalTicketId: '81',
        ticket,
        comment: { id: '104', public: true, authorRole: 'customer' },
        actor: { role: 'customer', id: '8' },
      },
    ]);
  });

  it('internal note, agent reply with pending reminder, customer reply', () => {
    expect(one('02-internal-note.json')).toEqual([
      expect.objectContaining({
        type: 'comment.created',
        comment: { id: '105', public: false, authorRole: 'agent' },
        ticket: expect.objectContaining({ status: 'open', assigneeId: '5' }),
      }),
    ]);
    const [reply] = one('03-agent-reply-pending.json');
    expect(reply).toMatchObject({
      comment: { id: '106', public: true, authorRole: 'agent' },
      ticket: { status: 'pending' },
    });
    expect(one('04-customer-reply.json')[0]?.comment).toEqual({
      id: '107',
      public: true,
      authorRole: 'customer',
    });
  });

  it('updates without an article: priority "3 high", closed → solved, reopen, pending close, system close', () => {
    expect(one('05-priority-high.json')).toEqual([
      expect.objectContaining({
        id: `zammad:81:updated:${at('2026-11-20T10:05:00Z')}`,
        type: 'ticket.updated',
        ticket: expect.objectContaining({ priority: 'high' }),
        actor: { role: 'agent', id: '5' },
      }),
    ]);
    expect(one('06-closed.json')[0]?.ticket.status).toBe('solved');
    expect(one('07-reopened-by-follow-up.json')[0]?.ticket.status).toBe('open');
    expect(one('08-pending-close.json')[0]?.ticket.status).toBe('pending');
    expect(one('09-closed-by-system.json')[0]).toMatchObject({
      ticket: { status: 'solved' },
      actor: { role: 'system' },
    });
  });

  it('merged → ticket.deleted with removed: merged', () => {
    expect(one('merged.json')[0]).toMatchObject({
      type: 'ticket.deleted',
      ticket: { removed: 'merged', status: 'closed' },
    });
  });

  it('mapping overrides, custom priorities, unknown states', () => {
    const s = integration('zammad', { statuses: { Closed: 'closed' }, priorities: { '3 HIGH': 'urgent' } });
    expect(one('06-closed.json', s)[0]?.ticket).toMatchObject({ status: 'closed', priority: 'urgent' });
    const { json } = fixture('zammad', '05-priority-high.json');
    const custom = structuredClone(json) as { ticket: Record<string, unknown> };
    custom.ticket['priority'] = { name: '5 blocker' };
    expect(
      zammadAdapter.normalise(custom, delivery('{}'), integration('zammad', { defaultPriority: 'low' }))[0]
        ?.ticket.priority,
    ).toBe('low');
    custom.ticket['state'] = 'waiting for parts';
    expect(() => zammadAdapter.normalise(custom, delivery('{}'), settings)).toThrow(/status mapping/);
    expect(() => zammadAdapter.normalise({ article: {} }, delivery('{}'), settings)).toThrow(/"ticket"/);
    expect(() => zammadAdapter.normalise({ ticket: { state: 'open' } }, delivery('{}'), settings)).toThrow(
      /no ticket id/,
    );
  });

  it('tier from tag prefix', () => {
    expect(
      one('05-priority-high.json', integration('zammad', { tier: { source: 'tag', tagPrefix: 'tier_' } }))[0]
        ?.ticket.tier,
    ).toBe('enterprise');
  });

  it('the whole sequence ends in the documented state', () => {
    const seq = sequence('zammad');
    const events = seq.files.flatMap((f) => one(f));
    expect(events).toHaveLength(seq.expected.events!);
    expect(events[events.length - 1]!.ticket).toMatchObject({
      status: seq.expected.status,
      priority: seq.expected.priority,
      customerId: '3',
    });
  });
});
