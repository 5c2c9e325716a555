import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IntegrationEntity } from './integration.entity.js';
import { IntegrationSettingsService } from './integration-settings.service.js';
import { SecretBox } from './secret-box.js';
import { SecretVerifier } from './secret-verifier.js';

/** Read side of integrations (settings with usable credentials), for the webhook path, the worker and the CLI. */
@Module({
  imports: [TypeOrmModule.forFeature([IntegrationEntity])],
  providers: [IntegrationSettingsService, SecretBox, SecretVerifier],
  exports: [IntegrationSettingsService, SecretBox, SecretVerifier, TypeOrmModule],
})
export class IntegrationSettingsModule {}
