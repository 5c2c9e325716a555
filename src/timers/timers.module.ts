import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { TicketsModule } from '../tickets/tickets.module.js';
import { DueSweeper } from './due-sweeper.js';
import { StepMetricsListener } from './step-metrics.listener.js';
import { TimerReconciler } from './timer-reconciler.js';
import { TimerScheduler } from './timer-scheduler.js';
import { TimerProcessor } from './timer.processor.js';
import { TimersQueue } from './timers.queue.js';

/**
 * Breach and warning timers (worker role): delayed jobs for steps within the horizon, placed when an evaluation
 * commits and by a reconciler that keeps Redis in step with PostgreSQL.
 */
@Module({
  imports: [TicketsModule, BullModule.registerQueue({ name: TimersQueue.Fire })],
  providers: [TimerScheduler, DueSweeper, TimerProcessor, TimerReconciler, StepMetricsListener],
  exports: [TimerScheduler, TimerReconciler],
})
export class TimersModule {}
