import { NotifyQueue } from '../notifications/notify.queue.js';
import { TicketsQueue } from '../tickets/reevaluation.queue.js';
import { TimersQueue } from '../timers/timers.queue.js';
import { WebhookQueue } from '../webhooks/ingest-queue.js';

/** Every BullMQ queue of the service, in one place for the board. */
export const BOARD_QUEUES = [
  WebhookQueue.Ingest,
  TimersQueue.Fire,
  NotifyQueue.Send,
  TicketsQueue.Reevaluate,
];
