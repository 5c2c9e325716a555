import type { ActorRole, EventType, TicketSnapshot } from '../../engine/types.js';
import { NormaliseError } from './provider-adapter.js';
import type {
  IntegrationSettings,
  NormalisedEvent,
  ProviderAdapter,
  RawDelivery,
  VerifyResult,
} from './provider-adapter.js';
import { asBoolean, asId, asString, getPath, isRecord } from './shared/json.js';
import type { JsonObject } from './shared/json.js';
import { applyTier, compact, createMapper, requireStatus, requireTicketId } from './shared/mapping.js';
import type { DefaultMappings } from './shared/mapping.js';
import { verifyHubSignature } from './shared/signature.js';
import { parseTimestamp } from './shared/time.js';

/**
 * Intercom conversation webhooks (Intercom developer docs: "Webhooks", "Webhook topics", "Setting up webhooks").
 *
 * Signature: `X-Hub-Signature: sha1=<hex HMAC-SHA1 of the raw body>` keyed with the app's client secret.
 * Dedupe: the notification `id` ("notif_…"). Notification: `{ type: "notification_event", id, topic, created_at,
 * data: { item: <conversation> } }`; timestamps are epoch seconds.
 *
 * Topics: conversation.user.created / conversation.admin.single.created → ticket.created (+ the opening message as
 * comment.created); conversation.user.replied / admin.replied → public comment; admin.noted → internal note.
 * In admin.replied every admin-authored part with a non-empty body is a reply, whatever its part_type: a
 * reply-and-assign arrives as an `assignment` part and a reply that reopens as an `open` part, body and all.
 * admin.closed / opened / snoozed / unsnoozed / assigned, conversation.priority.updated, conversation_part.tag.created
 * → ticket.updated; conversation.deleted → ticket.deleted. Other topics are acknowledged and ignored.
 * Deletion topics carry only ids (`data.item: { id, object: "conversation", deleted: true }`, "Webhook models":
 * "*.deleted webhook topics send a minimal identification payload"): see `deletedOnly`.
 *
 * Authors: admin/team → agent; user/lead/contact → customer; bot (Fin, workflows) → system.
 * States: open → open, snoozed → pending (pauses resolution), closed → solved (a customer reply reopens it).
 * Priority: "priority" → high, "not_priority" → normal (override in mapping.priorities).
 * Tier: customerId from the conversation's company (id, else name) or else its first contact; 'field' reads
 * `custom_attributes[<field>]`; 'tag' reads the conversation's tags.
 */

const DEFAULTS: DefaultMappings = {
  statuses: { open: 'open', snoozed: 'pending', closed: 'solved' },
  priorities: { priority: 'high', 'not priority': 'normal' },
};

const CREATED_TOPICS = new Set(['conversation.user.created', 'conversation.admin.single.created']);
const COMMENT_TOPICS: Record<string, { parts: string[]; public: boolean; anyAdminPartWithBody?: boolean }> = {
  'conversation.user.replied': { parts: ['comment'], public: true },
  'conversation.admin.replied': { parts: ['comment'], public: true, anyAdminPartWithBody: true },
  'conversation.admin.noted': { parts: ['note'], public: false },
};
const UPDATE_TOPICS = new Set([
  'conversation.admin.closed',
  'conversation.admin.opened',
  'conversation.admin.snoozed',
  'conversation.admin.unsnoozed',
  'conversation.admin.assigned',
  'conversation.priority.updated',
  'conversation_part.tag.created',
]);

export class IntercomAdapter implements ProviderAdapter {
  readonly provider = 'intercom' as const;

  verify(delivery: RawDelivery, integration: IntegrationSettings): VerifyResult {
    return verifyHubSignature(delivery, integration.credentials.signingSecret, 'sha1', 'Intercom');
  }

  deliveryId(_delivery: RawDelivery, payload: unknown): string | null {
    return isRecord(payload) ? (asString(payload['id']) ?? null) : null;
  }

  normalise(payload: unknown, delivery: RawDelivery, integration: IntegrationSettings): NormalisedEvent[] {
    if (!isRecord(payload) || asString(payload['topic']) === undefined) {
      throw new NormaliseError(
        'unrecognised_payload',
        'Not an Intercom notification (a JSON object with "topic" and "data.item"); point an Intercom app webhook here.',
      );
    }
    const topic = asString(payload['topic']) as string;
    const isCreated = CREATED_TOPICS.has(topic);
    const commentTopic = COMMENT_TOPICS[topic];
    const isDeleted = topic === 'conversation.deleted';
    if (!isCreated && !commentTopic && !isDeleted && !UPDATE_TOPICS.has(topic)) return []; // ping, contact.*, …

    const item = getPath(payload, 'data.item');
    if (!isRecord(item)) {
      throw new NormaliseError(
        'missing_ticket_id',
        `The Intercom ${topic} notification has no data.item conversation.`,
      );
    }
    const convId = requireTicketId(asId(item['id']), 'Intercom', 'data.item.id');
    const notifiedAt = parseTimestamp(payload['created_at']) ?? delivery.receivedAt;
    if (isDeleted && stateOf(item) === undefined) return [deletedOnly(convId, item, notifiedAt)];
    const updatedAt = parseTimestamp(item['updated_at']) ?? notifiedAt;
    const mapper = createMapper(DEFAULTS, integration.mapping);

    const tags = tagNames(item['tags']);
    const company = isRecord(item['company']) ? item['company'] : undefined;
    const firstContact = getPath(item, 'contacts.contacts');
    const contact = Array.isArray(firstContact) && isRecord(firstContact[0]) ? firstContact[0] : undefined;
    const snapshot = compact<TicketSnapshot>({
      id: convId,
      createdAt: parseTimestamp(item['created_at']) ?? updatedAt,
      status: requireStatus(mapper, stateOf(item), 'Intercom'),
      priority: mapper.priority(asString(item['priority'])),
      assigneeId: asId(item['admin_assignee_id']),
      groupId: asId(item['team_assignee_id']),
      channel: asString(getPath(item, 'source.delivered_as')) ?? asString(getPath(item, 'source.type')),
      tags,
    });
    const attributes = isRecord(item['custom_attributes']) ? item['custom_attributes'] : {};
    applyTier(
      snapshot,
      {
        customer:
          asId(company?.['id']) ??
          asString(company?.['name']) ??
          asId(contact?.['external_id']) ??
          asId(contact?.['id']),
        tags,
        field: (name) => asString(attributes[name]),
      },
      integration.mapping,
    );
    if (isDeleted) snapshot.removed = 'deleted';
    const base = { ticket: snapshot, externalTicketId: convId };
    const parts = conversationParts(item);

    if (isCreated) {
      const source = isRecord(item['source']) ? item['source'] : {};
      const author = isRecord(source['author']) ? source['author'] : undefined;
      const role = roleOf(author) ?? (topic === 'conversation.user.created' ? 'customer' : 'agent');
      const actor = compact({ role, id: asId(author?.['id']) });
      const events: NormalisedEvent[] = [
        {
          ...base,
          id: `intercom:${convId}:created`,
          type: 'ticket.created',
          occurredAt: snapshot.createdAt,
          actor,
        },
      ];
      const sourceId = asId(source['id']);
      if (sourceId !== undefined) {
        events.push({
          ...base,
          id: `intercom:${convId}:part:${sourceId}`,
          type: 'comment.created',
          occurredAt: snapshot.createdAt,
          comment: { id: sourceId, public: true, authorRole: role },
          actor,
        });
      }
      return events;
    }

    if (commentTopic) {
      const matching = parts.filter(
        (p) =>
          commentTopic.parts.includes(asString(p['part_type']) ?? '') ||
          (commentTopic.anyAdminPartWithBody === true && isAdminPartWithBody(p)),
      );
      if (matching.length === 0) {
        throw new NormaliseError(
          'missing_comment',
          `The Intercom ${topic} notification carries no ${commentTopic.parts.join('/')} conversation part.`,
        );
      }
      return matching.map((part) => {
        const partId = asId(part['id']) as string;
        const author = isRecord(part['author']) ? part['author'] : undefined;
        const role = roleOf(author) ?? (topic === 'conversation.user.replied' ? 'customer' : 'agent');
        return {
          ...base,
          id: `intercom:${convId}:part:${partId}`,
          type: 'comment.created' as const,
          occurredAt: parseTimestamp(part['created_at']) ?? updatedAt,
          comment: { id: partId, public: commentTopic.public, authorRole: role },
          actor: compact({ role, id: asId(author?.['id']) }),
        };
      });
    }

    // State / assignment / priority / tag changes and deletion: one snapshot event, keyed by the part that
    // recorded the change when there is one, else by the notification id.
    const part = parts[parts.length - 1];
    const partId = part ? asId(part['id']) : undefined;
    const author = part && isRecord(part['author']) ? part['author'] : undefined;
    const notificationId = asString(payload['id']) ?? `${topic}:${notifiedAt}`;
    const type: EventType = isDeleted ? 'ticket.deleted' : 'ticket.updated';
    return [
      {
        ...base,
        id: isDeleted
          ? `intercom:${convId}:deleted`
          : partId !== undefined
            ? `intercom:${convId}:part:${partId}`
            : `intercom:${convId}:notification:${notificationId}`,
        type,
        occurredAt: (part ? parseTimestamp(part['created_at']) : undefined) ?? updatedAt,
        actor: compact({ role: roleOf(author) ?? (author ? 'agent' : 'system'), id: asId(author?.['id']) }),
      },
    ];
  }
}

/**
 * A deletion notification with only ids. The removal cancels the clocks whatever the status says, so the status
 * recorded with it (`closed`) only names what the ticket shows once deleted; creation falls back to the
 * notification time (the engine keeps the earliest creation any event reports).
 */
function deletedOnly(convId: string, item: JsonObject, notifiedAt: number): NormalisedEvent {
  const createdAt = parseTimestamp(item['created_at']) ?? notifiedAt;
  return {
    id: `intercom:${convId}:deleted`,
    type: 'ticket.deleted',
    occurredAt: parseTimestamp(item['updated_at']) ?? notifiedAt,
    ticket: { id: convId, createdAt, status: 'closed', removed: 'deleted' },
    externalTicketId: convId,
    actor: { role: 'system' },
  };
}

/** An admin's part with text in it: in a reply topic that text is the reply, whatever the part also did. */
function isAdminPartWithBody(part: JsonObject): boolean {
  const body = asString(part['body'])
    ?.replace(/<[^>]*>/g, '')
    .trim();
  return roleOf(isRecord(part['author']) ? part['author'] : undefined) === 'agent' && !!body;
}

function conversationParts(item: JsonObject): JsonObject[] {
  const parts = getPath(item, 'conversation_parts.conversation_parts');
  return Array.isArray(parts) ? parts.filter(isRecord).filter((p) => asId(p['id']) !== undefined) : [];
}

function tagNames(value: unknown): string[] | undefined {
  const list = isRecord(value) ? value['tags'] : value;
  if (!Array.isArray(list)) return undefined;
  return list.map((t) => (isRecord(t) ? asString(t['name']) : asString(t))).filter((t) => t !== undefined);
}

/** `state` on current API versions; older payloads only have `open` and `snoozed_until`. */
function stateOf(item: JsonObject): string | undefined {
  const state = asString(item['state']);
  if (state !== undefined) return state;
  const open = asBoolean(item['open']);
  if (open === undefined) return undefined;
  return open ? (item['snoozed_until'] ? 'snoozed' : 'open') : 'closed';
}

/** Intercom author types. */
function roleOf(author: JsonObject | undefined): ActorRole | undefined {
  switch (asString(author?.['type'])?.toLowerCase()) {
    case 'admin':
    case 'team':
      return 'agent';
    case 'user':
    case 'lead':
    case 'contact':
      return 'customer';
    case 'bot':
      return 'system';
    default:
      return undefined;
  }
}

export const intercomAdapter = new IntercomAdapter();
