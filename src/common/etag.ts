import { ValidationError } from './errors.js';

/** The ETag of a versioned resource (policies, calendars): its version number, quoted. */
export function versionTag(version: number): string {
  return `"${version}"`;
}

/** If-Match: the version the caller last read, as its ETag ("3" or W/"3") or a bare number; absent: no check. */
export function parseIfMatch(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(raw);
  if (!match) throw new ValidationError('If-Match must be the ETag of the version you read, e.g. "3".');
  return Number(match[1]);
}
