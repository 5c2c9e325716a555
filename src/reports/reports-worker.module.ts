import { Module } from '@nestjs/common';
import { ReportRollupService } from './report-rollup.service.js';

/** Keeps the compliance reports' daily rollups fresh (worker role). */
@Module({ providers: [ReportRollupService], exports: [ReportRollupService] })
export class ReportsWorkerModule {}
