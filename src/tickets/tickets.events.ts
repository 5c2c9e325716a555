import type { RecordedStep } from './step-recorder.js';

/**
 * In-process event emitted after a ticket's clocks were recomputed and committed. Payload carries
 * ids only: listeners (timers, live updates) re-read the clocks and compare clock_version.
 */
export const TICKET_CLOCKS_CHANGED = 'ticket.clocks-changed';

export interface TicketClocksChanged {
  ticketId: string;
  clockVersion: number;
  integrationId: string;
  externalId: string;
  tier: string | null;
  priority: string | null;
  assigneeId: string | null;
  /** When the ticket's next warning or breach falls due (null: none will); the timers schedule it. */
  nextStepAt: number | null;
  /** What the evaluation recorded: warnings and breaches reached, breaches withdrawn. */
  steps: RecordedStep[];
}
