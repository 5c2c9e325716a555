import { NAMES_ASSIGNEE_OR_GROUP } from '../tickets/step-recorder.js';

/**
 * The step `s`'s ticket `t`, by its primary key. The LIMIT keeps the subquery from being flattened into a join:
 * as a join, a few hundred steps were enough for the planner to hash the whole tickets table (20–57 ms per 500 steps
 * at 40,000 tickets, and growing with them) rather than look up each step's ticket (about 1 ms). Only the columns
 * the planners test, not the row's write digest.
 */
export const TICKET_OF_STEP = `CROSS JOIN LATERAL (
    SELECT id, integration_id, tier, priority, default_priority, assignee_id, group_id
    FROM tickets t WHERE t.id = s.ticket_id LIMIT 1) t`;

/**
 * Deliveries for the steps whose ladder names the ticket's `assignee` or `group`: the directory entry of that agent
 * or group on the ticket's integration gives an e-mail address (a delivery straight to it) or a channel; without an
 * entry (or with no assignee or group, or a disabled channel) the recipient's `fallback` channel, else
 * NOTIFY_FALLBACK_CHANNEL ($3), else nobody. A withdrawn breach goes to the addresses its notice went to.
 * $1: step ids (null: the last day's), $2: send late steps; `steps` is the planner's filter on them.
 */
export const directoryPlanSql = (steps: string): string => `
  INSERT INTO notifications (step_id, event, channel_id, address, working_hours)
  SELECT DISTINCT ON (step_id, channel_id, address) step_id, 'step', channel_id, address, working_hours
  FROM (
    SELECT s.id AS step_id, r ->> 'workingHours' AS working_hours,
           CASE WHEN d.email IS NOT NULL THEN NULL
                WHEN dc.id IS NOT NULL THEN dc.id
                ELSE (SELECT fc.id FROM notification_channels fc
                      WHERE fc.enabled AND fc.id = coalesce(r ->> 'fallback', $3::text)) END AS channel_id,
           d.email AS address
    FROM sla_steps s
    ${TICKET_OF_STEP}
    CROSS JOIN LATERAL jsonb_array_elements(s.recipients) r
    LEFT JOIN directory_entries d ON d.integration_id = t.integration_id
      AND d.kind = CASE r ->> 'type' WHEN 'assignee' THEN 'agent' ELSE 'group' END
      AND d.external_id = CASE r ->> 'type' WHEN 'assignee' THEN t.assignee_id ELSE t.group_id END
    LEFT JOIN notification_channels dc ON dc.id = d.channel_id AND dc.enabled
    WHERE ${steps} AND s.status = 'recorded' AND (NOT s.late OR $2) AND r ->> 'type' IN ('assignee', 'group')
      -- The same, tested on the step row itself: steps without such a recipient never look up their ticket.
      AND ${NAMES_ASSIGNEE_OR_GROUP}
  ) resolved
  WHERE channel_id IS NOT NULL OR address IS NOT NULL
  UNION ALL
  SELECT s.id, 'withdrawal', NULL, n.address, NULL
  FROM sla_steps s
  JOIN notifications n ON n.step_id = s.id AND n.event = 'step' AND n.status IN ('pending', 'sent')
    AND n.address IS NOT NULL
  WHERE ${steps} AND s.status = 'withdrawn'
  ON CONFLICT (step_id, event, channel_id, address) DO NOTHING
  RETURNING id`;
