/** Small, defensive accessors for untrusted JSON payloads. Pure. */

export type JsonObject = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a dotted path ("a.b.c") through nested objects; undefined when any step is missing. */
export function getPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const key of path.split('.')) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** A non-empty trimmed string (numbers are stringified); undefined for anything else. */
export function asString(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  return undefined;
}

/** An id-like value: like asString, but ids that helpdesks use for "nobody" ("0", "-", "null") are dropped. */
export function asId(value: unknown): string | undefined {
  const s = asString(value);
  if (s === undefined || s === '0' || s === '-' || s.toLowerCase() === 'null') return undefined;
  return s;
}

/** true/false from booleans, "true"/"false"/"yes"/"no"/"1"/"0" (any case) and 1/0. */
export function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : undefined;
  if (typeof value === 'string') {
    const s = value.trim().toLowerCase();
    if (s === 'true' || s === 'yes' || s === '1') return true;
    if (s === 'false' || s === 'no' || s === '0') return false;
  }
  return undefined;
}

/**
 * A list of strings from an array (strings, numbers, or objects with a `name`) or from a string separated by
 * commas and/or whitespace (template placeholders such as Zendesk's {{ticket.tags}} render that way).
 */
export function asStringList(value: unknown): string[] | undefined {
  if (Array.isArray(value)) {
    const out: string[] = [];
    for (const item of value) {
      const s = asString(item) ?? (isRecord(item) ? asString(item['name']) : undefined);
      if (s !== undefined) out.push(s);
    }
    return out;
  }
  const s = asString(value);
  if (s === undefined) return undefined;
  return s.split(/[\s,]+/).filter((t) => t !== '');
}

/**
 * A delivery's body as JSON. A leading UTF-8 byte-order mark (some helpdesks and proxies on Windows send one) is
 * skipped; signatures are checked over the raw bytes, BOM included, before this. Throws SyntaxError.
 */
export function parseJsonBody(body: Buffer): unknown {
  const text = body.toString('utf8');
  return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
}
