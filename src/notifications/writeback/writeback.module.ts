import { Module } from '@nestjs/common';
import { IntegrationSettingsModule } from '../../integrations/integration-settings.module.js';
import { NotificationsCoreModule } from '../notifications-core.module.js';
import { WriteBackDispatcher } from './writeback-dispatcher.js';
import { WriteBackPlanner } from './writeback-planner.js';
import { WriteBackSender } from './writeback-sender.js';

/** Write-back to the helpdesk (worker role): the sender of `helpdesk` channels and the planning of "met". */
@Module({
  imports: [IntegrationSettingsModule, NotificationsCoreModule],
  providers: [WriteBackSender, WriteBackPlanner, WriteBackDispatcher],
  exports: [WriteBackSender, WriteBackPlanner],
})
export class WriteBackModule {}
