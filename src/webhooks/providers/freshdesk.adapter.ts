import type { ActorRole, EventType, RemovalReason, TicketSnapshot } from '../../engine/types.js';
import { NormaliseError } from './provider-adapter.js';
import type {
  IntegrationSettings,
  NormalisedEvent,
  ProviderAdapter,
  RawDelivery,
  VerifyOptions,
  VerifyResult,
} from './provider-adapter.js';
import { asId, asString, asStringList, isRecord } from './shared/json.js';
import {
  applyTier,
  compact,
  createMapper,
  normaliseKey,
  requireStatus,
  requireTicketId,
} from './shared/mapping.js';
import type { DefaultMappings } from './shared/mapping.js';
import { contentId, fail, header } from './shared/signature.js';
import { parseTimestamp } from './shared/time.js';

/**
 * Freshdesk automation-rule webhooks ("Trigger Webhook" action; Freshdesk support articles "Using Webhooks in
 * automation rules" and the placeholder list of the rule editor).
 *
 * Freshdesk does not sign webhooks. Authentication is either HTTP Basic auth ("Requires authentication" with a
 * username/password; verified through `credentials.verifyBasicAuth`) or a secret custom header (e.g.
 * `X-SLA-Token`; `credentials.secretHeaderName` + `verifySecretHeader`). When both are configured, both must pass.
 * Freshdesk sends no delivery id. A retry repeats the body byte for byte, but so can a distinct event (a second reply
 * with unchanged fields), so a body hash only collapses deliveries received within the same retry window
 * (`FRESHDESK_RETRY_WINDOW_MS`: Freshdesk retries a failed call after 5, then 30, then 60 more minutes, 95 minutes
 * in all). The recommended template's `latest_comment` and `event_at` make every event's bytes differ, so distinct
 * events never collapse whatever their spacing.
 *
 * Recommended payload (Encoding JSON, Content "Advanced"); one rule on ticket creation and one on ticket updates
 * with the events "Reply is sent", "Note is added", "Customer replies"(*), "Status is changed", "Priority is
 * changed", "Agent is updated":
 *
 *   { "freshdesk_webhook": {
 *       "triggered_event": "{{triggered_event}}",
 *       "ticket_id": "{{ticket.id}}",
 *       "ticket_status": "{{ticket.status}}",
 *       "ticket_priority": "{{ticket.priority}}",
 *       "ticket_source": "{{ticket.source}}",
 *       "ticket_tags": "{{ticket.tags}}",
 *       "ticket_company_name": "{{ticket.company.name}}",
 *       "ticket_agent_email": "{{ticket.agent.email}}",
 *       "ticket_group_name": "{{ticket.group.name}}",
 *       "requester_email": "{{ticket.requester.email}}",
 *       "latest_comment": "{{ticket.latest_public_comment}}" } }
 *
 * Who acted, where a rule can say it (a constant per rule, or an e-mail): "actor_role" (agent/customer/system, or
 * requester/contact), else "actor" (a role word or an e-mail), else "actor_email"; an e-mail that is the
 * requester's is the customer, any other an agent. A delivery without "sla_event" whose triggered event names no
 * field change or ticket action, that says who acted (agent or customer) and carries "latest_comment", is that
 * person's public reply (keyed by the comment's text, so the same latest comment on a later delivery is the same
 * reply) — never a plain update that would leave first response running.
 *
 * (*) Freshdesk's `{{triggered_event}}` renders e.g. `{ticket_action:created}`, `{status:{from:2,to:3}}`,
 * `{priority:{from:1,to:4}}`, `{note_type:private}`. Where a rule's event does not render one that says who acted
 * (customer replies in particular), add a constant `"sla_event"` to that rule's body: one of created,
 * agent_reply, customer_reply, public_note, private_note, updated, deleted, spam. Optional fields: "actor_role"
 * (agent/customer/system), "ticket_tier", "ticket_created_at" and "event_at" (ISO 8601 or epoch), and "fields"
 * ({ "<name>": "{{ticket.cf_<name>}}" }) for `mapping.tier.source = 'field'`. Without "event_at" the event time is
 * the receipt time. Public notes count as agent responses (Freshdesk treats replies and public notes as responses).
 */

const DEFAULTS: DefaultMappings = {
  statuses: {
    '2': 'open',
    open: 'open',
    '3': 'pending',
    pending: 'pending',
    '4': 'solved',
    resolved: 'solved',
    '5': 'closed',
    closed: 'closed',
    // Shipped with new Freshdesk accounts as custom statuses.
    'waiting on customer': 'pending',
    'waiting on third party': 'on_hold',
  },
  priorities: {
    '1': 'low',
    low: 'low',
    '2': 'normal',
    medium: 'normal',
    '3': 'high',
    high: 'high',
    '4': 'urgent',
    urgent: 'urgent',
  },
};

type Kind =
  | 'created'
  | 'agent_reply'
  | 'customer_reply'
  | 'public_note'
  | 'private_note'
  | 'updated'
  | 'deleted'
  | 'spam';
/** Freshdesk's retries of one failed call end 5 + 30 + 60 minutes after it; two hours leave room for the queue. */
export const FRESHDESK_RETRY_WINDOW_MS = 2 * 60 * 60 * 1000;

/** Deliveries with the same bytes inside one window are one delivery (a retry); beyond it, a new event. */
function retryWindow(delivery: RawDelivery): number {
  return Math.floor(delivery.receivedAt / FRESHDESK_RETRY_WINDOW_MS);
}

const KINDS: readonly Kind[] = [
  'created',
  'agent_reply',
  'customer_reply',
  'public_note',
  'private_note',
  'updated',
  'deleted',
  'spam',
];

export class FreshdeskAdapter implements ProviderAdapter {
  readonly provider = 'freshdesk' as const;

  async verify(
    delivery: RawDelivery,
    integration: IntegrationSettings,
    options?: VerifyOptions,
  ): Promise<VerifyResult> {
    const { verifyBasicAuth, secretHeaderName, verifySecretHeader } = integration.credentials;
    const useHeader = Boolean(secretHeaderName && verifySecretHeader);
    if (!verifyBasicAuth && !useHeader) {
      return fail(
        'no_credentials',
        'The Freshdesk integration has neither basic-auth credentials nor a secret header; configure one of them (Freshdesk does not sign webhooks).',
      );
    }
    if (useHeader) {
      const name = (secretHeaderName as string).toLowerCase();
      const value = header(delivery, name);
      if (value === undefined) {
        return fail(
          'missing_credentials',
          `Missing the ${secretHeaderName} header; add it to the Freshdesk rule's "Trigger webhook" action.`,
        );
      }
      if (!(await verifySecretHeader!(value, options))) {
        return fail(
          'invalid_credentials',
          `The ${secretHeaderName} header value is wrong; copy the integration's secret into the Freshdesk rule.`,
        );
      }
    }
    if (verifyBasicAuth) {
      const auth = header(delivery, 'authorization');
      if (auth === undefined) {
        return fail(
          'missing_credentials',
          'Missing Authorization header; tick "Requires authentication" in the Freshdesk rule and enter the integration\'s username and password.',
        );
      }
      const m = /^basic\s+([A-Za-z0-9+/=]+)$/i.exec(auth);
      const decoded = m ? Buffer.from(m[1] as string, 'base64').toString('utf8') : '';
      const colon = decoded.indexOf(':');
      if (!m || colon < 0) {
        return fail(
          'malformed_credentials',
          'The Authorization header must be HTTP Basic: "Basic base64(username:password)".',
        );
      }
      if (!(await verifyBasicAuth(decoded.slice(0, colon), decoded.slice(colon + 1), options))) {
        return fail(
          'invalid_credentials',
          "Wrong basic-auth username or password; use the integration's credentials in the Freshdesk rule.",
        );
      }
    }
    return { ok: true };
  }

  deliveryId(delivery: RawDelivery, _payload?: unknown): string | null {
    return `freshdesk:${contentId(delivery.body)}:${retryWindow(delivery)}`;
  }

  normalise(payload: unknown, delivery: RawDelivery, integration: IntegrationSettings): NormalisedEvent[] {
    const body =
      isRecord(payload) && isRecord(payload['freshdesk_webhook']) ? payload['freshdesk_webhook'] : payload;
    if (!isRecord(body)) {
      throw new NormaliseError(
        'invalid_payload',
        'The Freshdesk webhook body must be a JSON object (Encoding: JSON); see the recommended payload.',
      );
    }
    const ticketId = requireTicketId(
      asId(body['ticket_id']) ?? asId(body['id']),
      'Freshdesk',
      'freshdesk_webhook.ticket_id',
    );
    const mapper = createMapper(DEFAULTS, integration.mapping);
    const trigger = parseTriggeredEvent(asString(body['triggered_event']));
    const explicitRole = actorRole(body);
    const latestComment = asString(body['latest_comment']);
    let kind = kindOf(asString(body['sla_event']), trigger);
    // No event kind, and a trigger that names no field change: a delivery that says who acted and carries the
    // latest comment is that person's reply, never a plain update that would leave first response running.
    const inferredReply =
      kind === 'updated' &&
      asString(body['sla_event']) === undefined &&
      !namesAChange(trigger) &&
      latestComment !== undefined &&
      (explicitRole === 'agent' || explicitRole === 'customer');
    if (inferredReply) kind = explicitRole === 'agent' ? 'agent_reply' : 'customer_reply';

    const occurredAt =
      parseTimestamp(body['event_at']) ?? parseTimestamp(body['updated_at']) ?? delivery.receivedAt;
    // The rendered status name is the current one; a numeric status from the triggered event is the fallback.
    const rawStatus = asString(body['ticket_status']) ?? (trigger.key === 'status' ? trigger.to : undefined);
    const rawPriority =
      asString(body['ticket_priority']) ?? (trigger.key === 'priority' ? trigger.to : undefined);
    const fields = isRecord(body['fields']) ? body['fields'] : {};
    const snapshot = compact<TicketSnapshot>({
      id: ticketId,
      createdAt: parseTimestamp(body['ticket_created_at']) ?? occurredAt,
      status: requireStatus(mapper, rawStatus, 'Freshdesk'),
      priority: mapper.priority(rawPriority),
      assigneeId: asString(body['ticket_agent_email']) ?? asId(body['ticket_agent_id']),
      groupId: asString(body['ticket_group_name']),
      channel: asString(body['ticket_source'])?.toLowerCase(),
      tags: asStringList(body['ticket_tags']),
    });
    applyTier(
      snapshot,
      {
        payloadTier: asString(body['ticket_tier']),
        customer: asId(body['ticket_company_id']) ?? asString(body['ticket_company_name']),
        tags: snapshot.tags,
        field: (name) =>
          asString(fields[name]) ?? asString(body[`ticket_cf_${name}`]) ?? asString(body[name]),
      },
      integration.mapping,
    );

    const removed: RemovalReason | undefined =
      kind === 'deleted' ? 'deleted' : kind === 'spam' ? 'spam' : undefined;
    if (removed) snapshot.removed = removed;
    const role = explicitRole ?? defaultRole(kind);
    const actor = compact({
      role,
      id:
        actorEmail(body) ??
        (role === 'customer' ? asString(body['requester_email']) : asString(body['ticket_agent_email'])),
    });
    if (role === 'system') delete actor.id;

    const type: EventType =
      kind === 'created'
        ? 'ticket.created'
        : removed
          ? 'ticket.deleted'
          : isComment(kind)
            ? 'comment.created'
            : 'ticket.updated';
    // An inferred reply is keyed by its text: a later delivery that still carries it as the latest comment (a
    // status change after the reply) is the same reply, and the earliest, its author's, is kept.
    const id =
      kind === 'created'
        ? `freshdesk:${ticketId}:created`
        : inferredReply
          ? `freshdesk:${ticketId}:comment:${contentId(latestComment!)}`
          : `freshdesk:${ticketId}:${kind}:${contentId(delivery.body)}:${retryWindow(delivery)}`;
    const event: NormalisedEvent = {
      id,
      type,
      occurredAt,
      ticket: snapshot,
      actor,
      externalTicketId: ticketId,
    };
    if (isComment(kind)) {
      event.comment = { id, public: kind !== 'private_note', authorRole: role };
    }
    return [event];
  }
}

interface TriggeredEvent {
  key?: string;
  value?: string;
  from?: string;
  to?: string;
}

/** `{ticket_action:created}`, `{note_type:public}`, `{status:{from:2,to:3}}` — not JSON, so parsed by hand. */
export function parseTriggeredEvent(raw: string | undefined): TriggeredEvent {
  if (raw === undefined) return {};
  const flat = raw.replace(/[{}"\s]/g, '');
  const colon = flat.indexOf(':');
  if (colon < 0) return { key: flat.toLowerCase() };
  const key = flat.slice(0, colon).toLowerCase();
  const rest = flat.slice(colon + 1);
  const from = /(?:^|,)from:([^,]*)/.exec(rest)?.[1];
  const to = /(?:^|,)to:([^,]*)/.exec(rest)?.[1];
  return to !== undefined ? { key, from, to } : { key, value: rest.toLowerCase() };
}

function kindOf(explicit: string | undefined, trigger: TriggeredEvent): Kind {
  if (explicit !== undefined) {
    const k = normaliseKey(explicit).replace(/ /g, '_') as Kind;
    if (KINDS.includes(k)) return k;
    throw new NormaliseError(
      'unknown_event',
      `Unknown Freshdesk "sla_event" "${explicit}"; use one of ${KINDS.join(', ')}.`,
    );
  }
  switch (trigger.key) {
    case 'ticket_action':
      return trigger.value === 'created'
        ? 'created'
        : trigger.value === 'deleted'
          ? 'deleted'
          : trigger.value === 'spam'
            ? 'spam'
            : 'updated';
    case 'note_type':
      return trigger.value === 'private' ? 'private_note' : 'public_note';
    case 'reply_sent':
      return 'agent_reply';
    case 'customer_reply':
    case 'reply_received':
      return 'customer_reply';
    case 'deleted':
      return 'deleted';
    case 'spam':
      return 'spam';
    default:
      return 'updated';
  }
}

/** A triggered event that names a field change (`{status:{from:2,to:3}}`) or a ticket action (created, …). */
function namesAChange(trigger: TriggeredEvent): boolean {
  return trigger.to !== undefined || trigger.from !== undefined || trigger.key === 'ticket_action';
}

function isComment(kind: Kind): boolean {
  return (
    kind === 'agent_reply' || kind === 'customer_reply' || kind === 'public_note' || kind === 'private_note'
  );
}

/** Notes and replies are agent actions, customer replies the customer's; property changes are taken as agents'. */
function defaultRole(kind: Kind): ActorRole {
  if (kind === 'customer_reply' || kind === 'created') return 'customer';
  return 'agent';
}

/** An e-mail the template gives for whoever acted ("actor" when it is an address, else "actor_email"). */
function actorEmail(body: Record<string, unknown>): string | undefined {
  const actor = asString(body['actor']);
  if (actor?.includes('@')) return actor;
  return asString(body['actor_email']);
}

function actorRole(body: Record<string, unknown>): ActorRole | undefined {
  const explicit = roleOf(asString(body['actor_role'])) ?? roleOf(asString(body['actor']));
  if (explicit) return explicit;
  const email = actorEmail(body)?.trim().toLowerCase();
  if (!email) return undefined;
  const requester = asString(body['requester_email'])?.trim().toLowerCase();
  return requester !== undefined && email === requester ? 'customer' : 'agent';
}

function roleOf(raw: string | undefined): ActorRole | undefined {
  const r = raw?.toLowerCase();
  if (r === 'agent' || r === 'customer' || r === 'system') return r;
  if (r === 'requester' || r === 'contact') return 'customer';
  return undefined;
}

export const freshdeskAdapter = new FreshdeskAdapter();
