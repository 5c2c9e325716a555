import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { BOARD_QUEUES } from './board-queues.js';
import { QueueBoard } from './queue-board.js';

/** The BullMQ board at /queues, for admins (API role). */
@Module({
  imports: BOARD_QUEUES.map((name) => BullModule.registerQueue({ name })),
  providers: [QueueBoard],
})
export class QueueBoardModule {}
