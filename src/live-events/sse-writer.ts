import type { ServerResponse } from 'node:http';

/** At most one write per client this often: 1,000 clients × 100 events/s would otherwise be 100,000 writes/s. */
export const SSE_FLUSH_MS = 40;
/** A client this far behind (its socket not draining) is closed; it reconnects with Last-Event-ID and catches up. */
export const SSE_MAX_BUFFERED_BYTES = 1 << 20;

/**
 * Writes one SSE client's frames, coalesced: a frame goes out at once when the client had nothing for
 * SSE_FLUSH_MS, otherwise with the others at the end of that interval. Latency stays under the interval while the
 * number of socket writes, the cost that grows with clients × events, is bounded.
 */
export class SseWriter {
  private pending = '';
  /** Cancels the scheduled flush; null when none is scheduled. */
  private cancel: (() => void) | null = null;
  private lastFlush = 0;
  private closed = false;

  constructor(private readonly raw: ServerResponse) {}

  write(frame: string): void {
    if (this.closed) return;
    this.pending += frame;
    if (this.cancel !== null) return;
    const wait = this.lastFlush + SSE_FLUSH_MS - Date.now();
    const flush = () => this.flush();
    if (wait > 0) {
      const timer = setTimeout(flush, wait);
      this.cancel = () => clearTimeout(timer);
    } else {
      // Frames handed over in the same turn (one XREAD batch) still leave in one write.
      const immediate = setImmediate(flush);
      this.cancel = () => clearImmediate(immediate);
    }
  }

  close(): void {
    this.closed = true;
    this.pending = '';
    this.cancel?.();
    this.cancel = null;
  }

  private flush(): void {
    this.cancel = null;
    if (this.closed || this.pending === '') return;
    if (this.raw.writableLength > SSE_MAX_BUFFERED_BYTES) {
      this.close();
      this.raw.destroy();
      return;
    }
    this.raw.write(this.pending);
    this.pending = '';
    this.lastFlush = Date.now();
  }
}
