/**
 * Provider timestamps → epoch milliseconds (UTC). Pure.
 *
 * Accepts: epoch seconds or milliseconds (numbers or digit strings; values below 1e11 are seconds), and ISO 8601
 * style strings with a `T` or space separator, optional seconds, any fraction precision (nanoseconds are truncated
 * to ms), and a zone of `Z`, `+hh:mm`, `+hhmm` (Jira: `2026-11-20T09:15:00.000-0330`), `+hh`, or ` +0000`. A string
 * without a zone is read as UTC.
 */

const EPOCH_SECONDS_LIMIT = 1e11; // 1e11 s is the year 5138; 1e11 ms is 1973.

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$/;

export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number') return fromEpoch(value);
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  if (s === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(s)) return fromEpoch(Number(s));
  const m = ISO_RE.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', zone] = m;
  const ms = Number((frac + '000').slice(0, 3));
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec), ms);
  if (!Number.isFinite(local)) return undefined;
  // Reject out-of-range fields (Date.UTC would silently roll "2026-02-31" over).
  const check = new Date(local);
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23)
    return undefined;
  return local - offsetMs(zone);
}

function fromEpoch(n: number): number | undefined {
  if (!Number.isFinite(n) || n < 0) return undefined;
  return Math.trunc(n < EPOCH_SECONDS_LIMIT ? n * 1000 : n);
}

function offsetMs(zone: string | undefined): number {
  if (zone === undefined || /^(z|utc)$/i.test(zone)) return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 60 + minutes) * 60_000;
}
