import { Module } from '@nestjs/common';
import { ReevaluationProcessor } from './reevaluation.processor.js';
import { TicketsModule } from './tickets.module.js';

/** Queue processors of the tickets module; loaded in the worker role only. */
@Module({
  imports: [TicketsModule],
  providers: [ReevaluationProcessor],
})
export class TicketsWorkerModule {}
