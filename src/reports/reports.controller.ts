import { Roles } from '../auth/roles.js';
import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { ApiZodResponse } from '../common/openapi.js';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import {
  type ComplianceQuery,
  complianceQuerySchema,
  complianceReportSchema,
  type DrillDownQuery,
  drillDownQuerySchema,
  type TrendQuery,
  trendQuerySchema,
} from './reports.schemas.js';
import { complianceCsv, ReportsService } from './reports.service.js';

/** Compliance reports for managers: JSON, or CSV by `Accept: text/csv` or `?format=csv`. */
@ApiTags('reports')
@Roles('manager')
@Controller('reports/compliance')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get()
  @ApiOperation({
    summary:
      '% within SLA, counts and median/p90 durations, grouped by metric, tier, priority, … and day/week/month',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiZodResponse(200, complianceReportSchema, { errors: [400] })
  async compliance(
    @Query(new ZodValidationPipe(complianceQuerySchema)) query: ComplianceQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const report = await this.reports.compliance(query);
    return wantsCsv(query.format, accept) ? csv(reply, complianceCsv(report), 'compliance') : report;
  }

  @Get('trend')
  @ApiOperation({
    summary: 'The compliance measure as a time series (one point per metric and interval), for charts',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiZodResponse(200, complianceReportSchema, { errors: [400] })
  async trend(
    @Query(new ZodValidationPipe(trendQuerySchema)) query: TrendQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const report = await this.reports.trend(query);
    return wantsCsv(query.format, accept) ? csv(reply, complianceCsv(report), 'compliance-trend') : report;
  }

  @Get('clocks')
  @ApiOperation({
    summary: 'The clocks behind a report row (its drillDown link): ticket, outcome, when it counted',
  })
  @ApiZodResponse(200, z.array(z.record(z.string(), z.unknown())), { errors: [400] })
  clocks(@Query(new ZodValidationPipe(drillDownQuerySchema)) query: DrillDownQuery): Promise<unknown> {
    return this.reports.drillDown(query);
  }
}

function wantsCsv(format: 'json' | 'csv' | undefined, accept: string | undefined): boolean {
  return format === 'csv' || (format === undefined && /\btext\/csv\b/.test(accept ?? ''));
}

function csv(reply: FastifyReply, body: string, name: string): string {
  void reply.header('content-type', 'text/csv; charset=utf-8');
  void reply.header('content-disposition', `attachment; filename="${name}.csv"`);
  return body;
}
