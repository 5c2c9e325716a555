/** What write-back does on one ticket: tags to add, tags to remove, and an internal note (plain text). */
export interface WriteBackAction {
  add: string[];
  remove: string[];
  note: string | null;
}

/** One call to the helpdesk's API: the JSON answer (null when empty), or a HelpdeskHttpError. */
export interface HelpdeskApi {
  call(method: string, path: string, body?: unknown, options?: { alsoOk?: number[] }): Promise<unknown>;
}

/** A non-2xx answer: its status, the provider's own message (secrets removed) and Retry-After in ms. */
export class HelpdeskHttpError extends Error {
  constructor(
    readonly status: number,
    readonly providerMessage: string,
    readonly retryAfterMs: number | null,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A provider's write-back through its public REST API (endpoints and auth: README "Write-back to the helpdesk").
 * `authorization` returns the headers every call carries; `apply` makes the calls for one action on one ticket.
 */
export interface HelpdeskWriter<A> {
  headers(auth: A): Record<string, string>;
  apply(api: HelpdeskApi, ticketId: string, action: WriteBackAction, auth: A): Promise<void>;
  /** Notes that the API takes as HTML. */
  html?: boolean;
}

/** The ticket id as one URL path segment. */
export function segment(id: string): string {
  return encodeURIComponent(id);
}

/** Plain text as the HTML some APIs take for notes: escaped, line breaks kept. */
export function asHtml(text: string): string {
  const escaped = text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
  return escaped
    .split('\n')
    .map((line) => `<p>${line}</p>`)
    .join('');
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}
