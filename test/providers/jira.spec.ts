import { describe, expect, it } from 'vitest';
import { jiraAdapter } from '../../src/webhooks/providers/jira.adapter.js';
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

const settings = integration('jira');
const one = (f: string, s = settings) => normaliseFile(jiraAdapter, 'jira', f, s);

describe('Jira signature: X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>', () => {
  const { raw } = fixture('jira', '01-issue-created.json');

  it('accepts the documented scheme', () => {
    expect(
      jiraAdapter.verify(delivery(raw, { 'x-hub-signature': hubSignature('sha256', SECRET, raw) }), settings),
    ).toEqual({ ok: true });
  });

  it('rejects a re-serialised body, a wrong secret, a missing or malformed header, and the sha1 scheme', () => {
    const sig = hubSignature('sha256', SECRET, raw);
    expect(
      jiraAdapter.verify(delivery(reserialised(raw), { 'x-hub-signature': sig }), settings),
    ).toMatchObject({ error: 'invalid_signature' });
    expect(
      jiraAdapter.verify(delivery(raw, { 'x-hub-signature': hubSignature('sha256', 'nope', raw) }), settings),
    ).toMatchObject({
      error: 'invalid_signature',
    });
    expect(jiraAdapter.verify(delivery(raw, {}), settings)).toMatchObject({ error: 'missing_signature' });
    expect(jiraAdapter.verify(delivery(raw, { 'x-hub-signature': sig.slice(7) }), settings)).toMatchObject({
      error: 'malformed_signature',
    });
    expect(
      jiraAdapter.verify(delivery(raw, { 'x-hub-signature': hubSignature('sha1', SECRET, raw) }), settings),
    ).toMatchObject({
      error: 'malformed_signature',
    });
    expect(
      jiraAdapter.verify(delivery(raw, { 'x-hub-signature': 'sha256=' + 'g'.repeat(64) }), settings),
    ).toMatchObject({
      error: 'malformed_signature',
    });
  });

  it('dedupes on X-Atlassian-Webhook-Identifier', () => {
    const { raw: r, json } = fixture('jira', '03-assigned.json');
    expect(
      jiraAdapter.deliveryId(delivery(r, { 'x-atlassian-webhook-identifier': '4f1f6b0e-3d1c' }), json),
    ).toBe('4f1f6b0e-3d1c');
    expect(jiraAdapter.deliveryId(delivery(r, {}), json)).toBeNull();
  });
});

describe('Jira normalisation', () => {
  it('issue created by a portal customer; -0330 offsets without colon', () => {
    expect(one('01-issue-created.json')).toEqual([
      {
        id: 'jira:10042:created',
        type: 'ticket.created',
        occurredAt: at('2026-11-20T09:15:00Z'),
        externalTicketId: '10042',
        ticket: {
          id: '10042',
          createdAt: at('2026-11-20T09:15:00Z'),
          status: 'open',
          priority: 'normal',
          tags: ['vip'],
        },
        actor: { role: 'customer', id: 'qm:cust-1' },
      },
    ]);
  });

  it('internal JSM comment (jsdPublic false, sd.public.comment internal) by an agent', () => {
    const [e] = one('02-internal-comment.json');
    expect(e).toMatchObject({
      id: 'jira:10042:comment:20001',
      type: 'comment.created',
      occurredAt: at('2026-11-20T09:20:00Z'),
      comment: { id: '20001', public: false, authorRole: 'agent' },
      actor: { role: 'agent', id: '5b10ac8d82e05b22cc7d4ef5' },
    });
  });

  it('public agent comment and customer comment', () => {
    expect(one('04-agent-public-comment.json')[0]?.comment).toEqual({
      id: '20002',
      public: true,
      authorRole: 'agent',
    });
    expect(one('06-customer-comment.json')[0]?.comment).toEqual({
      id: '20003',
      public: true,
      authorRole: 'customer',
    });
  });

  it('issue_commented (issue_updated with a comment) collapses with comment_created by id', () => {
    const legacy = one('issue-commented-legacy.json');
    expect(legacy).toHaveLength(1);
    expect(legacy[0]?.id).toBe(one('04-agent-public-comment.json')[0]?.id);
  });

  it('changelog updates: assignment, Waiting for customer → pending, Highest → urgent, Resolved → solved, reopen, Closed', () => {
    expect(one('03-assigned.json')[0]).toMatchObject({
      id: 'jira:10042:changelog:30001',
      type: 'ticket.updated',
      occurredAt: at('2026-11-20T09:21:00Z'),
      ticket: { assigneeId: '5b10ac8d82e05b22cc7d4ef5', status: 'open' },
      actor: { role: 'agent' },
    });
    expect(one('05-status-waiting-for-customer.json')[0]?.ticket.status).toBe('pending');
    expect(one('07-status-back-to-support.json')[0]).toMatchObject({
      ticket: { status: 'open' },
      actor: { role: 'system' },
    });
    expect(one('08-priority-highest.json')[0]?.ticket.priority).toBe('urgent');
    expect(one('09-status-resolved.json')[0]?.ticket.status).toBe('solved');
    expect(one('10-status-reopened.json')[0]).toMatchObject({
      ticket: { status: 'open' },
      actor: { role: 'customer' },
    });
    expect(one('11-status-closed.json')[0]?.ticket.status).toBe('closed');
  });

  it('issue deleted → ticket.deleted, removed', () => {
    expect(one('issue-deleted.json')[0]).toMatchObject({
      id: 'jira:10042:deleted',
      type: 'ticket.deleted',
      ticket: { removed: 'deleted' },
    });
  });

  it('unmapped workflow statuses fall back to the status category; without one → NormaliseError', () => {
    const { json } = fixture('jira', '03-assigned.json');
    const custom = structuredClone(json) as { issue: { fields: { status: Record<string, unknown> } } };
    custom.issue.fields.status = { name: 'Triage', statusCategory: { key: 'indeterminate' } };
    expect(jiraAdapter.normalise(custom, delivery('{}'), settings)[0]?.ticket.status).toBe('open');
    custom.issue.fields.status = { name: 'Triage' };
    expect(() => jiraAdapter.normalise(custom, delivery('{}'), settings)).toThrow(
      /add it to the integration's status mapping/,
    );
    expect(
      jiraAdapter.normalise(
        custom,
        delivery('{}'),
        integration('jira', { statuses: { triage: 'on_hold' } }),
      )[0]?.ticket.status,
    ).toBe('on_hold');
  });

  it('tier: organisation field → customerId, select field → tier', () => {
    const org = one(
      '01-issue-created.json',
      integration('jira', { tier: { source: 'customer', field: 'customfield_10002' } }),
    );
    expect(org[0]?.ticket).toMatchObject({ customerId: '7' });
    const field = one(
      '01-issue-created.json',
      integration('jira', { tier: { source: 'field', field: 'customfield_10050' } }),
    );
    expect(field[0]?.ticket.tier).toBe('enterprise');
  });

  it('ignores other events; rejects payloads without an issue', () => {
    expect(jiraAdapter.normalise({ webhookEvent: 'sprint_started' }, delivery('{}'), settings)).toEqual([]);
    expect(() =>
      jiraAdapter.normalise({ webhookEvent: 'jira:issue_created' }, delivery('{}'), settings),
    ).toThrow(/no "issue"/);
    expect(() => jiraAdapter.normalise({ issue: {} }, delivery('{}'), settings)).toThrow(/webhookEvent/);
  });

  it('the whole sequence ends in the documented state', () => {
    const seq = sequence('jira');
    const events = seq.files.flatMap((f) => one(f));
    expect(events).toHaveLength(seq.expected.events!);
    expect(events[events.length - 1]!.ticket).toMatchObject({
      status: seq.expected.status,
      priority: seq.expected.priority,
    });
    const times = events.map((e) => e.occurredAt);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('comment_created carries a partial issue: organisation, labels and priority are left out (unchanged), not emptied', () => {
    const orgs = integration('jira', { tier: { source: 'customer', field: 'customfield_10002' } });
    const seq = sequence('jira', 'jsm-reopen-sequence.json');
    const events = seq.files.flatMap((f) => one(f, orgs));
    expect(events).toHaveLength(seq.expected.events!);
    const [created, agentComment, , customerComment, reopen] = events;
    expect(created!.ticket).toMatchObject({ customerId: '7', priority: 'high', tags: ['billing'] });
    for (const partial of [agentComment!, customerComment!]) {
      expect(partial.ticket).not.toHaveProperty('customerId');
      expect(partial.ticket).not.toHaveProperty('tier');
      expect(partial.ticket).not.toHaveProperty('tags');
    }
    expect(agentComment!.ticket.priority).toBe('high');
    expect(customerComment!.ticket).not.toHaveProperty('priority');
    expect(customerComment).toMatchObject({
      type: 'comment.created',
      ticket: { status: 'solved' },
      comment: { public: true, authorRole: 'customer' },
    });
    expect(reopen).toMatchObject({ ticket: { status: 'open', customerId: '7' }, actor: { role: 'system' } });
  });
});

describe('Jira partial issues without a status', () => {
  it('a comment event whose issue has no status field leaves the status unchanged (no dead letter)', () => {
    const { json } = fixture('jira', 'jsm-02-agent-comment-partial.json');
    const partial = structuredClone(json) as { issue: { fields: Record<string, unknown> } };
    delete partial.issue.fields['status'];
    const [e] = jiraAdapter.normalise(partial, delivery('{}'), settings);
    expect(e).toMatchObject({ type: 'comment.created', comment: { authorRole: 'agent' } });
    expect(e!.ticket).not.toHaveProperty('status');
    // A Data Center assignee is named by key.
    expect(one('dc-04-agent-comment.json')[0]!.ticket.assigneeId).toBe('JIRAUSER10100');
  });
});

describe('Jira: who is the customer (mapping.jira.customerRule)', () => {
  const rule = (customerRule?: 'both' | 'reporter' | 'accountType') =>
    integration('jira', customerRule ? { jira: { customerRule } } : {});
  const roles = (s: ReturnType<typeof rule>) =>
    sequence('jira', 'dc-sequence.json')
      .files.flatMap((f) => one(f, s))
      .map((e) => `${e.type}:${e.actor?.role}:${e.comment?.authorRole ?? '-'}`);

  it('Data Center payloads (no accountType): the reporter, matched by key/name, is the customer (default "both")', () => {
    expect(roles(rule())).toEqual([
      'ticket.created:customer:-',
      'comment.created:customer:customer',
      'ticket.updated:agent:-',
      'comment.created:agent:agent',
    ]);
    expect(roles(rule('reporter'))).toEqual(roles(rule()));
    const [created] = one('dc-01-issue-created.json');
    expect(created!.actor).toEqual({ role: 'customer', id: 'JIRAUSER10400' });
  });

  it('"accountType" alone reads a Data Center requester as an agent (the behaviour before the rule existed)', () => {
    expect(roles(rule('accountType'))).toEqual([
      'ticket.created:agent:-',
      'comment.created:agent:agent',
      'ticket.updated:agent:-',
      'comment.created:agent:agent',
    ]);
  });

  it('an employee on an internal Cloud service desk (accountType atlassian) who reported the issue is the customer', () => {
    const { json } = fixture('jira', '01-issue-created.json');
    const internal = structuredClone(json) as {
      user: Record<string, unknown>;
      issue: { fields: { reporter: Record<string, unknown> } };
    };
    internal.user = { accountId: 'emp-1', accountType: 'atlassian' };
    internal.issue.fields.reporter = { accountId: 'emp-1', accountType: 'atlassian' };
    const role = (s: ReturnType<typeof rule>) => jiraAdapter.normalise(internal, delivery('{}'), s)[0]!.actor;
    expect(role(rule())).toEqual({ role: 'customer', id: 'emp-1' });
    expect(role(rule('reporter'))).toEqual({ role: 'customer', id: 'emp-1' });
    expect(role(rule('accountType'))).toEqual({ role: 'agent', id: 'emp-1' });
    // A portal customer who is not the reporter (a request participant): a customer unless the rule is "reporter".
    internal.user = { accountId: 'qm:cust-2', accountType: 'customer' };
    expect(role(rule())?.role).toBe('customer');
    expect(role(rule('reporter'))?.role).toBe('agent');
    // Automation is the system under every rule.
    internal.user = { accountId: 'bot', accountType: 'app' };
    expect(role(rule('reporter'))?.role).toBe('system');
  });

  it('without a reporter in the payload (Cloud comment_created), the account type decides', () => {
    const [portal] = one('jsm-04-customer-comment-on-resolved.json', rule('reporter'));
    expect(portal!.comment?.authorRole).toBe('customer');
    const [agent] = one('jsm-02-agent-comment-partial.json', rule('reporter'));
    expect(agent!.comment?.authorRole).toBe('agent');
  });
});
