import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/** Ids of configuration (tiers, calendars, policies) appear in URLs and in other configuration: lower-case slugs. */
export const configIdSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,63}$/,
    'must be a slug: 1–64 of a-z, 0-9, "_" and "-", starting with a letter or digit',
  );

/** The id a POST without an id gets: a random UUID (which is also a valid slug). */
export function newConfigId(): string {
  return randomUUID();
}
