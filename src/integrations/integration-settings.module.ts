import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IntegrationEntity } from './integration.entity.js';
import { IntegrationSettingsService } from './integration-settings.service.js';
import { SecretBox } from './secret-box.js';

/** Read side of integrations (settings with usable credentials), for the webhook path, the worker and the CLI. */
@Module({
  imports: [TypeOrmModule.forFeature([IntegrationEntity])],
  providers: [IntegrationSettingsService, SecretBox],
  exports: [IntegrationSettingsService, SecretBox, TypeOrmModule],
})
export class IntegrationSettingsModule {}
