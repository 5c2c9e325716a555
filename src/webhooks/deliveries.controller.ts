import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiZodResponse } from '../common/openapi.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { DeliveriesService, type DeliveryView, deliveryViewSchema } from './deliveries.service.js';
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
@ApiTags('webhooks')
@Roles('admin')
@Controller('webhooks/deliveries')
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Get()
  @ApiOperation({
    summary:
      'The webhook inbox, newest first: dead letters with their error, filtered by status and integration',
  })
  @ApiQuery({ name: 'status', required: false, enum: DELIVERY_STATUSES })
  @ApiQuery({ name: 'integrationId', required: false, type: String })
  @ApiQuery({ name: 'before', required: false, type: String, description: 'Next page: ids below this one' })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1–500, default 100' })
  @ApiZodResponse(200, z.array(deliveryViewSchema), { errors: [400] })
  list(
    @Query(new ZodValidationPipe(listQuerySchema)) query: z.infer<typeof listQuerySchema>,
  ): Promise<DeliveryView[]> {
    return this.deliveries.list(query);
  }

  @Post(':id/retry')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Process a failed or dead delivery again, e.g. after a mapping fix (409 for other statuses)',
  })
  @ApiZodResponse(202, deliveryViewSchema, { description: 'Queued again', errors: [404, 409] })
  retry(@Param('id') id: string): Promise<DeliveryView> {
    return this.deliveries.retry(id);
  }
}
