import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditLogModule } from '../audit/audit-log.module.js';
import { AccessGuard } from './access.guard.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysService } from './api-keys.service.js';

/** API keys and the global access guard (every role); the /apikeys routes only where the API is served. */
@Module({})
export class AuthModule {
  static register(options: { serveApi: boolean }): DynamicModule {
    return {
      module: AuthModule,
      imports: [TypeOrmModule.forFeature([ApiKeyEntity]), AuditLogModule],
      controllers: options.serveApi ? [ApiKeysController] : [],
      providers: [ApiKeysService, { provide: APP_GUARD, useClass: AccessGuard }],
      exports: [ApiKeysService],
    };
  }
}
