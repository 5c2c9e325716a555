import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { TICKET_CLOCKS_CHANGED, type TicketsClocksChanged } from '../../tickets/tickets.events.js';
import { NotificationPlanner } from '../notification-planner.js';
import { WriteBackPlanner } from './writeback-planner.js';

/**
 * After each evaluation, plans the "met" deliveries of the ticket (a warned clock met in time) and enqueues them.
 * If this process dies first, the notification reconciler plans them on its next pass.
 */
@Injectable()
export class WriteBackDispatcher {
  private readonly logger = new Logger(WriteBackDispatcher.name);

  constructor(
    private readonly writeBack: WriteBackPlanner,
    private readonly planner: NotificationPlanner,
  ) {}

  @OnEvent(TICKET_CLOCKS_CHANGED, { async: true, promisify: true })
  async onClocksChanged(changes: TicketsClocksChanged): Promise<void> {
    // Only a clock met by this write can have a "met" delivery to plan (a batch of breaches has none); one met
    // earlier had its deliveries planned then, or by the reconciler.
    const met = changes.filter((c) => c.metNow).map((c) => c.ticketId);
    if (met.length === 0) return;
    try {
      await this.planner.enqueue(await this.writeBack.planMet(met));
    } catch (error) {
      this.logger.warn(`write-back not planned now, the reconciler will: ${(error as Error).message}`);
    }
  }
}
