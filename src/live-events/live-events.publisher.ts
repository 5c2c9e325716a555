import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import {
  TICKET_CLOCKS_CHANGED,
  type TicketClocksChanged,
  type TicketsClocksChanged,
} from '../tickets/tickets.events.js';
import { type LiveEvent, LiveEventStream } from './live-event-stream.js';

/** Turns committed evaluations (in the process that evaluated) into live events: the change, and each step. */
@Injectable()
export class LiveEventsPublisher {
  constructor(private readonly stream: LiveEventStream) {}

  @OnEvent(TICKET_CLOCKS_CHANGED, { async: true, promisify: true })
  async onClocksChanged(changes: TicketsClocksChanged): Promise<void> {
    const at = new Date().toISOString();
    await this.stream.publish(changes.flatMap((change) => eventsOf(change, at)));
  }
}

/** The change, and each step it recorded or withdrew. */
function eventsOf(change: TicketClocksChanged, at: string): LiveEvent[] {
  const ticket = {
    ticketId: change.ticketId,
    integrationId: change.integrationId,
    externalId: change.externalId,
    tier: change.tier,
    priority: change.priority,
    assigneeId: change.assigneeId,
    at,
  };
  const events: LiveEvent[] = [{ type: 'clock.changed', ...ticket, clockVersion: change.clockVersion }];
  for (const step of change.steps) {
    if (step.status === 'skipped') continue;
    const detail = {
      stepId: step.id,
      metric: step.metric,
      cycle: step.cycle,
      step: step.step,
      late: step.late,
    };
    events.push({
      ...ticket,
      ...detail,
      type: step.status === 'withdrawn' ? 'breach.withdrawn' : (`step.${step.kind}` as LiveEvent['type']),
    });
  }
  return events;
}
