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
    help: 'Time to re-evaluate one ticket (load timeline, evaluate, store clocks)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'sla_' });
  }
}
