import type { ActorRole, RemovalReason, TicketSnapshot } from '../../engine/types.js';
import { NormaliseError } from './provider-adapter.js';
import type {
  IntegrationSettings,
  NormalisedEvent,
  ProviderAdapter,
  RawDelivery,
  VerifyResult,
} from './provider-adapter.js';
import { asBoolean, asId, asString, asStringList, isRecord } from './shared/json.js';
import type { JsonObject } from './shared/json.js';
import {
  applyTier,
  compact,
  createMapper,
  normaliseKey,
  requireStatus,
  requireTicketId,
} from './shared/mapping.js';
import type { DefaultMappings } from './shared/mapping.js';
import { header, verifyHubSignature } from './shared/signature.js';
import { parseTimestamp } from './shared/time.js';

/**
 * Zammad trigger webhooks (Zammad admin documentation: "Webhook", "Webhook Payload").
 *
 * Signature: `X-Hub-Signature: sha1=<hex HMAC-SHA1 of the raw body>` keyed with the webhook's signature token.
 * Dedupe: `X-Zammad-Delivery` (a unique random id per delivery).
 *
 * Payload: the default (not customised) body `{ ticket, article }`: `ticket` with `state`, `priority` (object with
 * `name` such as "2 normal", or a plain string), `organization`, `owner_id`, `group`, timestamps; `article` only when
 * the triggering change added one, with `sender` ("Agent" / "Customer" / "System") and `internal`.
 *
 * Events: an article → comment.created (id from the article id, so duplicate triggers collapse); the ticket's
 * first article also yields ticket.created. Without an article → ticket.updated keyed by ticket id and updated_at.
 * A trigger should fire on "Action is created" and "Action is updated" for all tickets.
 *
 * Zammad "closed" is mapped to `solved` by default: customers can reopen a closed Zammad ticket with a follow-up,
 * which is what `solved` means for the clocks. Map it to "closed" in mapping.statuses to change that.
 */

const DEFAULTS: DefaultMappings = {
  statuses: {
    new: 'new',
    open: 'open',
    'pending reminder': 'pending',
    'pending close': 'pending',
    pending: 'pending',
    closed: 'solved',
    merged: 'closed',
    removed: 'closed',
  },
  priorities: {
    '1 low': 'low',
    '2 normal': 'normal',
    '3 high': 'high',
    '4 urgent': 'urgent',
    '4 very high': 'urgent',
    low: 'low',
    normal: 'normal',
    high: 'high',
    urgent: 'urgent',
  },
};

const REMOVED_STATES: Record<string, RemovalReason> = { merged: 'merged', removed: 'deleted' };

/** Zammad's system user ("-") has id 1; it also stands for "no owner". */
const SYSTEM_USER_ID = '1';

export class ZammadAdapter implements ProviderAdapter {
  readonly provider = 'zammad' as const;

  verify(delivery: RawDelivery, integration: IntegrationSettings): VerifyResult {
    return verifyHubSignature(delivery, integration.credentials.signingSecret, 'sha1', 'Zammad');
  }

  deliveryId(delivery: RawDelivery, _payload?: unknown): string | null {
    return header(delivery, 'x-zammad-delivery') ?? null;
  }

  normalise(payload: unknown, delivery: RawDelivery, integration: IntegrationSettings): NormalisedEvent[] {
    if (!isRecord(payload) || !isRecord(payload['ticket'])) {
      throw new NormaliseError(
        'unrecognised_payload',
        'The Zammad webhook body must be a JSON object with a "ticket"; use the default (not customised) payload.',
      );
    }
    const t = payload['ticket'];
    const article =
      isRecord(payload['article']) && asId(payload['article']['id']) !== undefined
        ? payload['article']
        : undefined;
    const ticketId = requireTicketId(asId(t['id']), 'Zammad', 'ticket.id');
    const mapper = createMapper(DEFAULTS, integration.mapping);
    const createdAt = parseTimestamp(t['created_at']);
    const updatedAt = parseTimestamp(t['updated_at']) ?? delivery.receivedAt;

    const stateName = nameOf(t['state']);
    const priorityName = nameOf(t['priority']);
    const snapshot = compact<TicketSnapshot>({
      id: ticketId,
      createdAt: createdAt ?? updatedAt,
      status: requireStatus(mapper, stateName, 'Zammad'),
      // "2 normal" and plain "normal" both resolve; a custom "5 blocker" falls back to mapping.defaultPriority.
      priority: mapper.lookupPriority(priorityName) ?? mapper.priority(priorityName?.replace(/^\d+\s+/, '')),
      assigneeId: ownerOf(t),
      groupId: asId(t['group_id']) ?? nameOf(t['group']),
      channel: asString(t['create_article_type']),
      tags: asStringList(t['tags']),
    });
    const removed = stateName !== undefined ? REMOVED_STATES[normaliseKey(stateName)] : undefined;
    if (removed) snapshot.removed = removed;
    const org = isRecord(t['organization']) ? t['organization'] : undefined;
    applyTier(
      snapshot,
      {
        customer: asId(t['organization_id']) ?? asId(org?.['id']) ?? asString(org?.['name']),
        tags: snapshot.tags,
        field: (name) => nameOf(t[name]),
      },
      integration.mapping,
    );
    const base = { ticket: snapshot, externalTicketId: ticketId };
    const updater = actorFromUser(t['updated_by'], asId(t['updated_by_id']));

    if (removed) {
      return [
        {
          ...base,
          id: `zammad:${ticketId}:removed:${updatedAt}`,
          type: 'ticket.deleted',
          occurredAt: updatedAt,
          actor: updater,
        },
      ];
    }
    if (!article) {
      const created = createdAt !== undefined && Math.abs(updatedAt - createdAt) < 1000;
      return [
        {
          ...base,
          id: created ? `zammad:${ticketId}:created` : `zammad:${ticketId}:updated:${updatedAt}`,
          type: created ? 'ticket.created' : 'ticket.updated',
          occurredAt: created ? (createdAt ?? updatedAt) : updatedAt,
          actor: updater,
        },
      ];
    }

    const articleId = asId(article['id']) as string;
    const role = senderRole(asString(article['sender']));
    const authorId = asId(article['origin_by_id']) ?? asId(article['created_by_id']);
    const commentAt = parseTimestamp(article['created_at']) ?? updatedAt;
    const events: NormalisedEvent[] = [];
    if (isFirstArticle(t, articleId)) {
      events.push({
        ...base,
        id: `zammad:${ticketId}:created`,
        type: 'ticket.created',
        occurredAt: createdAt ?? commentAt,
        actor: compact({ role, id: authorId }),
      });
    }
    events.push({
      ...base,
      id: `zammad:${ticketId}:article:${articleId}`,
      type: 'comment.created',
      occurredAt: commentAt,
      comment: { id: articleId, public: asBoolean(article['internal']) !== true, authorRole: role },
      actor: compact({ role, id: authorId }),
    });
    return events;
  }
}

/** Zammad sends associations either as names ("open") or as objects with a `name`. */
function nameOf(value: unknown): string | undefined {
  return isRecord(value) ? asString(value['name']) : asString(value);
}

function ownerOf(t: JsonObject): string | undefined {
  const owner = asId(t['owner_id']) ?? (isRecord(t['owner']) ? asId(t['owner']['id']) : undefined);
  return owner === SYSTEM_USER_ID ? undefined : owner;
}

function isFirstArticle(t: JsonObject, articleId: string): boolean {
  const ids = Array.isArray(t['article_ids'])
    ? t['article_ids'].map((v) => asId(v)).filter((v) => v !== undefined)
    : [];
  if (ids.length > 0) return ids.map(Number).sort((a, b) => a - b)[0] === Number(articleId);
  return asString(t['article_count']) === '1';
}

function senderRole(sender: string | undefined): ActorRole {
  const s = sender?.toLowerCase();
  if (s === 'agent') return 'agent';
  if (s === 'customer') return 'customer';
  return 'system';
}

/** The updating user: system user id 1 → system; roles containing Agent/Admin → agent; else customer. */
function actorFromUser(user: unknown, id: string | undefined): { role: ActorRole; id?: string } {
  const userId = id ?? (isRecord(user) ? asId(user['id']) : undefined);
  if (userId === undefined || userId === SYSTEM_USER_ID)
    return compact({ role: 'system' as ActorRole, id: userId });
  const roles = isRecord(user) ? (asStringList(user['roles']) ?? []).map((r) => r.toLowerCase()) : [];
  if (roles.length === 0) return { role: 'agent', id: userId };
  const agent = roles.includes('agent') || roles.includes('admin');
  return { role: agent ? 'agent' : 'customer', id: userId };
}

export const zammadAdapter = new ZammadAdapter();
