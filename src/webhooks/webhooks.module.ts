import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IntegrationSettingsModule } from '../integrations/integration-settings.module.js';
import { DeliveriesController } from './deliveries.controller.js';
import { DeliveriesService } from './deliveries.service.js';
import { InboxDeliveryEntity } from './inbox-delivery.entity.js';
import { InboxWriter } from './inbox-writer.js';
import { IngestEnqueuer } from './ingest-enqueuer.js';
import { WebhookQueue } from './ingest-queue.js';
import { RejectionRecorder } from './rejection-recorder.js';
import { WebhookIngress } from './webhook-ingress.js';
import { WebhookRejectionEntity } from './webhook-rejection.entity.js';

/** API role: the webhook endpoint (durable inbox, group commit) and the inbox admin API. */
@Module({
  imports: [
    IntegrationSettingsModule,
    TypeOrmModule.forFeature([InboxDeliveryEntity, WebhookRejectionEntity]),
    BullModule.registerQueue({ name: WebhookQueue.Ingest }),
  ],
  controllers: [DeliveriesController],
  providers: [WebhookIngress, InboxWriter, IngestEnqueuer, RejectionRecorder, DeliveriesService],
})
export class WebhooksModule {}
