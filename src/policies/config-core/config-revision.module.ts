import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditLogModule } from '../../audit/audit-log.module.js';
import { ConfigChangesService } from './config-changes.service.js';
import { ConfigRevisionEntity } from './config-revision.entity.js';

/** The configuration revision counter and the transactional write path (with its audit) shared by every admin module. */
@Module({
  imports: [TypeOrmModule.forFeature([ConfigRevisionEntity]), AuditLogModule],
  providers: [ConfigChangesService],
  exports: [ConfigChangesService],
})
export class ConfigRevisionModule {}
