// The API as the dashboard uses it: the key from session storage as a Bearer token, JSON errors as ApiError, and
// the live events read with fetch (EventSource cannot send an Authorization header, and a key in a URL ends up in
// logs and history).

const KEY = 'sla-tracker.key';

export const session = {
  get key() {
    return sessionStorage.getItem(KEY);
  },
  set(key) {
    sessionStorage.setItem(KEY, key);
  },
  clear() {
    sessionStorage.removeItem(KEY);
  },
};

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `The server answered ${status}.`);
    this.status = status;
    this.code = body?.error ?? 'http_' + status;
  }
}

/** Listeners for a refused key (401): the app signs out and says why. */
const refusedListeners = new Set();
export function onKeyRefused(listener) {
  refusedListeners.add(listener);
}

export async function api(path, { method = 'GET', body, key = session.key } = {}) {
  const headers = { accept: 'application/json', authorization: `Bearer ${key}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let data;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const error = new ApiError(res.status, data);
    if (res.status === 401) for (const listener of refusedListeners) listener(error);
    throw error;
  }
  return data;
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/**
 * Reads GET /events as Server-Sent Events over fetch, with the key in the Authorization header, reconnecting with
 * Last-Event-ID so nothing is missed; `onEvent(type, data)` per event, `onState('live' | 'reconnecting' | 'off')`.
 * Returns a function that stops it.
 */
export function liveEvents({ onEvent, onState }) {
  const controller = new AbortController();
  let lastId = null;
  let retryMs = 2000;
  const run = async () => {
    while (!controller.signal.aborted) {
      try {
        const headers = { accept: 'text/event-stream', authorization: `Bearer ${session.key}` };
        if (lastId) headers['last-event-id'] = lastId;
        const res = await fetch('/events', { headers, signal: controller.signal, cache: 'no-store' });
        if (res.status === 401 || res.status === 403) {
          onState('off');
          return;
        }
        if (!res.ok || !res.body) throw new Error(`GET /events answered ${res.status}`);
        onState('live');
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value.replaceAll('\r\n', '\n');
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let type = 'message';
            let data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) continue;
              const colon = line.indexOf(':');
              const field = colon < 0 ? line : line.slice(0, colon);
              const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
              if (field === 'id') lastId = val;
              else if (field === 'event') type = val;
              else if (field === 'data') data += data ? `\n${val}` : val;
              else if (field === 'retry' && /^\d+$/.test(val)) retryMs = Number(val);
            }
            if (!data) continue;
            try {
              onEvent(type, JSON.parse(data));
            } catch {
              // A listener's failure must not stop the stream.
            }
          }
        }
      } catch {
        if (controller.signal.aborted) return;
      }
      onState('reconnecting');
      await new Promise((r) => setTimeout(r, retryMs));
    }
  };
  void run();
  return () => controller.abort();
}
