import type { WrittenTicket } from './evaluation-writer.js';

/**
 * In-process event emitted after a ticket's clocks were recomputed and committed, in the process that evaluated:
 * what the write did (WrittenTicket: clock version, who the ticket is, its next step instant, the steps recorded).
 * Listeners (timers, live events, notifications) re-read anything else they need.
 */
export const TICKET_CLOCKS_CHANGED = 'ticket.clocks-changed';

export interface TicketClocksChanged extends WrittenTicket {
  ticketId: string;
}
