import type pg from 'pg';
import type { Priority, TicketSnapshot } from '../../src/engine/types.js';
import type { NormalisedEvent } from '../../src/webhooks/providers/provider-adapter.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** An integration row straight in SQL, so ticket tests do not depend on the integrations API. */
export async function seedIntegration(
  sql: pg.Pool,
  id: string,
  defaultPriority: Priority = 'normal',
): Promise<void> {
  await sql.query(
    `INSERT INTO integrations (id, name, provider, mapping) VALUES ($1, $1, 'generic', $2) ON CONFLICT (id) DO NOTHING`,
    [id, JSON.stringify({ defaultPriority })],
  );
}

/**
 * Builds the canonical events of one ticket. Event ids are prefixed by the ticket id, so the same
 * story can be told for several tickets of one integration.
 */
export class TicketStory {
  private readonly state: TicketSnapshot;
  readonly events: NormalisedEvent[] = [];

  constructor(
    readonly externalId: string,
    readonly createdAt: number,
    initial: Partial<TicketSnapshot> = {},
  ) {
    this.state = { id: externalId, createdAt, status: 'new', ...initial };
    this.push('created', 'ticket.created', createdAt, {}, { actor: { role: 'customer', id: 'c-1' } });
  }

  update(
    key: string,
    at: number,
    change: Partial<TicketSnapshot>,
    role: 'agent' | 'customer' | 'system' = 'agent',
  ): this {
    return this.push(key, 'ticket.updated', at, change, { actor: { role, id: `${role}-1` } });
  }

  comment(key: string, at: number, role: 'agent' | 'customer', isPublic = true): this {
    return this.push(
      key,
      'comment.created',
      at,
      {},
      {
        comment: { id: `${this.externalId}-${key}`, public: isPublic, authorRole: role },
        actor: { role, id: `${role}-1` },
      },
    );
  }

  private push(
    key: string,
    type: NormalisedEvent['type'],
    at: number,
    change: Partial<TicketSnapshot>,
    extra: Pick<NormalisedEvent, 'comment' | 'actor'>,
  ): this {
    Object.assign(this.state, change);
    this.events.push({
      id: `${this.externalId}-${key}`,
      type,
      occurredAt: at,
      externalTicketId: this.externalId,
      ticket: { ...this.state, tags: [...(this.state.tags ?? [])] },
      ...extra,
    });
    return this;
  }
}

/** Deterministic permutations (a seeded shuffle), so a failing order can be reproduced. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The clocks of a ticket as stored, minus what legitimately differs between tickets and evaluations. */
export async function storedClocks(sql: pg.Pool, ticketId: string): Promise<Array<Record<string, unknown>>> {
  const { rows } = await sql.query(
    `SELECT metric, cycle, state, policy_id, policy_version, calendar_id, time_zone, started_at, target_ms, deadline,
            no_deadline_reason, not_applicable_reason, stopped_at, used_ms, remaining_ms, percent_used,
            paused_intervals, breached_at, breach_detected_at, warnings, explanation
     FROM ticket_clocks WHERE ticket_id = $1 ORDER BY metric, cycle`,
    [ticketId],
  );
  return rows;
}
