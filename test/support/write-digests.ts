import { expect, it } from 'vitest';
import type { Pool } from 'pg';

/**
 * The tickets whose write digest (tickets.write_digest, src/tickets/write-digest.ts) disagrees with their stored
 * clocks and recorded steps, with both sides; empty when every digest is true. Tickets without a digest are left out:
 * the writer reads the tables for them.
 */
export async function untrueWriteDigests(sql: Pool): Promise<unknown[]> {
  const { rows } = await sql.query(`
    SELECT t.external_id, d.digest_clocks, d.table_clocks, d.digest_steps, d.table_steps
    FROM tickets t
    CROSS JOIN LATERAL (
      SELECT
        (SELECT coalesce(jsonb_agg(e ORDER BY e->>0, (e->>1)::int), '[]')
         FROM jsonb_array_elements((t.write_digest::jsonb)->'clocks') e) AS digest_clocks,
        (SELECT coalesce(jsonb_agg(jsonb_build_array(metric, cycle, state, fingerprint) ORDER BY metric, cycle), '[]')
         FROM ticket_clocks WHERE ticket_id = t.id) AS table_clocks,
        (SELECT coalesce(jsonb_agg(e ORDER BY e->>0, (e->>1)::int, e->>2), '[]')
         FROM jsonb_array_elements((t.write_digest::jsonb)->'steps') e) AS digest_steps,
        (SELECT coalesce(jsonb_agg(jsonb_build_array(metric, cycle, step, acknowledged_at IS NOT NULL)
                                   ORDER BY metric, cycle, step), '[]')
         FROM sla_steps WHERE ticket_id = t.id AND status <> 'withdrawn') AS table_steps
    ) d
    WHERE t.write_digest IS NOT NULL
      AND (d.digest_clocks <> d.table_clocks OR d.digest_steps <> d.table_steps)`);
  return rows;
}

/**
 * A test, last in a file, that the file's tickets left true write digests behind, and that some have one (a
 * scenario in which the writer never stores a digest would prove nothing).
 */
export function itLeavesWriteDigestsTrue(sql: () => Pool): void {
  it("leaves every ticket's write digest true to its stored clocks and steps", async () => {
    const { rows } = await sql().query(
      'SELECT count(*)::int AS n FROM tickets WHERE write_digest IS NOT NULL',
    );
    expect(rows[0].n).toBeGreaterThan(0);
    expect(await untrueWriteDigests(sql())).toEqual([]);
  });
}
