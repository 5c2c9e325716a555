import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/**
 * The planner's condition for helpdesk channels (`c` the channel, `t` the ticket): the ticket's integration has
 * write-back settings, and the channel names no integration or this one. Other channel types pass.
 */
export const HELPDESK_CHANNEL_FITS = `(c.type <> 'helpdesk' OR (coalesce(c.integration_id, t.integration_id) = t.integration_id
    AND EXISTS (SELECT 1 FROM integrations i WHERE i.id = t.integration_id AND i.write_back IS NOT NULL)))`;

/**
 * "Met" deliveries: a warning written back to a helpdesk whose clock cycle was then met (no breach in it) takes its
 * warning tag off again. One row per (warning step, channel), by the same unique key as every delivery, so the
 * event listener and the reconciler may both plan it.
 */
@Injectable()
export class WriteBackPlanner {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** For these tickets (null: clocks evaluated within the last day, for the reconciler); returns the new ids. */
  async planMet(ticketIds: string[] | null): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.db.query(MET_SQL, [ticketIds]);
    return rows.map((r) => r.id);
  }
}

const MET_SQL = `
  INSERT INTO notifications (step_id, event, channel_id)
  SELECT s.id, 'met', n.channel_id
  FROM sla_steps s
  JOIN ticket_clocks k ON k.ticket_id = s.ticket_id AND k.metric = s.metric AND k.cycle = s.cycle AND k.state = 'met'
  JOIN notifications n ON n.step_id = s.id AND n.event = 'step' AND n.status IN ('pending', 'sent')
  JOIN notification_channels c ON c.id = n.channel_id AND c.type = 'helpdesk'
  WHERE ($1::uuid[] IS NULL AND k.evaluated_at > now() - interval '1 day' OR s.ticket_id = ANY($1::uuid[]))
    AND s.kind = 'warning' AND s.status = 'recorded'
    AND NOT EXISTS (SELECT 1 FROM sla_steps b WHERE b.ticket_id = s.ticket_id AND b.metric = s.metric
                      AND b.cycle = s.cycle AND b.kind <> 'warning')
  ON CONFLICT (step_id, event, channel_id, address) DO NOTHING
  RETURNING id`;
