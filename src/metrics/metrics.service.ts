import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * The process's Prometheus registry and the service's own instruments. One registry per app instance
 * (not prom-client's global one), so several apps in one test process don't collide.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly webhookDeliveries = new Counter({
    name: 'sla_webhook_deliveries_total',
    help: 'Webhook deliveries by provider and outcome (accepted, duplicate, rejected_<code>)',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly ingestProcessed = new Counter({
    name: 'sla_ingest_deliveries_processed_total',
    help: 'Inbox deliveries processed by the ingest worker, by result (processed, retried, dead)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly evaluationSeconds = new Histogram({
    name: 'sla_ticket_evaluation_seconds',
    help: "Time to evaluate one ticket's timeline (the engine's part; loading and storing are batched)",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  readonly timerLateness = new Histogram({
    name: 'sla_timer_lateness_seconds',
    help: 'How long after its instant a warning or breach was recorded (timer-driven steps, not late ones)',
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60, 300],
    registers: [this.registry],
  });

  readonly stepsRecorded = new Counter({
    name: 'sla_steps_recorded_total',
    help: 'Warnings and breaches recorded, by kind and status (recorded, skipped, withdrawn) and whether late',
    labelNames: ['kind', 'status', 'late'] as const,
    registers: [this.registry],
  });

  readonly timerRepairs = new Counter({
    name: 'sla_timer_repairs_total',
    help: 'Overdue timers the reconciler placed again (lost from Redis, or their run failed)',
    registers: [this.registry],
  });

  readonly inboxRequeued = new Counter({
    name: 'sla_inbox_requeued_total',
    help: 'Inbox deliveries the reconciler queued again, by reason (stuck: job lost or stalled; orphan: claim left by a failed chunk)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'sla_' });
  }
}
