import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { toCalendarDefinition } from '../calendars/calendars.service.js';
import { compileCalendar } from '../engine/calendar/index.js';
import { ALWAYS_OPEN_CALENDAR_ID, type BusinessCalendar } from '../engine/types.js';

interface VersionRow {
  calendar_id: string;
  version: number;
  time_zone: string;
  always_open: boolean;
  weekly: unknown;
  holidays: unknown;
}

/**
 * "Wait for the recipient's working hours": the next business instant of a calendar (its current version),
 * compiled once per version by the engine. An unknown calendar does not hold a notice back (it is logged).
 */
@Injectable()
export class WorkingHours {
  private readonly logger = new Logger(WorkingHours.name);
  private readonly compiled = new Map<string, { version: number; calendar: BusinessCalendar }>();

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** `at` itself inside working time, else the calendar's next opening; null: send at `at`. */
  async nextWorkingInstant(calendarId: string, at: number): Promise<number | null> {
    if (calendarId === ALWAYS_OPEN_CALENDAR_ID) return null;
    const [row] = (await this.db.query(
      `SELECT calendar_id, version, time_zone, always_open, weekly, holidays FROM calendar_versions
       WHERE calendar_id = $1 AND valid_to IS NULL`,
      [calendarId],
    )) as VersionRow[];
    if (!row) {
      this.logger.warn(`working hours: calendar "${calendarId}" does not exist; sending without waiting`);
      return null;
    }
    let cached = this.compiled.get(calendarId);
    if (cached?.version !== row.version) {
      const definition = toCalendarDefinition({
        id: row.calendar_id,
        timeZone: row.time_zone,
        alwaysOpen: row.always_open,
        weekly: row.weekly as never,
        holidays: row.holidays as never,
      });
      cached = { version: row.version, calendar: compileCalendar(definition) };
      this.compiled.set(calendarId, cached);
    }
    const next = cached.calendar.nextWorkingInstant(at);
    return next === null || next <= at ? null : next;
  }
}
