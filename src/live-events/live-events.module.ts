import { Module } from '@nestjs/common';
import { EventsController } from './events.controller.js';
import { LiveEventStream } from './live-event-stream.js';
import { LiveEventsHub } from './live-events.hub.js';
import { LiveEventsPublisher } from './live-events.publisher.js';

/** The stream of live events: published where clocks are evaluated, served as SSE at GET /events. */
@Module({ providers: [LiveEventStream], exports: [LiveEventStream] })
export class LiveEventStreamModule {}

/** API role: GET /events. */
@Module({ imports: [LiveEventStreamModule], controllers: [EventsController], providers: [LiveEventsHub] })
export class LiveEventsApiModule {}

/** Worker role: publishes what evaluations commit. */
@Module({ imports: [LiveEventStreamModule], providers: [LiveEventsPublisher] })
export class LiveEventsWorkerModule {}
