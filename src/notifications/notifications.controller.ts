import { Roles } from '../auth/roles.js';
import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiZodResponse } from '../common/openapi.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import {
  type ListNotificationsQuery,
  listNotificationsQuerySchema,
  notificationSchema,
  type NotificationView,
} from './notifications.schemas.js';
import { NotificationsService } from './notifications.service.js';

/** Deliveries of warnings, breaches and withdrawals. For admins and managers (the guard goes here with auth). */
@ApiTags('notifications')
@Roles('admin')
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @ApiOperation({ summary: 'Deliveries, newest first: filter by status, channel and step' })
  @ApiZodResponse(200, z.array(notificationSchema), { errors: [400] })
  list(
    @Query(new ZodValidationPipe(listNotificationsQuerySchema)) query: ListNotificationsQuery,
  ): Promise<NotificationView[]> {
    return this.notifications.list(query);
  }

  @Post(':id/retry')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a failed delivery again (409 unless it failed), with the same idempotency key',
  })
  @ApiZodResponse(202, notificationSchema, { errors: [404, 409] })
  retry(@Param('id') id: string): Promise<NotificationView> {
    return this.notifications.retry(id);
  }
}
