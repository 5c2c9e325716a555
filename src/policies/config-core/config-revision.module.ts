import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConfigChangesService } from './config-changes.service.js';
import { ConfigRevisionEntity } from './config-revision.entity.js';

/** The configuration revision counter and the transactional write path shared by every admin module. */
@Module({
  imports: [TypeOrmModule.forFeature([ConfigRevisionEntity])],
  providers: [ConfigChangesService],
  exports: [ConfigChangesService],
})
export class ConfigRevisionModule {}
