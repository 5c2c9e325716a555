import type { WrittenTicket } from './evaluation-writer.js';

/**
 * In-process event emitted after tickets' clocks were recomputed and committed, in the process that evaluated: one
 * event per committed batch (a webhook chunk, a timer batch), carrying per ticket what the write did
 * (WrittenTicket: clock version, who the ticket is, its next step instant, the steps recorded). Listeners (timers,
 * live events, notifications) handle the batch at once — one Redis call, one planning query — and re-read
 * anything else they need.
 */
export const TICKET_CLOCKS_CHANGED = 'ticket.clocks-changed';

export interface TicketClocksChanged extends WrittenTicket {
  ticketId: string;
}

/** The payload of TICKET_CLOCKS_CHANGED: every ticket of one committed batch (never empty). */
export type TicketsClocksChanged = TicketClocksChanged[];
