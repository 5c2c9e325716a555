import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { Brackets, type Repository } from 'typeorm';
import { ConflictError, DeliveryPrunedError, NotFoundError } from '../common/errors.js';
import { z } from 'zod';
import { DELIVERY_STATUSES, type DeliveryStatus, InboxDeliveryEntity } from './inbox-delivery.entity.js';
import { IngestEnqueuer } from './ingest-enqueuer.js';

export const deliveryViewSchema = z.object({
  id: z.string().describe('Inbox id; newer deliveries have larger ids'),
  integrationId: z.string(),
  deliveryKey: z
    .string()
    .describe("What duplicates are recognised by: the provider's delivery id, or a body hash"),
  receivedAt: z.string().meta({ format: 'date-time' }),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.int(),
  lastError: z.string().nullable().describe('Why the last attempt failed (dead letters say what to fix)'),
  processedAt: z.string().meta({ format: 'date-time' }).nullable(),
  bodyBytes: z.int(),
  prunedAt: z
    .string()
    .meta({ format: 'date-time' })
    .nullable()
    .describe('When retention removed the body and headers (DELIVERY_RETENTION_DAYS); null while kept'),
});
export type DeliveryView = z.infer<typeof deliveryViewSchema>;

export interface DeliveryQuery {
  status?: DeliveryStatus;
  integrationId?: string;
  /** Keyset paging: ids below this one (newest first). */
  before?: string;
  limit: number;
}

/** The inbox as operators see it: dead letters and their errors, and a way to run them again. */
@Injectable()
export class DeliveriesService {
  constructor(
    @InjectRepository(InboxDeliveryEntity) private readonly repo: Repository<InboxDeliveryEntity>,
    private readonly enqueuer: IngestEnqueuer,
  ) {}

  async list(query: DeliveryQuery): Promise<DeliveryView[]> {
    const qb = this.repo
      .createQueryBuilder('d')
      .select(['d.id', 'd.integrationId', 'd.deliveryKey', 'd.receivedAt', 'd.status', 'd.attempts'])
      .addSelect(['d.lastError', 'd.processedAt', 'd.prunedAt'])
      .addSelect('octet_length(d.body)', 'body_bytes')
      .orderBy('d.id', 'DESC')
      .limit(query.limit);
    qb.where(
      new Brackets((w) => {
        w.where('1 = 1');
        if (query.status) w.andWhere('d.status = :status', { status: query.status });
        if (query.integrationId)
          w.andWhere('d.integrationId = :integrationId', { integrationId: query.integrationId });
        if (query.before) w.andWhere('d.id < :before', { before: query.before });
      }),
    );
    const { entities, raw } = await qb.getRawAndEntities<{ body_bytes: number }>();
    return entities.map((e, i) => toView(e, Number(raw[i]?.body_bytes ?? 0)));
  }

  /**
   * Runs a failed or dead delivery again (e.g. after a mapping fix) with a fresh set of attempts.
   * Processed deliveries are not re-run here: use the replay CLI for that.
   */
  async retry(id: string): Promise<DeliveryView> {
    if (!/^\d{1,18}$/.test(id)) throw new NotFoundError('Delivery', id);
    const result = await this.repo
      .createQueryBuilder()
      .update()
      .set({ status: 'pending', attempts: 0, updatedAt: () => 'now()' })
      .where('id = :id AND status IN (:...statuses) AND pruned_at IS NULL', {
        id,
        statuses: ['failed', 'dead'],
      })
      .execute();
    if (!result.affected) {
      const existing = await this.repo.findOne({
        where: { id },
        select: { id: true, status: true, prunedAt: true },
      });
      if (!existing) throw new NotFoundError('Delivery', id);
      if (existing.prunedAt) throw new DeliveryPrunedError(id, existing.prunedAt);
      throw new ConflictError(
        `Delivery ${id} is ${existing.status}; only failed or dead deliveries can be retried.`,
      );
    }
    await this.enqueuer.enqueueDelivery(id, 0, 0, `m${randomBytes(4).toString('hex')}`);
    const updated = await this.repo.findOneByOrFail({ id });
    return toView(updated, updated.body.length);
  }
}

function toView(e: InboxDeliveryEntity, bodyBytes: number): DeliveryView {
  return {
    id: e.id,
    integrationId: e.integrationId,
    deliveryKey: e.deliveryKey,
    receivedAt: e.receivedAt.toISOString(),
    status: e.status,
    attempts: e.attempts,
    lastError: e.lastError,
    processedAt: e.processedAt?.toISOString() ?? null,
    bodyBytes,
    prunedAt: e.prunedAt?.toISOString() ?? null,
  };
}
