import type { IncomingHttpHeaders } from 'node:http';

/** Credentials, cookies and proxy noise: never stored, whatever the provider. */
const NEVER = /(authorization|cookie|signature|secret|token|password|api-?key|^x-forwarded-|^x-real-ip$)/i;
const MAX_VALUE_LENGTH = 512;

/**
 * The headers worth keeping with a delivery: content type, user agent, and the provider's `x-*` headers
 * that identify or time it (webhook ids, event names, timestamps) — adapters may read them when normalising.
 * The integration's secret header is dropped by name.
 */
export function storableHeaders(
  headers: IncomingHttpHeaders,
  secretHeaderName?: string,
): Record<string, string> {
  const kept: Record<string, string> = {};
  // Node lower-cases incoming header names; the configured name may be written in any case.
  const secretHeader = secretHeaderName?.toLowerCase();
  for (const [name, raw] of Object.entries(headers)) {
    if (raw === undefined || name === secretHeader || NEVER.test(name)) continue;
    if (name !== 'content-type' && name !== 'user-agent' && !name.startsWith('x-')) continue;
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    kept[name] = value.slice(0, MAX_VALUE_LENGTH);
  }
  return kept;
}
