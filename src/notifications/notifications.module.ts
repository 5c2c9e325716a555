import { Module } from '@nestjs/common';
import { ChannelsController } from './channels.controller.js';
import { NotificationsCoreModule } from './notifications-core.module.js';
import { NotificationsController } from './notifications.controller.js';
import { NotificationsService } from './notifications.service.js';

/** The admin API of notifications (API role): /channels and /notifications. */
@Module({
  imports: [NotificationsCoreModule],
  controllers: [ChannelsController, NotificationsController],
  providers: [NotificationsService],
})
export class NotificationsModule {}
