import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { redisConnectionOptions } from '../common/redis-connection.js';
import { type Role, roleAllows } from '../auth/roles.js';

export const LIVE_EVENT_TYPES = [
  'clock.changed',
  'step.warning',
  'step.breach',
  'step.escalation',
  'breach.withdrawn',
  'breach.acknowledged',
] as const;
export type LiveEventType = (typeof LIVE_EVENT_TYPES)[number];

/**
 * Events for managers and admins only: escalations (who is escalated to, step by step) and acknowledgements (who took
 * a breach on) are the managers' workflow. Agents get what changes their queue: clock changes, warnings, breaches and
 * withdrawals; the ticket itself (GET /tickets/…) still shows its whole log.
 */
export const MANAGER_EVENT_TYPES: ReadonlySet<LiveEventType> = new Set([
  'step.escalation',
  'breach.acknowledged',
]);

/** The event types a role receives. */
export function eventTypesFor(role: Role): LiveEventType[] {
  return roleAllows(role, 'manager')
    ? [...LIVE_EVENT_TYPES]
    : LIVE_EVENT_TYPES.filter((t) => !MANAGER_EVENT_TYPES.has(t));
}

/** What a live event says; ids and the fields clients filter on, the rest they fetch. */
export interface LiveEvent {
  type: LiveEventType;
  ticketId: string;
  integrationId: string;
  externalId: string;
  tier: string | null;
  priority: string | null;
  assigneeId: string | null;
  at: string;
  [detail: string]: unknown;
}

export interface StoredLiveEvent extends LiveEvent {
  /** The Redis stream id: the SSE event id, and where a reconnecting client resumes (Last-Event-ID). */
  id: string;
}

/**
 * Appends each ARGV after the first (the cap) as its own stream entry: one command for a whole batch. As a pipeline
 * of XADDs, the client's work per command was 7 % of a timer burst's Node time (two events per ticket).
 */
const XADD_MANY = 'slaLiveEventsAdd';
const XADD_MANY_LUA = `for i = 2, #ARGV do redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'e', ARGV[i]) end
return #ARGV - 1`;
const XADD_CHUNK = 1000;
type XaddMany = (key: string, cap: string, ...events: string[]) => Promise<number>;

/**
 * Live events go through one Redis stream per deployment, so an event produced by any worker reaches the SSE
 * clients of every API process, and a client that reconnects with Last-Event-ID gets what it missed. The stream
 * is capped (LIVE_EVENTS_RETENTION, approximately): that is the reconnection window.
 */
@Injectable()
export class LiveEventStream implements OnModuleDestroy {
  private readonly logger = new Logger(LiveEventStream.name);
  readonly key: string;
  private readonly retention: number;
  private readonly redis: Redis;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.key = `{${config.QUEUE_PREFIX}}:live-events`;
    this.retention = config.LIVE_EVENTS_RETENTION;
    // Commands fail fast while Redis is away: live events are best effort, PostgreSQL has the truth.
    this.redis = new Redis({
      ...redisConnectionOptions(config.REDIS_URL),
      maxRetriesPerRequest: 1,
      lazyConnect: true,
    });
    this.redis.on('error', () => undefined);
    this.redis.defineCommand(XADD_MANY, { numberOfKeys: 1, lua: XADD_MANY_LUA });
  }

  /** A new connection for a blocking reader (XREAD BLOCK holds its connection). */
  duplicate(): Redis {
    const reader = new Redis({ ...redisConnectionOptions(this.config.REDIS_URL), lazyConnect: true });
    reader.on('error', () => undefined);
    return reader;
  }

  async publish(events: LiveEvent[]): Promise<void> {
    if (events.length === 0) return;
    try {
      const xaddMany = (this.redis as unknown as Record<string, XaddMany>)[XADD_MANY]!;
      // Chunks keep each script short: Redis runs nothing else while it runs.
      for (let i = 0; i < events.length; i += XADD_CHUNK) {
        const payloads = events.slice(i, i + XADD_CHUNK).map((e) => JSON.stringify(e));
        await xaddMany.call(this.redis, this.key, String(this.retention), ...payloads);
      }
    } catch (error) {
      this.logger.warn(`Could not publish ${events.length} live events: ${(error as Error).message}`);
    }
  }

  /** Events after `id` (exclusive), oldest first, and whether `id` is still within the retained window. */
  async after(id: string, count = 1000): Promise<{ events: StoredLiveEvent[]; complete: boolean }> {
    const [oldest] = await this.redis.xrange(this.key, '-', '+', 'COUNT', 1);
    const rows = await this.redis.xrange(this.key, `(${id}`, '+', 'COUNT', count);
    // Complete unless the cap trimmed entries past `id`: then the client must reload what it shows.
    const complete = oldest === undefined || compareIds(oldest[0], id) <= 0;
    return { events: rows.map(parse), complete };
  }

  async onModuleDestroy(): Promise<void> {
    this.redis.disconnect();
  }
}

export function parse([id, fields]: [string, string[]]): StoredLiveEvent {
  return { ...(JSON.parse(fields[1]) as LiveEvent), id };
}

/** Stream ids are "<ms>-<seq>". */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number);
  const [bm, bs] = b.split('-').map(Number);
  return am - bm || as - bs;
}
