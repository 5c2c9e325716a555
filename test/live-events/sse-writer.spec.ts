import type { ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SSE_FLUSH_MS, SSE_MAX_BUFFERED_BYTES, SseWriter } from '../../src/live-events/sse-writer.js';

/** The part of a response the writer uses, recording each socket write. */
function response() {
  const writes: string[] = [];
  const raw = {
    writableLength: 0,
    destroyed: false,
    write: (chunk: string) => writes.push(chunk) > 0,
    destroy: () => void (raw.destroyed = true),
  };
  return { raw, writes, writer: new SseWriter(raw as unknown as ServerResponse) };
}

describe('SseWriter', () => {
  beforeEach(() =>
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'Date'] }),
  );
  afterEach(() => vi.useRealTimers());

  it('sends the frames of one turn in one write, at once after a quiet spell', async () => {
    const { writes, writer } = response();
    writer.write('a\n\n');
    writer.write('b\n\n');
    expect(writes).toEqual([]);
    await vi.advanceTimersByTimeAsync(0);
    expect(writes).toEqual(['a\n\nb\n\n']);
  });

  it('holds frames that follow a write closely and sends them together at the end of the interval', async () => {
    const { writes, writer } = response();
    writer.write('a\n\n');
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(5);
    writer.write('b\n\n');
    await vi.advanceTimersByTimeAsync(10);
    writer.write('c\n\n');
    await vi.advanceTimersByTimeAsync(SSE_FLUSH_MS - 16);
    expect(writes).toEqual(['a\n\n']);
    await vi.advanceTimersByTimeAsync(1);
    expect(writes).toEqual(['a\n\n', 'b\n\nc\n\n']);
    // Quiet again: the next frame goes at once.
    await vi.advanceTimersByTimeAsync(SSE_FLUSH_MS);
    writer.write('d\n\n');
    await vi.advanceTimersByTimeAsync(0);
    expect(writes.at(-1)).toBe('d\n\n');
  });

  it('writes nothing after close', async () => {
    const { writes, writer } = response();
    writer.write('a\n\n');
    writer.close();
    writer.write('b\n\n');
    await vi.advanceTimersByTimeAsync(SSE_FLUSH_MS * 2);
    expect(writes).toEqual([]);
  });

  it('closes a client whose socket stopped draining instead of buffering without end', async () => {
    const { raw, writes, writer } = response();
    raw.writableLength = SSE_MAX_BUFFERED_BYTES + 1;
    writer.write('a\n\n');
    await vi.advanceTimersByTimeAsync(0);
    expect(writes).toEqual([]);
    expect(raw.destroyed).toBe(true);
  });
});
