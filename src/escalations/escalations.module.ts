import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BreachesController } from './breaches.controller.js';
import { BreachesService } from './breaches.service.js';
import { SlaStepEntity } from './sla-step.entity.js';

/**
 * Warnings and breaches as records (sla_steps, written by the evaluation in the tickets module) and the managers'
 * API over them: GET /breaches and acknowledgements.
 */
@Module({
  imports: [TypeOrmModule.forFeature([SlaStepEntity])],
  controllers: [BreachesController],
  providers: [BreachesService],
})
export class EscalationsModule {}
