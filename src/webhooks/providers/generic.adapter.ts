import { z } from 'zod';
import {
  ACTOR_ROLES,
  EVENT_TYPES,
  type Priority,
  PRIORITIES,
  REMOVAL_REASONS,
  type TicketStatus,
  TICKET_STATUSES,
} from '../../engine/types.js';
import { verifyGenericSignature } from './generic-signature.js';
import {
  type IntegrationMapping,
  type IntegrationSettings,
  type NormalisedEvent,
  NormaliseError,
  type ProviderAdapter,
  type RawDelivery,
  type VerifyResult,
} from './provider-adapter.js';
import { tierId } from './shared/mapping.js';

/**
 * The `generic` provider: our own canonical event format (DESIGN.md, "Canonical event"), one event per
 * delivery or an array of them. Statuses and priorities may be the canonical names or names that the
 * integration's mapping translates, so a home-grown helpdesk can send its own vocabulary.
 */

const isoInstant = z.iso.datetime({ offset: true });
const role = z.enum(ACTOR_ROLES);

/** The canonical event (the generic provider's documented format); also published in the OpenAPI document. */
export const genericEventSchema = z.object({
  eventId: z.string().min(1).max(200),
  type: z.enum(EVENT_TYPES),
  occurredAt: isoInstant,
  sequence: z.number().int().optional(),
  ticket: z.object({
    id: z.string().min(1).max(200),
    createdAt: isoInstant,
    status: z.string().min(1),
    priority: z.string().min(1).nullish(),
    customerId: z.string().nullish(),
    tier: z.string().nullish(),
    assigneeId: z.string().nullish(),
    groupId: z.string().nullish(),
    channel: z.string().nullish(),
    tags: z.array(z.string()).optional(),
    fields: z.record(z.string(), z.unknown()).optional(),
    removed: z.enum(REMOVAL_REASONS).nullish(),
  }),
  comment: z.object({ id: z.string().min(1), public: z.boolean(), authorRole: role }).optional(),
  actor: z.object({ role, id: z.string().optional() }).optional(),
});
type GenericEvent = z.infer<typeof genericEventSchema>;

const batchSchema = z.array(genericEventSchema).min(1).max(1000);

/** `satisfies`: its verify stays synchronous in the type, as signatures need no I/O. */
export const genericAdapter = {
  provider: 'generic',

  verify(delivery, integration): VerifyResult {
    return verifyGenericSignature(
      delivery.headers,
      delivery.body,
      integration.credentials.signingSecret,
      integration.replayWindowSeconds,
      delivery.receivedAt,
    );
  },

  deliveryId(delivery, payload) {
    const header = delivery.headers['x-delivery-id'];
    if (header) return header;
    const eventId = (payload as { eventId?: unknown } | null)?.eventId;
    return typeof eventId === 'string' && eventId ? eventId : null;
  },

  normalise(payload: unknown, _delivery: RawDelivery, integration: IntegrationSettings): NormalisedEvent[] {
    // Parsed separately (not as a union) so that the error names the field that is wrong.
    const parsed = Array.isArray(payload)
      ? batchSchema.safeParse(payload)
      : genericEventSchema.safeParse(payload);
    if (!parsed.success) {
      const problems = parsed.error.issues
        .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
        .join('; ');
      throw new NormaliseError('invalid_payload', `Not a canonical event: ${problems}`);
    }
    const events = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
    return events.map((event) => toNormalised(event, integration.mapping));
  },
} satisfies ProviderAdapter;

function toNormalised(e: GenericEvent, mapping: IntegrationMapping): NormalisedEvent {
  const t = e.ticket;
  return {
    id: e.eventId,
    type: e.type,
    occurredAt: Date.parse(e.occurredAt),
    sequence: e.sequence,
    externalTicketId: t.id,
    ticket: {
      id: t.id,
      createdAt: Date.parse(t.createdAt),
      status: mapStatus(t.status, mapping),
      priority: t.priority ? mapPriority(t.priority, mapping) : undefined,
      customerId: t.customerId ?? undefined,
      tier: t.tier ?? tierFrom(t, mapping),
      assigneeId: t.assigneeId ?? undefined,
      groupId: t.groupId ?? undefined,
      channel: t.channel ?? undefined,
      tags: t.tags,
      removed: t.removed ?? undefined,
    },
    comment: e.comment,
    actor: e.actor,
  };
}

function lookup<T>(table: Record<string, T> | undefined, key: string): T | undefined {
  if (!table) return undefined;
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(table)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

function mapStatus(raw: string, mapping: IntegrationMapping): TicketStatus {
  const mapped = lookup(mapping.statuses, raw);
  if (mapped) return mapped;
  const canonical = raw.toLowerCase();
  if ((TICKET_STATUSES as readonly string[]).includes(canonical)) return canonical as TicketStatus;
  throw new NormaliseError(
    'unknown_status',
    `ticket.status "${raw}" is not one of ${TICKET_STATUSES.join(', ')}; ` +
      'send a canonical status or map it in the integration (PUT /integrations/:id, mapping.statuses), then retry.',
  );
}

/** Unknown priorities take the integration's default priority, as the mapping documents. */
function mapPriority(raw: string, mapping: IntegrationMapping): Priority {
  const mapped = lookup(mapping.priorities, raw);
  if (mapped) return mapped;
  const canonical = raw.toLowerCase();
  return (PRIORITIES as readonly string[]).includes(canonical)
    ? (canonical as Priority)
    : mapping.defaultPriority;
}

/** A tier from a tag or field per the mapping, read as a tier id like the other providers do (see tierId). */
function tierFrom(t: GenericEvent['ticket'], mapping: IntegrationMapping): string | undefined {
  const source = mapping.tier;
  if (source?.source === 'tag' && source.tagPrefix) {
    const tag = t.tags?.find((x) => x.startsWith(source.tagPrefix!));
    return tag ? tierId(tag.slice(source.tagPrefix.length)) : undefined;
  }
  if (source?.source === 'field' && source.field) {
    const value = t.fields?.[source.field];
    return typeof value === 'string' && value.trim() ? tierId(value) : undefined;
  }
  return undefined;
}
