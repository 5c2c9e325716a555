import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { LiveEventStream, parse, type StoredLiveEvent } from './live-event-stream.js';

type Listener = (event: StoredLiveEvent) => void;

/**
 * One tail of the stream per API process, however many SSE clients it serves: a blocking XREAD on its own
 * connection, started with the first subscriber and stopped with the last. A Redis outage pauses it; it resumes
 * from the last id it saw, so connected clients miss nothing that the stream still holds.
 */
@Injectable()
export class LiveEventsHub implements OnModuleDestroy {
  private readonly logger = new Logger(LiveEventsHub.name);
  private readonly listeners = new Set<Listener>();
  private reader: Redis | null = null;
  private lastId = '$';
  private stopped = false;

  constructor(private readonly stream: LiveEventStream) {}

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (!this.reader) void this.tail();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopTail();
    };
  }

  private async tail(): Promise<void> {
    const reader = (this.reader = this.stream.duplicate());
    // From the newest entry now (not "$", which would count from when XREAD arrives): a client that replays up
    // to now and then listens misses nothing in between (it drops what it already has, by id).
    this.lastId = '0-0';
    try {
      const [newest] = await reader.xrevrange(this.stream.key, '+', '-', 'COUNT', 1);
      if (newest) this.lastId = newest[0];
    } catch {
      // Redis is away: the loop below waits for it, and then reads from the start of what is retained.
    }
    let failing = false;
    while (this.reader === reader && !this.stopped) {
      try {
        const result = (await reader.xread(
          'COUNT',
          500,
          'BLOCK',
          5000,
          'STREAMS',
          this.stream.key,
          this.lastId,
        )) as Array<[string, Array<[string, string[]]>]> | null;
        failing = false;
        for (const [, entries] of result ?? []) {
          for (const entry of entries) {
            this.lastId = entry[0];
            const event = parse(entry);
            for (const listener of this.listeners) listener(event);
          }
        }
      } catch (error) {
        if (this.reader !== reader) break;
        if (!failing) this.logger.warn(`Live events paused: ${(error as Error).message}`);
        failing = true;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    reader.disconnect();
  }

  private stopTail(): void {
    this.reader?.disconnect();
    this.reader = null;
  }

  onModuleDestroy(): void {
    this.stopped = true;
    this.stopTail();
  }
}
