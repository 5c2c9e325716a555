import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConfigRevisionModule } from '../policies/config-core/config-revision.module.js';
import { TierEntity } from './tier.entity.js';
import { TiersController } from './tiers.controller.js';
import { TiersService } from './tiers.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([TierEntity]), ConfigRevisionModule],
  controllers: [TiersController],
  providers: [TiersService],
  exports: [TiersService],
})
export class TiersModule {}
