import { Controller, Get, Inject } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  type HealthIndicatorResult,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { redisConnectionOptions } from '../common/redis-connection.js';
import { AccessFrom, Public } from '../auth/roles.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly redis: Redis;

  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicator: HealthIndicatorService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.redis = new Redis({
      ...redisConnectionOptions(config.REDIS_URL),
      lazyConnect: true,
      maxRetriesPerRequest: 1,
    });
  }

  /** Readiness: database and Redis reachable. Access per HEALTH_ACCESS. */
  @Get()
  @ApiOperation({ summary: 'PostgreSQL and Redis reachability: 200 when both are up, 503 otherwise' })
  @AccessFrom('HEALTH_ACCESS')
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.db.pingCheck('database', { timeout: 1500 }),
      () => this.pingRedis(),
    ]);
  }

  /** Liveness: the process answers. Always public; it reveals nothing. */
  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers (always public, checks nothing else)' })
  @Public()
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  private async pingRedis(): Promise<HealthIndicatorResult> {
    const redis = this.indicator.check('redis');
    try {
      await this.redis.ping();
      return redis.up();
    } catch (error) {
      return redis.down({ message: (error as Error).message });
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.redis.disconnect();
  }
}
