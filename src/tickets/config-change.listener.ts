import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { Queue } from 'bullmq';
import {
  SLA_CONFIG_CHANGED,
  type SlaConfigChangedEvent,
} from '../policies/config-core/config-changed.event.js';
import { EvaluationConfigService } from '../policies/evaluation-config.service.js';
import { ReevaluateJob, reevaluateJobId, TicketsQueue } from './reevaluation.queue.js';

/**
 * SEMANTICS 9: a calendar, holiday or policy edit re-evaluates open clocks. The config commit
 * happens in whichever process served the admin request; this listener turns it into one durable
 * scan job per configuration revision (deterministic id: repeated events enqueue it once).
 */
@Injectable()
export class ConfigChangeListener {
  private readonly logger = new Logger(ConfigChangeListener.name);

  constructor(
    @InjectQueue(TicketsQueue.Reevaluate) private readonly queue: Queue,
    private readonly evaluationConfig: EvaluationConfigService,
  ) {}

  @OnEvent(SLA_CONFIG_CHANGED, { async: true, promisify: true })
  async onConfigChanged(payload?: Partial<SlaConfigChangedEvent>): Promise<void> {
    try {
      const revision = payload?.revision ?? (await this.evaluationConfig.load()).revision;
      await this.queue.add(
        ReevaluateJob.Scan,
        { revision },
        {
          jobId: reevaluateJobId(ReevaluateJob.Scan, revision),
          removeOnComplete: { age: 3600 },
          removeOnFail: { age: 7 * 24 * 3600 },
          attempts: 5,
          backoff: { type: 'exponential', delay: 1000 },
        },
      );
    } catch (error) {
      // The config is committed either way; affected tickets pick it up at their next event.
      this.logger.error(`Could not enqueue re-evaluation: ${(error as Error).message}`);
    }
  }
}
