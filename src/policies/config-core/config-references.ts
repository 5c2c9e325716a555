import type { EntityManager } from 'typeorm';

/**
 * What still refers to a tier, calendar or policy, counted in one statement each, so that a DELETE can refuse with
 * a 409 that names every reference at once. Only current policy versions count: a calendar that an old version
 * used stays deletable unless a clock ran under it (then the clock check holds it).
 */
export async function tierReferences(tx: EntityManager, id: string): Promise<Record<string, number>> {
  const [row] = (await tx.query(
    `SELECT
       (SELECT count(*) FROM customers WHERE tier_id = $1)::int AS "customer mappings",
       (SELECT count(*) FROM policy_versions
          WHERE valid_to IS NULL AND conditions -> 'tiers' ? $1)::int AS "policies",
       (SELECT count(*) FROM tickets WHERE tier = $1 AND removed IS NULL
          AND EXISTS (SELECT 1 FROM ticket_clocks c WHERE c.ticket_id = tickets.id AND c.state IN ('running', 'paused'))
       )::int AS "open tickets"`,
    [id],
  )) as Array<Record<string, number>>;
  return nonZero(row);
}

export async function calendarReferences(tx: EntityManager, id: string): Promise<Record<string, number>> {
  const [row] = (await tx.query(
    `SELECT
       (SELECT count(*) FROM policy_versions v WHERE v.valid_to IS NULL AND EXISTS (
          SELECT 1 FROM jsonb_each(v.targets) p, jsonb_each(p.value) m WHERE m.value ->> 'calendarId' = $1
        ))::int AS "policies",
       (SELECT count(*) FROM ticket_clocks WHERE calendar_id = $1)::int AS "clocks"`,
    [id],
  )) as Array<Record<string, number>>;
  return nonZero(row);
}

export async function policyReferences(tx: EntityManager, id: string): Promise<Record<string, number>> {
  const [row] = (await tx.query(`SELECT count(*)::int AS "clocks" FROM ticket_clocks WHERE policy_id = $1`, [
    id,
  ])) as Array<Record<string, number>>;
  return nonZero(row);
}

/** "2 policies and 14 clocks": the references for a message. */
export function describeReferences(references: Record<string, number>): string {
  const parts = Object.entries(references).map(([what, count]) => `${count} ${what}`);
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

function nonZero(row: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(row).filter(([, count]) => count > 0));
}
