import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IntegrationSettingsModule } from '../integrations/integration-settings.module.js';
import { TicketsModule } from '../tickets/tickets.module.js';
import { CLAIM_CHUNK, CLAIM_CHUNK_SIZE, DeliveryProcessor } from './delivery-processor.service.js';
import { DeliveryRetention } from './delivery-retention.js';
import { InboxDeliveryEntity } from './inbox-delivery.entity.js';
import { InboxMetrics } from './inbox-metrics.js';
import { InboxReconciler } from './inbox-reconciler.js';
import { DEFAULT_INBOX_TIMING, INBOX_TIMING } from './inbox-timing.js';
import { IngestEnqueuer } from './ingest-enqueuer.js';
import { WebhookQueue } from './ingest-queue.js';
import { IngestProcessor } from './ingest.processor.js';

/** Worker role: turns inbox rows into ticket events, retries, re-enqueues work Redis lost, prunes old bodies. */
@Module({
  imports: [
    IntegrationSettingsModule,
    TicketsModule,
    TypeOrmModule.forFeature([InboxDeliveryEntity]),
    BullModule.registerQueue({ name: WebhookQueue.Ingest }),
  ],
  providers: [
    { provide: INBOX_TIMING, useValue: DEFAULT_INBOX_TIMING },
    { provide: CLAIM_CHUNK_SIZE, useValue: CLAIM_CHUNK },
    DeliveryProcessor,
    IngestEnqueuer,
    IngestProcessor,
    InboxReconciler,
    InboxMetrics,
    DeliveryRetention,
  ],
  exports: [DeliveryProcessor],
})
export class WebhooksWorkerModule {}
