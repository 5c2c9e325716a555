import { Module } from '@nestjs/common';
import { AuditLogModule } from './audit-log.module.js';
import { AuditController } from './audit.controller.js';

/** GET /audit (API role). */
@Module({
  imports: [AuditLogModule],
  controllers: [AuditController],
})
export class AuditModule {}
