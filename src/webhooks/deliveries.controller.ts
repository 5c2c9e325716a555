import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { DeliveriesService, type DeliveryView } from './deliveries.service.js';
import { DELIVERY_STATUSES } from './inbox-delivery.entity.js';
import { Roles } from '../auth/roles.js';

const listQuerySchema = z
  .object({
    status: z.enum(DELIVERY_STATUSES).optional(),
    integrationId: z.string().min(1).max(64).optional(),
    before: z
      .string()
      .regex(/^\d{1,18}$/, 'a delivery id')
      .optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

/** Admin view of the webhook inbox (the delivery endpoint itself is WebhookIngress). */
@Roles('admin')
@Controller('webhooks/deliveries')
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Get()
  list(
    @Query(new ZodValidationPipe(listQuerySchema)) query: z.infer<typeof listQuerySchema>,
  ): Promise<DeliveryView[]> {
    return this.deliveries.list(query);
  }

  @Post(':id/retry')
  @HttpCode(202)
  retry(@Param('id') id: string): Promise<DeliveryView> {
    return this.deliveries.retry(id);
  }
}
