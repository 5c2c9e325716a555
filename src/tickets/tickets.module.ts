import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EvaluationConfigModule } from '../policies/evaluation-config.module.js';
import { ConfigChangeListener } from './config-change.listener.js';
import { TicketClockEntity } from './entities/ticket-clock.entity.js';
import { TicketEventEntity } from './entities/ticket-event.entity.js';
import { EvaluationWriter } from './evaluation-writer.js';
import { TicketEntity } from './entities/ticket.entity.js';
import { TicketsQueue } from './reevaluation.queue.js';
import { TicketIngestService } from './ticket-ingest.service.js';
import { StepRecorder } from './step-recorder.js';
import { TicketStore } from './ticket-store.js';

/**
 * Ticket timelines and their clocks: the write path every role needs (the webhook ingest worker
 * calls TicketIngestService). The HTTP API is TicketsApiModule; the processors TicketsWorkerModule.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([TicketEntity, TicketEventEntity, TicketClockEntity]),
    BullModule.registerQueue({ name: TicketsQueue.Reevaluate }),
    EvaluationConfigModule,
  ],
  providers: [TicketStore, StepRecorder, EvaluationWriter, TicketIngestService, ConfigChangeListener],
  exports: [TicketIngestService, TypeOrmModule, BullModule, EvaluationConfigModule],
})
export class TicketsModule {}
