import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { TICKET_CLOCKS_CHANGED, type TicketsClocksChanged } from '../tickets/tickets.events.js';
import { NotificationPlanner } from './notification-planner.js';

/**
 * Plans and enqueues the deliveries of the steps an evaluation just committed, at once (one planning round for the
 * whole batch). It runs in the process that evaluated; if that process dies before this ran, the reconciler finds
 * the steps without deliveries.
 */
@Injectable()
export class NotificationDispatcher {
  private readonly logger = new Logger(NotificationDispatcher.name);

  constructor(private readonly planner: NotificationPlanner) {}

  @OnEvent(TICKET_CLOCKS_CHANGED, { async: true, promisify: true })
  async onClocksChanged(changes: TicketsClocksChanged): Promise<void> {
    const steps = changes.flatMap((c) => c.steps.filter((s) => s.status !== 'skipped'));
    if (steps.length === 0) return;
    // The directory resolves the steps naming an assignee or group, and sends withdrawals where the breach went.
    const directory = steps.some((s) => s.viaDirectory || s.status === 'withdrawn');
    try {
      const ids = steps.map((s) => s.id);
      await this.planner.enqueue(await this.planner.plan(ids, { directory }));
    } catch (error) {
      this.logger.warn(`notifications not planned now, the reconciler will: ${(error as Error).message}`);
    }
  }
}
