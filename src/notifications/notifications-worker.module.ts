import { Module } from '@nestjs/common';
import { DeliveryHygiene } from './delivery-hygiene.js';
import { EmailSender } from './email-sender.js';
import { NotificationDispatcher } from './notification-dispatcher.js';
import { NotificationReconciler } from './notification-reconciler.js';
import { NotificationSender } from './notification-sender.js';
import { NotificationsCoreModule } from './notifications-core.module.js';
import { NotifyProcessor } from './notify.processor.js';
import { WriteBackModule } from './writeback/writeback.module.js';

/**
 * Delivery of warnings, breaches and withdrawals (worker role, where evaluations run and emit
 * TICKET_CLOCKS_CHANGED): planned on that event, repaired by a reconciler, sent from the `notify` queue.
 */
@Module({
  imports: [NotificationsCoreModule, WriteBackModule],
  providers: [
    NotificationDispatcher,
    NotificationReconciler,
    NotificationSender,
    NotifyProcessor,
    EmailSender,
    DeliveryHygiene,
  ],
})
export class NotificationsWorkerModule {}
