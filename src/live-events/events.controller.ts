import { Roles } from '../auth/roles.js';
import { Controller, Get, Headers, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { ZodValidationPipe } from '../common/zod-validation.pipe.js';
import { type AuthenticatedRequest, ForbiddenError } from '../auth/access.guard.js';
import {
  compareIds,
  eventTypesFor,
  LIVE_EVENT_TYPES,
  LiveEventStream,
  MANAGER_EVENT_TYPES,
  type StoredLiveEvent,
} from './live-event-stream.js';
import { LiveEventsHub } from './live-events.hub.js';
import { SseWriter } from './sse-writer.js';

const HEARTBEAT_MS = 15_000;

export const liveEventsQuerySchema = z
  .object({
    tier: z.string().min(1).max(64).optional(),
    assignee: z.string().min(1).max(255).optional(),
    integrationId: z.string().min(1).max(64).optional(),
    ticket: z.string().min(1).max(255).optional().describe("The helpdesk's ticket id (with integrationId)"),
    types: z
      .string()
      .transform((v) => v.split(','))
      .pipe(z.array(z.enum(LIVE_EVENT_TYPES)).min(1))
      .optional()
      .describe(`Comma-separated, of: ${LIVE_EVENT_TYPES.join(', ')}`),
  })
  .strict();
type LiveEventsQuery = z.infer<typeof liveEventsQuerySchema>;

const streamIdSchema = z.string().regex(/^\d{1,16}-\d{1,16}$/);

/**
 * Server-Sent Events of clock changes, warnings, breaches, escalations, withdrawals and acknowledgements, from any
 * worker, with heartbeats; a client that reconnects with Last-Event-ID gets what it missed within the retention
 * window, or a `reset` event when that is gone (reload, then listen).
 */
@ApiTags('events')
@Roles('agent')
@Controller('events')
export class EventsController {
  constructor(
    private readonly stream: LiveEventStream,
    private readonly hub: LiveEventsHub,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Live events (SSE): clock changes, warnings, breaches, withdrawals, acknowledgements',
    description:
      `Agents receive ${eventTypesFor('agent').join(', ')}; managers and admins also ` +
      `${[...MANAGER_EVENT_TYPES].join(' and ')}. Asking for a type the key's role does not receive is a 403.`,
  })
  @ApiProduces('text/event-stream')
  async events(
    @Query(new ZodValidationPipe(liveEventsQuerySchema)) query: LiveEventsQuery,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: AuthenticatedRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const role = request.principal?.role ?? 'agent';
    const allowed = eventTypesFor(role);
    const refused = (query.types ?? []).filter((t) => !allowed.includes(t));
    if (refused.length > 0) {
      throw new ForbiddenError(
        'insufficient_role',
        `${refused.join(', ')} events are for managers and admins; the key "${request.principal?.name ?? ''}" has the ${role} role. Leave out types to receive everything this role may see.`,
      );
    }
    const matches = filterFor({ ...query, types: query.types ?? allowed });
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write('retry: 2000\n\n');
    const writer = new SseWriter(raw);
    let lastSent = '0-0';
    const send = (event: StoredLiveEvent) => {
      if (compareIds(event.id, lastSent) <= 0 || !matches(event)) return;
      lastSent = event.id;
      writer.write(frameOf(event));
    };
    // Listen first, then replay: what arrives meanwhile is dropped by id if the replay already sent it.
    const buffered: StoredLiveEvent[] = [];
    let replaying = true;
    const unsubscribe = this.hub.subscribe((event) => (replaying ? buffered.push(event) : send(event)));
    const heartbeat = setInterval(() => writer.write(': heartbeat\n\n'), HEARTBEAT_MS);
    request.raw.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      writer.close();
    });
    if (lastEventId && streamIdSchema.safeParse(lastEventId).success) {
      lastSent = lastEventId;
      try {
        const { events, complete } = await this.stream.after(lastEventId);
        if (!complete)
          writer.write(
            `event: reset\ndata: {"reason":"events after ${lastEventId} are no longer retained"}\n\n`,
          );
        for (const event of events) send(event);
      } catch {
        writer.write('event: reset\ndata: {"reason":"missed events cannot be read now"}\n\n');
      }
    }
    replaying = false;
    for (const event of buffered) send(event);
  }
}

/** The SSE frame of an event, serialised once however many clients it goes to (the hub shares one object). */
const frames = new WeakMap<StoredLiveEvent, string>();
function frameOf(event: StoredLiveEvent): string {
  let frame = frames.get(event);
  if (frame === undefined) {
    const { id, type, ...data } = event;
    frame = `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    frames.set(event, frame);
  }
  return frame;
}

function filterFor(q: LiveEventsQuery): (event: StoredLiveEvent) => boolean {
  return (event) =>
    (!q.tier || event.tier === q.tier) &&
    (!q.assignee || event.assigneeId === q.assignee) &&
    (!q.integrationId || event.integrationId === q.integrationId) &&
    (!q.ticket || event.externalId === q.ticket) &&
    (!q.types || q.types.includes(event.type));
}
