import { z } from 'zod';
import { instantSchema } from '../common/openapi.js';
import type { IsoWeekday } from '../engine/types.js';
import { configIdSchema } from '../policies/config-core/config-id.schema.js';

// Shape only: the meaning (known zone, valid times, no overlaps, some working time) is checked by the engine's
// validateCalendarDefinition, which reports every problem as a sentence.

const localTime = z
  .string()
  .max(8)
  .describe('Local wall-clock time "HH:mm" or "HH:mm:ss"; "24:00" allowed as an end');

/** Typed as the engine's IsoWeekday: the range check makes the cast true. */
const isoWeekday = z
  .int()
  .min(1)
  .max(7)
  .describe('ISO weekday: 1 = Monday … 7 = Sunday') as unknown as z.ZodType<IsoWeekday>;

const timeRange = z.strictObject({ start: localTime, end: localTime });

const weeklyInterval = z.strictObject({
  day: isoWeekday,
  start: localTime,
  end: localTime.describe('An end earlier than the start crosses midnight (22:00–06:00)'),
});

const holiday = z.strictObject({
  date: z
    .string()
    .max(10)
    .describe('"YYYY-MM-DD" (one-off) or "MM-DD" (every year), local to the calendar\'s zone'),
  name: z.string().max(200).optional(),
  intervals: z
    .array(timeRange)
    .max(48)
    .optional()
    .describe(
      'Absent or empty: closed all day. Otherwise the working intervals of that day (part-day holiday)',
    ),
});

export const calendarBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  timeZone: z.string().min(1).max(64).describe('IANA zone, e.g. "Europe/Berlin"'),
  alwaysOpen: z.boolean().default(false).describe('24/7: weekly and holidays are ignored'),
  weekly: z.array(weeklyInterval).max(200).default([]),
  holidays: z.array(holiday).max(5000).default([]),
});

export const createCalendarSchema = calendarBodySchema.extend({
  id: configIdSchema.optional().describe('A slug; a UUID is generated when absent'),
});

export const importHolidaysSchema = z
  .strictObject({
    country: z.string().trim().min(2).max(3).describe('ISO 3166-1 country code, e.g. "DE"'),
    state: z
      .string()
      .trim()
      .min(1)
      .max(10)
      .optional()
      .describe('First-level subdivision, e.g. "BY" (Bavaria)'),
    region: z
      .string()
      .trim()
      .min(1)
      .max(10)
      .optional()
      .describe(
        'Region of the state; without `state` it is taken as the state (e.g. { country: "DE", region: "BY" })',
      ),
    types: z
      .array(z.enum(['public', 'bank', 'school', 'optional', 'observance']))
      .min(1)
      .optional()
      .describe('Kinds of holiday to import; default ["public"] (legal days off)'),
    fromYear: z.int().min(1970).max(2200),
    toYear: z.int().min(1970).max(2200),
  })
  .refine((b) => b.toYear >= b.fromYear, { message: 'toYear must not be before fromYear', path: ['toYear'] })
  .refine((b) => b.toYear - b.fromYear < 50, {
    message: 'import at most 50 years at once',
    path: ['toYear'],
  });

export const calendarSchema = z.object({
  id: z.string(),
  name: z.string(),
  timeZone: z.string(),
  alwaysOpen: z.boolean(),
  weekly: z.array(weeklyInterval),
  holidays: z.array(holiday),
  version: z
    .int()
    .describe('Current version: every change (PUT, holiday import) is a new one; stopped clocks keep theirs'),
  builtIn: z.boolean().describe('true for "24x7", the built-in around-the-clock calendar (read-only)'),
  createdAt: instantSchema,
  updatedAt: instantSchema,
});

export const calendarVersionSummarySchema = z.object({
  version: z.int(),
  name: z.string(),
  validFrom: instantSchema,
  validTo: instantSchema.nullable(),
});

export const calendarDetailSchema = calendarSchema.extend({
  versions: z.array(calendarVersionSummarySchema).describe('Every version, oldest first'),
});

export const holidayImportResultSchema = z.object({
  added: z.int().describe('Imported holidays that were new'),
  skipped: z
    .int()
    .describe('Imported holidays whose date the calendar already had (the existing entry is kept)'),
  calendar: calendarSchema,
});

export type CalendarBody = z.infer<typeof calendarBodySchema>;
export type CreateCalendarBody = z.infer<typeof createCalendarSchema>;
export type ImportHolidaysBody = z.infer<typeof importHolidaysSchema>;
export type CalendarDto = z.infer<typeof calendarSchema>;
export type CalendarVersionSummary = z.infer<typeof calendarVersionSummarySchema>;
export type CalendarDetailDto = z.infer<typeof calendarDetailSchema>;
export type HolidayImportResult = z.infer<typeof holidayImportResultSchema>;
