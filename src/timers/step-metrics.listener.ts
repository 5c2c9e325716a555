import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { MetricsService } from '../metrics/metrics.service.js';
import { TICKET_CLOCKS_CHANGED, type TicketsClocksChanged } from '../tickets/tickets.events.js';

/** Counts recorded warnings, breaches and withdrawals, and how late the timers recorded them, for /metrics. */
@Injectable()
export class StepMetricsListener {
  constructor(private readonly metrics: MetricsService) {}

  @OnEvent(TICKET_CLOCKS_CHANGED)
  onClocksChanged(changes: TicketsClocksChanged): void {
    for (const step of changes.flatMap((c) => c.steps)) {
      this.metrics.stepsRecorded.inc({ kind: step.kind, status: step.status, late: String(step.late) });
      // Late steps (downtime, backfill) would swamp the timers' own figure: they have the counter above.
      if (step.status !== 'withdrawn' && !step.late)
        this.metrics.timerLateness.observe(step.latenessMs / 1000);
    }
  }
}
