import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { ApiZodBody, ApiZodResponse } from '../common/openapi.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import {
  type CreateCustomerBody,
  createCustomerSchema,
  type CustomerBody,
  customerBodySchema,
  type CustomerDto,
  customerIdSchema,
  type CustomerListQuery,
  customerListQuerySchema,
  type CustomerQuery,
  customerQuerySchema,
  customerSchema,
} from './customers.schemas.js';
import { CustomersService } from './customers.service.js';
import { type Actor, CurrentActor } from '../auth/actor.js';
import { Roles } from '../auth/roles.js';

/** Customer → tier mappings. Admin configuration. */
@ApiTags('customers')
@Roles('admin')
@Controller('customers')
export class CustomersController {
  constructor(private readonly customers: CustomersService) {}

  @Post()
  @ApiOperation({
    summary: 'Map a customer to a tier (409 if that customer/integration pair is mapped already)',
  })
  @ApiZodBody(createCustomerSchema)
  @ApiZodResponse(201, customerSchema, { description: 'Created', errors: [400, 409, 422] })
  create(
    @Body(new ZodValidationPipe(createCustomerSchema)) body: CreateCustomerBody,
    @CurrentActor() actor: Actor,
  ): Promise<CustomerDto> {
    return this.customers.create(body, actor);
  }

  @Get()
  @ApiOperation({ summary: 'List customer mappings' })
  @ApiQuery({ name: 'integrationId', required: false, type: String })
  @ApiQuery({ name: 'tier', required: false, type: String })
  @ApiZodResponse(200, z.array(customerSchema), { errors: [400] })
  list(
    @Query(new ZodValidationPipe(customerListQuerySchema)) query: CustomerListQuery,
  ): Promise<CustomerDto[]> {
    return this.customers.list(query);
  }

  @Get(':id')
  @ApiOperation({
    summary: "One customer's mapping: the global one, or with ?integrationId= that integration's",
  })
  @ApiQuery({ name: 'integrationId', required: false, type: String })
  @ApiZodResponse(200, customerSchema, { errors: [404] })
  get(
    @Param('id') id: string,
    @Query(new ZodValidationPipe(customerQuerySchema)) query: CustomerQuery,
  ): Promise<CustomerDto> {
    return this.customers.get(id, query.integrationId);
  }

  @Put(':id')
  @ApiOperation({
    summary:
      'Create or replace the mapping of this customer for body.integrationId (absent: all integrations)',
  })
  @ApiZodBody(customerBodySchema)
  @ApiZodResponse(200, customerSchema, { description: 'Replaced (or unchanged)', errors: [400, 422] })
  @ApiZodResponse(201, customerSchema, { description: 'Created' })
  async put(
    @Param('id', new ZodValidationPipe(customerIdSchema)) id: string,
    @Body(new ZodValidationPipe(customerBodySchema)) body: CustomerBody,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
  ): Promise<CustomerDto> {
    const { customer, created } = await this.customers.put(id, body, actor);
    if (created) void reply.status(201);
    return customer;
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: "Remove one customer's mapping: the global one, or with ?integrationId= that integration's",
  })
  @ApiQuery({ name: 'integrationId', required: false, type: String })
  @ApiZodResponse(204, z.null(), { description: 'Deleted', errors: [400, 404] })
  async remove(
    @Param('id') id: string,
    @Query(new ZodValidationPipe(customerQuerySchema)) query: CustomerQuery,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.customers.remove(id, query.integrationId, actor);
  }
}
