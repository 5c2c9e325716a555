import type { ActorRole, EventType, RemovalReason, TicketSnapshot } from '../../engine/types.js';
import { NormaliseError } from './provider-adapter.js';
import type {
  IntegrationSettings,
  NormalisedEvent,
  ProviderAdapter,
  RawDelivery,
  VerifyResult,
} from './provider-adapter.js';
import { asBoolean, asId, asString, asStringList, getPath, isRecord } from './shared/json.js';
import type { JsonObject } from './shared/json.js';
import { applyTier, compact, createMapper, requireStatus, requireTicketId } from './shared/mapping.js';
import type { DefaultMappings, ValueMapper } from './shared/mapping.js';
import { fail, header, hmac, missingSecret, safeEqual } from './shared/signature.js';
import { parseTimestamp } from './shared/time.js';

/**
 * Zendesk — both webhook families (Zendesk developer docs: "Verifying webhook authenticity", "Webhook event
 * types" / "Ticket events", "Zendesk placeholders reference").
 *
 * Signature: `X-Zendesk-Webhook-Signature` = base64(HMAC-SHA256(signing secret,
 * `X-Zendesk-Webhook-Signature-Timestamp` + raw body)); the timestamp (ISO 8601) must lie within the replay window.
 *
 * (a) Event subscriptions: `{ type: "zen:event-type:ticket.<event>", id, time, subject, detail, event }`; `detail`
 *     is the ticket's state after the event, `id` the event id (dedupe), `time` when it happened.
 * (b) Trigger/automation webhooks: the admin writes the JSON body. Recommended template (one trigger on "Ticket is
 *     Created" with "event": "created", one on "Ticket is Updated" with "event": "updated"):
 *
 *     {
 *       "event": "updated",
 *       "ticket": {
 *         "id": "{{ticket.id}}",
 *         "status": "{{ticket.status}}",
 *         "priority": "{{ticket.priority}}",
 *         "created_at": "{{ticket.created_at_with_timestamp}}",
 *         "updated_at": "{{ticket.updated_at_with_timestamp}}",
 *         "organization": { "id": "{{ticket.organization.id}}", "name": "{{ticket.organization.name}}" },
 *         "requester_id": "{{ticket.requester.id}}",
 *         "assignee_id": "{{ticket.assignee.id}}",
 *         "group_id": "{{ticket.group.id}}",
 *         "tags": "{{ticket.tags}}",
 *         "via": "{{ticket.via}}"
 *       },
 *       "latest_comment": {
 *         "id": "{{ticket.latest_comment.id}}",
 *         "is_public": "{{ticket.latest_comment.is_public}}",
 *         "author_id": "{{ticket.latest_comment.author.id}}",
 *         "author_role": "{{ticket.latest_comment.author.role}}"
 *       },
 *       "current_user": { "id": "{{current_user.id}}", "role": "{{current_user.role}}" }
 *     }
 *
 *     Optional: "tier": "<value>" (explicit tier) and "fields": { "<field id>": "{{ticket.ticket_field_<id>}}" }
 *     for `mapping.tier.source = 'field'`. Each delivery yields a ticket.created/ticket.updated snapshot, plus a
 *     comment.created for the latest comment keyed by its id (so the same comment seen on later updates dedupes).
 */

const DEFAULTS: DefaultMappings = {
  statuses: {
    new: 'new',
    open: 'open',
    pending: 'pending',
    hold: 'on_hold',
    'on hold': 'on_hold',
    solved: 'solved',
    closed: 'closed',
    // Event-subscription statuses of tickets that left the normal flow.
    deleted: 'closed',
    archived: 'closed',
    scrubbed: 'closed',
  },
  priorities: { urgent: 'urgent', high: 'high', normal: 'normal', low: 'low' },
};

const EVENT_PREFIX = 'zen:event-type:ticket.';

/** Event-subscription ticket events that matter for clocks; everything else is acknowledged and ignored. */
const UPDATE_EVENTS = new Set([
  'status_changed',
  'custom_status_changed',
  'priority_changed',
  'agent_assignment_changed',
  'group_assignment_changed',
  'organization_changed',
  'tags_changed',
  'custom_field_changed',
  'type_changed',
  'undeleted',
]);

const REMOVAL_EVENTS: Record<string, RemovalReason> = {
  soft_deleted: 'deleted',
  permanently_deleted: 'deleted',
  marked_as_spam: 'spam',
  merged: 'merged',
};

/**
 * The shortest replay window a Zendesk integration gets. Zendesk retries an invocation that timed out (after 12 s,
 * up to 5 times) or was answered 409, or 429/503 with a Retry-After under 60 s (up to 3 times), all within a few
 * minutes, and a retry may carry the first attempt's signature timestamp. A stale timestamp is answered 401, which
 * Zendesk does not retry, so a window shorter than its retries would lose the event: a shorter configured window
 * is raised to this. A replay inside the window is a duplicate (the event id, or the invocation id and the signed
 * body's own times, give it the same event), so the wider window admits nothing new.
 */
export const ZENDESK_MIN_REPLAY_WINDOW_SECONDS = 15 * 60;

export function zendeskReplayWindowSeconds(configured: number): number {
  return Math.max(configured, ZENDESK_MIN_REPLAY_WINDOW_SECONDS);
}

/** Zendesk's own system user (triggers, automations). */
const SYSTEM_USER_IDS = new Set(['-1']);

export class ZendeskAdapter implements ProviderAdapter {
  readonly provider = 'zendesk' as const;

  verify(delivery: RawDelivery, integration: IntegrationSettings): VerifyResult {
    const secret = integration.credentials.signingSecret;
    if (!secret) return missingSecret('Zendesk');
    const signature = header(delivery, 'x-zendesk-webhook-signature');
    const timestamp = header(delivery, 'x-zendesk-webhook-signature-timestamp');
    if (signature === undefined) {
      return fail(
        'missing_signature',
        'Missing X-Zendesk-Webhook-Signature header; the request did not come from a Zendesk webhook.',
      );
    }
    if (timestamp === undefined) {
      return fail('missing_timestamp', 'Missing X-Zendesk-Webhook-Signature-Timestamp header.');
    }
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) {
      return fail('malformed_signature', 'X-Zendesk-Webhook-Signature must be a base64 HMAC-SHA256 digest.');
    }
    const at = parseTimestamp(timestamp);
    if (at === undefined) {
      return fail(
        'malformed_timestamp',
        'X-Zendesk-Webhook-Signature-Timestamp must be an ISO 8601 date-time.',
      );
    }
    const expected = hmac('sha256', secret, [timestamp, delivery.body], 'base64');
    if (!safeEqual(signature, expected)) {
      return fail(
        'invalid_signature',
        "The Zendesk signature does not match; check that the integration's secret equals the webhook's signing secret in Zendesk Admin Center.",
      );
    }
    const windowSeconds = zendeskReplayWindowSeconds(integration.replayWindowSeconds);
    const windowMs = windowSeconds * 1000;
    if (delivery.receivedAt - at > windowMs) {
      return fail(
        'stale_timestamp',
        `The Zendesk signature timestamp ${timestamp} is older than the ${windowSeconds} s replay window; a replayed or long-delayed request.`,
      );
    }
    if (at - delivery.receivedAt > windowMs) {
      return fail(
        'future_timestamp',
        `The Zendesk signature timestamp ${timestamp} is more than ${windowSeconds} s in the future; check the server clock.`,
      );
    }
    return { ok: true };
  }

  deliveryId(delivery: RawDelivery, payload: unknown): string | null {
    if (isRecord(payload) && isEventEnvelope(payload)) {
      const id = asString(payload['id']);
      if (id !== undefined) return id;
    }
    return header(delivery, 'x-zendesk-webhook-invocation-id') ?? null;
  }

  normalise(payload: unknown, delivery: RawDelivery, integration: IntegrationSettings): NormalisedEvent[] {
    if (!isRecord(payload)) {
      throw new NormaliseError('invalid_payload', 'The Zendesk webhook body must be a JSON object.');
    }
    const mapper = createMapper(DEFAULTS, integration.mapping);
    if (isEventEnvelope(payload)) return normaliseEventSubscription(payload, mapper, integration);
    if (isRecord(payload['ticket'])) return normaliseTrigger(payload, delivery, mapper, integration);
    if (asId(payload['ticket_id']) !== undefined) {
      return normaliseTrigger(nestFlatTrigger(payload), delivery, mapper, integration);
    }
    throw new NormaliseError(
      'unrecognised_payload',
      'Not a Zendesk event (no "type": "zen:event-type:…") nor a trigger body with a "ticket" object or a "ticket_id"; use the recommended trigger template.',
    );
  }
}

function isEventEnvelope(payload: JsonObject): boolean {
  return typeof payload['type'] === 'string' && payload['type'].startsWith('zen:event-type:');
}

// ----------------------------------------------------------------------------------------------
// (a) Event subscriptions
// ----------------------------------------------------------------------------------------------

function normaliseEventSubscription(
  payload: JsonObject,
  mapper: ValueMapper,
  integration: IntegrationSettings,
): NormalisedEvent[] {
  const type = payload['type'] as string;
  if (!type.startsWith(EVENT_PREFIX)) return []; // user, organization, … events: nothing to clock
  const name = type.slice(EVENT_PREFIX.length);
  const isComment = name === 'comment_added';
  const removal = REMOVAL_EVENTS[name];
  if (name !== 'created' && !isComment && !removal && !UPDATE_EVENTS.has(name)) return [];

  const detail = isRecord(payload['detail']) ? payload['detail'] : {};
  const event = isRecord(payload['event']) ? payload['event'] : {};
  const subjectId = asString(payload['subject'])?.match(/^zen:ticket:(.+)$/)?.[1];
  const ticketId = requireTicketId(asId(detail['id']) ?? subjectId, 'Zendesk', 'detail.id');
  const occurredAt = requireTime(payload['time'], 'time');

  const rawStatus =
    asString(detail['status']) ?? (name === 'status_changed' ? asString(event['current']) : undefined);
  const snapshot = compact<TicketSnapshot>({
    id: ticketId,
    createdAt: parseTimestamp(detail['created_at']) ?? occurredAt,
    status: requireStatus(mapper, rawStatus, 'Zendesk'),
    priority: mapper.priority(
      asString(detail['priority']) ?? (name === 'priority_changed' ? asString(event['current']) : undefined),
    ),
    assigneeId: asId(detail['assignee_id']),
    groupId: asId(detail['group_id']),
    channel: asString(getPath(detail, 'via.channel')),
    tags: asStringList(detail['tags']),
  });
  applyTier(
    snapshot,
    { customer: asId(detail['organization_id']), tags: snapshot.tags },
    integration.mapping,
  );

  let eventType: EventType = name === 'created' ? 'ticket.created' : 'ticket.updated';
  if (removal) {
    // A merge event names the ticket that was merged away; guard against a payload about the surviving ticket.
    const target = asId(event['target_ticket_id']);
    if (removal !== 'merged' || target !== ticketId) {
      snapshot.removed = removal;
      eventType = 'ticket.deleted';
    }
  }

  const eventId = asString(payload['id']) ?? `zendesk:${ticketId}:${name}:${occurredAt}`;
  const sequence = getPath(event, 'meta.sequence.position');
  const actorId = asId(detail['actor_id']);
  const base = {
    id: eventId,
    occurredAt,
    ticket: snapshot,
    externalTicketId: ticketId,
    ...(typeof sequence === 'number' ? { sequence } : {}),
  };

  if (isComment) {
    const comment = isRecord(event['comment']) ? event['comment'] : {};
    const authorId = asString(getPath(comment, 'author.id'));
    const role: ActorRole =
      authorId !== undefined && SYSTEM_USER_IDS.has(authorId)
        ? 'system'
        : asBoolean(getPath(comment, 'author.is_staff'))
          ? 'agent'
          : 'customer';
    return [
      {
        ...base,
        type: 'comment.created',
        comment: {
          id: asString(comment['id']) ?? eventId,
          public: asBoolean(comment['is_public']) ?? true,
          authorRole: role,
        },
        actor: compact({ role, id: authorId }),
      },
    ];
  }
  const role =
    actorId !== undefined && SYSTEM_USER_IDS.has(actorId)
      ? 'system'
      : (statedActorRole(payload, event, detail) ?? actorRoleFromIds(actorId, asId(detail['requester_id'])));
  return [{ ...base, type: eventType, actor: compact({ role, id: actorId }) }];
}

/**
 * The actor's role where the payload states it: an `actor` object with a `type` or `role` (as Zendesk's messaging
 * events send it: end_user, agent, trigger, system) or `is_staff`, in `event`, `detail` or at the top, or a
 * `detail.actor_role`. End users (a CC'd end user as much as the requester) are customers; triggers, automations
 * and the system are the system.
 */
function statedActorRole(payload: JsonObject, event: JsonObject, detail: JsonObject): ActorRole | undefined {
  for (const holder of [event, detail, payload]) {
    const actor = isRecord(holder['actor']) ? holder['actor'] : undefined;
    const stated =
      roleFromZendeskRole(asString(actor?.['role'])) ??
      roleFromZendeskRole(asString(actor?.['type'])) ??
      roleFromZendeskRole(asString(holder['actor_role']));
    if (stated !== undefined) return stated;
    const staff = asBoolean(actor?.['is_staff']);
    if (staff !== undefined) return staff ? 'agent' : 'customer';
  }
  return undefined;
}

/**
 * Without a stated role: the requester acting is the customer; Zendesk's system user (-1) or no actor is system;
 * anyone else is taken to be an agent.
 */
function actorRoleFromIds(actorId: string | undefined, requesterId: string | undefined): ActorRole {
  if (actorId === undefined || SYSTEM_USER_IDS.has(actorId)) return 'system';
  if (requesterId !== undefined && actorId === requesterId) return 'customer';
  return 'agent';
}

// ----------------------------------------------------------------------------------------------
// (b) Trigger / automation webhooks (recommended template above)
// ----------------------------------------------------------------------------------------------

function normaliseTrigger(
  payload: JsonObject,
  delivery: RawDelivery,
  mapper: ValueMapper,
  integration: IntegrationSettings,
): NormalisedEvent[] {
  const t = payload['ticket'] as JsonObject;
  const ticketId = requireTicketId(asId(t['id']), 'Zendesk', 'ticket.id');
  const updatedAt = parseTimestamp(t['updated_at']);
  const occurredAt = updatedAt ?? delivery.receivedAt;
  const fields = isRecord(payload['fields']) ? payload['fields'] : isRecord(t['fields']) ? t['fields'] : {};

  const snapshot = compact<TicketSnapshot>({
    id: ticketId,
    createdAt: parseTimestamp(t['created_at']) ?? occurredAt,
    status: requireStatus(mapper, asString(t['status']), 'Zendesk'),
    priority: mapper.priority(asString(t['priority'])),
    assigneeId: asId(t['assignee_id']),
    groupId: asId(t['group_id']),
    channel: asString(t['via'])?.toLowerCase(),
    tags: asStringList(t['tags']),
  });
  const organization = isRecord(t['organization']) ? t['organization'] : {};
  applyTier(
    snapshot,
    {
      payloadTier: asString(payload['tier']) ?? asString(t['tier']),
      customer: asId(organization['id']) ?? asString(organization['name']) ?? asId(t['organization_id']),
      tags: snapshot.tags,
      field: (name) => asString(fields[name]),
    },
    integration.mapping,
  );

  const kind = asString(payload['event'])?.toLowerCase();
  const created = kind === 'created' || kind === 'ticket.created';
  const userRole = roleFromZendeskRole(asString(getPath(payload, 'current_user.role')));
  const userId = asId(getPath(payload, 'current_user.id'));
  const actor = compact({
    role: userRole ?? (userId !== undefined && userId === asId(t['requester_id']) ? 'customer' : 'system'),
    id: userId,
  } as { role: ActorRole; id?: string });

  const invocation = header(delivery, 'x-zendesk-webhook-invocation-id');
  const fingerprint = [
    updatedAt ?? '',
    snapshot.status,
    snapshot.priority,
    snapshot.assigneeId ?? '',
    snapshot.groupId ?? '',
  ].join(':');
  const events: NormalisedEvent[] = [
    {
      id: created ? `zendesk:${ticketId}:created` : `zendesk:${ticketId}:update:${invocation ?? fingerprint}`,
      type: created ? 'ticket.created' : 'ticket.updated',
      occurredAt,
      ticket: snapshot,
      actor,
      externalTicketId: ticketId,
    },
  ];

  const c = isRecord(payload['latest_comment']) ? payload['latest_comment'] : undefined;
  const commentId = c ? asId(c['id']) : undefined;
  if (c && commentId !== undefined) {
    const authorId = asId(c['author_id']);
    const role: ActorRole =
      authorId !== undefined && SYSTEM_USER_IDS.has(authorId)
        ? 'system'
        : (roleFromZendeskRole(asString(c['author_role'])) ??
          (authorId !== undefined && authorId === asId(t['requester_id']) ? 'customer' : 'agent'));
    events.push({
      id: `zendesk:${ticketId}:comment:${commentId}`,
      type: 'comment.created',
      occurredAt: parseTimestamp(c['created_at']) ?? occurredAt,
      ticket: snapshot,
      comment: { id: commentId, public: asBoolean(c['is_public']) ?? true, authorRole: role },
      actor: compact({ role, id: authorId }),
      externalTicketId: ticketId,
    });
  }
  return events;
}

/**
 * A flat trigger body, as many integrations write them — `{ "ticket_id": "{{ticket.id}}", "status":
 * "{{ticket.status}}", "updater_role": "{{current_user.role}}", … }` — in the shape of the recommended template.
 * Each field may also carry a `ticket_` prefix (`ticket_status`); the updater is `updater_*` or `current_user_*`,
 * the latest comment `latest_comment_*` or `comment_*`.
 */
function nestFlatTrigger(flat: JsonObject): JsonObject {
  const pick = (...keys: string[]): unknown => {
    for (const key of keys) {
      if (flat[key] !== undefined && flat[key] !== null) return flat[key];
      if (flat[`ticket_${key}`] !== undefined && flat[`ticket_${key}`] !== null) return flat[`ticket_${key}`];
    }
    return undefined;
  };
  const ticket = compactObject({
    id: flat['ticket_id'],
    status: pick('status'),
    priority: pick('priority'),
    created_at: pick('created_at', 'created_at_with_timestamp'),
    updated_at: pick('updated_at', 'updated_at_with_timestamp'),
    organization: compactObject({
      id: pick('organization_id'),
      name: pick('organization_name', 'organization'),
    }),
    requester_id: pick('requester_id'),
    assignee_id: pick('assignee_id'),
    group_id: pick('group_id'),
    tags: pick('tags'),
    via: pick('via'),
    tier: pick('tier'),
  });
  const comment = compactObject({
    id: pick('latest_comment_id', 'comment_id'),
    is_public: pick(
      'latest_comment_is_public',
      'latest_comment_public',
      'comment_is_public',
      'comment_public',
    ),
    author_id: pick('latest_comment_author_id', 'comment_author_id'),
    author_role: pick('latest_comment_author_role', 'comment_author_role'),
    created_at: pick('latest_comment_created_at', 'comment_created_at'),
  });
  const user = compactObject({
    id: pick('updater_id', 'current_user_id'),
    role: pick('updater_role', 'current_user_role'),
  });
  return compactObject({
    event: pick('event'),
    tier: flat['tier'],
    fields: flat['fields'],
    ticket,
    latest_comment: Object.keys(comment).length > 0 ? comment : undefined,
    current_user: Object.keys(user).length > 0 ? user : undefined,
  });
}

function compactObject(value: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

/** Zendesk user roles as placeholders render them: "End-user", "Agent", "Admin" (any case). */
function roleFromZendeskRole(role: string | undefined): ActorRole | undefined {
  if (role === undefined) return undefined;
  const r = role.toLowerCase().replace(/[\s_]+/g, '-');
  if (r === 'end-user' || r === 'enduser' || r === 'end_user' || r === 'customer' || r === 'requester')
    return 'customer';
  if (r === 'agent' || r === 'admin' || r === 'administrator' || r === 'light-agent') return 'agent';
  if (r === 'system' || r === 'bot' || r === 'trigger' || r === 'automation') return 'system';
  return undefined;
}

function requireTime(value: unknown, where: string): number {
  const at = parseTimestamp(value);
  if (at === undefined) {
    throw new NormaliseError(
      'invalid_timestamp',
      `The Zendesk event has no valid "${where}" timestamp (ISO 8601 expected).`,
    );
  }
  return at;
}

export const zendeskAdapter = new ZendeskAdapter();
