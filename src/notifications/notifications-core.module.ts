import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AuditLogModule } from '../audit/audit-log.module.js';
import { IntegrationSettingsModule } from '../integrations/integration-settings.module.js';
import { ChannelsService } from './channels.service.js';
import { NotificationMetrics } from './notification-metrics.js';
import { NotificationPlanner } from './notification-planner.js';
import { NotifyQueue } from './notify.queue.js';
import { WorkingHours } from './working-hours.js';

/** What both roles need: channels (sealed with SecretBox), planning and enqueueing deliveries, the metric. */
@Module({
  imports: [IntegrationSettingsModule, AuditLogModule, BullModule.registerQueue({ name: NotifyQueue.Send })],
  providers: [ChannelsService, NotificationPlanner, NotificationMetrics, WorkingHours],
  exports: [ChannelsService, NotificationPlanner],
})
export class NotificationsCoreModule {}
