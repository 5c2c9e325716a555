import type { ActorRole, TicketSnapshot } from '../../engine/types.js';
import { NormaliseError } from './provider-adapter.js';
import type {
  IntegrationSettings,
  JiraCustomerRule,
  NormalisedEvent,
  ProviderAdapter,
  RawDelivery,
  VerifyResult,
} from './provider-adapter.js';
import { asBoolean, asId, asString, asStringList, getPath, isRecord } from './shared/json.js';
import type { JsonObject } from './shared/json.js';
import { applyTier, compact, createMapper, normaliseKey, requireTicketId } from './shared/mapping.js';
import type { DefaultMappings, ValueMapper } from './shared/mapping.js';
import { header, verifyHubSignature } from './shared/signature.js';
import { parseTimestamp } from './shared/time.js';

/**
 * Jira Service Management / Jira Cloud webhooks (Atlassian developer docs: "Webhooks" for Jira Cloud platform).
 *
 * Signature: `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>` keyed with the webhook's secret.
 * Dedupe: `X-Atlassian-Webhook-Identifier` (unique per delivery, unchanged across retries). Event ids are derived
 * from Jira's own ids (issue, changelog, comment), so `jira:issue_updated` (issue_commented) and `comment_created`
 * for the same comment collapse into one event.
 *
 * Events: `jira:issue_created`, `jira:issue_updated` (with `changelog.items` for status/priority/assignee and,
 * for older webhooks, a `comment`), `comment_created`, `jira:issue_deleted`. Dates look like
 * `2026-11-20T09:15:00.000-0330` (offset without colon); `timestamp` is epoch ms.
 *
 * Actors: "app" accounts (automation, apps) are the system. Who is the customer follows
 * `mapping.jira.customerRule`: "accountType" — JSM portal customers (`accountType: "customer"`); "reporter" — the
 * issue's reporter, the requester (matched by accountId, else key, name or e-mail, so Data Center/Server payloads
 * without `accountType` work, and so do employees raising requests on an internal Cloud service desk, who are
 * `atlassian` accounts); "both" (default) — either. Everyone else is an agent. Where a payload carries no reporter
 * (Jira Cloud's `comment_created` issue has only a few fields), the account type decides.
 * JSM comments are internal when `jsdPublic` is false or the `sd.public.comment` property says
 * `{ "internal": true }`; a comment with a `visibility` restriction (role/group) is internal too.
 *
 * Tier: `mapping.tier.field` names the issue field to read — for 'customer' the JSM Organizations field (e.g.
 * customfield_10002; the first organisation's id, else name, becomes customerId), for 'field' any field whose
 * value (string, option `value`/`name`) is the tier. Labels act as tags.
 */

const DEFAULTS: DefaultMappings = {
  statuses: {
    new: 'new',
    open: 'open',
    'to do': 'open',
    backlog: 'open',
    'waiting for support': 'open',
    'in progress': 'open',
    'work in progress': 'open',
    escalated: 'open',
    reopened: 'open',
    'waiting for customer': 'pending',
    pending: 'pending',
    'waiting for approval': 'on_hold',
    'on hold': 'on_hold',
    resolved: 'solved',
    done: 'solved',
    completed: 'solved',
    closed: 'closed',
    canceled: 'closed',
    cancelled: 'closed',
    declined: 'closed',
  },
  priorities: {
    highest: 'urgent',
    blocker: 'urgent',
    critical: 'urgent',
    high: 'high',
    major: 'high',
    medium: 'normal',
    normal: 'normal',
    low: 'low',
    minor: 'low',
    lowest: 'low',
    trivial: 'low',
  },
};

/** Jira status categories, the fallback for workflow statuses that are not mapped by name. */
const CATEGORY_FALLBACK: Record<string, 'open' | 'solved'> = {
  new: 'open',
  indeterminate: 'open',
  done: 'solved',
};

export class JiraAdapter implements ProviderAdapter {
  readonly provider = 'jira' as const;

  verify(delivery: RawDelivery, integration: IntegrationSettings): VerifyResult {
    return verifyHubSignature(delivery, integration.credentials.signingSecret, 'sha256', 'Jira');
  }

  deliveryId(delivery: RawDelivery, _payload?: unknown): string | null {
    return header(delivery, 'x-atlassian-webhook-identifier') ?? null;
  }

  normalise(payload: unknown, delivery: RawDelivery, integration: IntegrationSettings): NormalisedEvent[] {
    if (!isRecord(payload))
      throw new NormaliseError('invalid_payload', 'The Jira webhook body must be a JSON object.');
    const webhookEvent = asString(payload['webhookEvent']);
    if (webhookEvent === undefined) {
      throw new NormaliseError(
        'unrecognised_payload',
        'The Jira payload has no "webhookEvent"; register a Jira webhook (not an automation "send web request" with a custom body).',
      );
    }
    const issue = isRecord(payload['issue']) ? payload['issue'] : undefined;
    const relevant = ['jira:issue_created', 'jira:issue_updated', 'jira:issue_deleted', 'comment_created'];
    if (!relevant.includes(webhookEvent)) return []; // comment_updated, worklog_*, sprint_*, …
    if (!issue) {
      throw new NormaliseError(
        'missing_ticket_id',
        `The Jira ${webhookEvent} payload has no "issue"; check the webhook's events.`,
      );
    }

    const mapper = createMapper(DEFAULTS, integration.mapping);
    const issueId = requireTicketId(asId(issue['id']), 'Jira', 'issue.id');
    const fields = isRecord(issue['fields']) ? issue['fields'] : {};
    const at = parseTimestamp(payload['timestamp']) ?? delivery.receivedAt;
    const snapshot = buildSnapshot(issueId, fields, at, mapper, integration);
    const user = isRecord(payload['user']) ? payload['user'] : undefined;
    const people = customerTest(fields, integration.mapping.jira?.customerRule ?? 'both');
    const actor = compact({ role: people(user), id: userId(user) });
    const base = { ticket: snapshot, externalTicketId: issueId };

    switch (webhookEvent) {
      case 'jira:issue_created':
        return [
          {
            ...base,
            id: `jira:${issueId}:created`,
            type: 'ticket.created',
            occurredAt: parseTimestamp(fields['created']) ?? at,
            actor,
          },
        ];
      case 'jira:issue_deleted':
        return [
          {
            ...base,
            ticket: { ...snapshot, removed: 'deleted' },
            id: `jira:${issueId}:deleted`,
            type: 'ticket.deleted',
            occurredAt: at,
            actor,
          },
        ];
      case 'comment_created':
        return [commentEvent(payload['comment'], issueId, snapshot, at, people)];
      default: {
        // jira:issue_updated
        const events: NormalisedEvent[] = [];
        const changelog = isRecord(payload['changelog']) ? payload['changelog'] : undefined;
        const items = Array.isArray(changelog?.['items']) ? changelog['items'] : [];
        const eventType = asString(payload['issue_event_type_name']);
        const isCommentOnly = items.length === 0 && isRecord(payload['comment']);
        if (!isCommentOnly) {
          const changelogId = asId(changelog?.['id']);
          events.push({
            ...base,
            id:
              changelogId !== undefined
                ? `jira:${issueId}:changelog:${changelogId}`
                : `jira:${issueId}:updated:${at}`,
            type: 'ticket.updated',
            occurredAt: at,
            actor,
          });
        }
        if (
          isRecord(payload['comment']) &&
          eventType !== 'issue_comment_edited' &&
          eventType !== 'issue_comment_deleted'
        ) {
          events.push(commentEvent(payload['comment'], issueId, snapshot, at, people));
        }
        return events;
      }
    }
  }
}

function buildSnapshot(
  issueId: string,
  fields: JsonObject,
  at: number,
  mapper: ValueMapper,
  integration: IntegrationSettings,
): TicketSnapshot {
  const statusName = asString(getPath(fields, 'status.name'));
  const category = asString(getPath(fields, 'status.statusCategory.key'));
  let status = mapper.status(statusName);
  if (status === undefined && category !== undefined) status = CATEGORY_FALLBACK[category.toLowerCase()];
  // A partial issue without a status field leaves the status as it was; a status that cannot be mapped is an error.
  if (status === undefined && fields['status'] !== undefined && fields['status'] !== null) {
    throw new NormaliseError(
      statusName === undefined ? 'missing_status' : 'unknown_status',
      statusName === undefined
        ? 'The Jira issue has no status; the webhook payload must include issue.fields.status.'
        : `Unknown Jira status "${statusName}": add it to the integration's status mapping (mapping.statuses), e.g. {"${statusName}": "pending"}.`,
    );
  }
  const snapshot = compact<TicketSnapshot>({
    id: issueId,
    createdAt: parseTimestamp(fields['created']) ?? at,
    status,
    priority: mapper.priority(asString(getPath(fields, 'priority.name'))),
    assigneeId: isRecord(fields['assignee']) ? userId(fields['assignee']) : undefined,
    tags: asStringList(fields['labels']),
  });
  const tier = integration.mapping.tier;
  const orgField = tier?.source === 'customer' && tier.field ? fields[tier.field] : undefined;
  const org = Array.isArray(orgField) ? orgField[0] : orgField;
  applyTier(
    snapshot,
    {
      customer: isRecord(org) ? (asId(org['id']) ?? asString(org['name'])) : asString(org),
      tags: snapshot.tags,
      field: (name) => fieldValue(fields[name]),
    },
    integration.mapping,
  );
  return snapshot;
}

/** A custom field's display value: strings, numbers, select options ({ value } / { name }), first of an array. */
function fieldValue(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (isRecord(v)) return asString(v['value']) ?? asString(v['name']);
  return asString(v);
}

function commentEvent(
  raw: unknown,
  issueId: string,
  snapshot: TicketSnapshot,
  at: number,
  roleOf: (user: JsonObject | undefined) => ActorRole,
): NormalisedEvent {
  if (!isRecord(raw)) {
    throw new NormaliseError('missing_comment', 'The Jira comment payload has no "comment" object.');
  }
  const commentId = asId(raw['id']);
  const author = isRecord(raw['author']) ? raw['author'] : undefined;
  const role = roleOf(author);
  const internalProperty = Array.isArray(raw['properties'])
    ? raw['properties'].some(
        (p) =>
          isRecord(p) && p['key'] === 'sd.public.comment' && asBoolean(getPath(p, 'value.internal')) === true,
      )
    : false;
  const isPublic = asBoolean(raw['jsdPublic']) !== false && !internalProperty && !isRecord(raw['visibility']);
  return {
    id: commentId !== undefined ? `jira:${issueId}:comment:${commentId}` : `jira:${issueId}:comment-at:${at}`,
    type: 'comment.created',
    occurredAt: parseTimestamp(raw['created']) ?? at,
    ticket: snapshot,
    comment: { id: commentId ?? String(at), public: isPublic, authorRole: role },
    actor: compact({ role, id: userId(author) }),
    externalTicketId: issueId,
  };
}

/**
 * The role of a Jira user under the integration's customer rule. Atlassian account types: "atlassian" (licensed
 * user), "customer" (JSM portal-only), "app" (bots and automation: the system). No user at all is the system.
 */
function customerTest(
  fields: JsonObject,
  rule: JiraCustomerRule,
): (user: JsonObject | undefined) => ActorRole {
  const reporter = isRecord(fields['reporter']) ? fields['reporter'] : undefined;
  return (user) => {
    if (!user) return 'system';
    const type = asString(user['accountType']);
    const t = type === undefined ? undefined : normaliseKey(type);
    if (t === 'app' || t === 'unknown') return 'system';
    const flagged = t === 'customer';
    // Without a reporter in the payload, only the account type can tell.
    const isReporter = reporter === undefined ? flagged : sameUser(user, reporter);
    const customer =
      rule === 'accountType' ? flagged : rule === 'reporter' ? isReporter : flagged || isReporter;
    return customer ? 'customer' : 'agent';
  };
}

/** Cloud users have an accountId; Data Center/Server users a key and a name (and maybe an e-mail). */
function sameUser(a: JsonObject, b: JsonObject): boolean {
  for (const key of ['accountId', 'key', 'name', 'emailAddress']) {
    const x = asString(a[key]);
    const y = asString(b[key]);
    if (x !== undefined && y !== undefined) return x.toLowerCase() === y.toLowerCase();
  }
  return false;
}

function userId(user: JsonObject | undefined): string | undefined {
  return asString(user?.['accountId']) ?? asString(user?.['key']) ?? asString(user?.['name']);
}

export const jiraAdapter = new JiraAdapter();
