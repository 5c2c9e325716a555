import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Calendars become versioned like policies (SEMANTICS 9: an edit must not re-judge stopped clocks). Each existing
 * calendar gets version 1, in force from its creation: until now every clock was judged under the current
 * definition, so that is what the history says. Hand-written to match src/calendars/calendar-version.entity.ts.
 */
export class CalendarVersions1795400400000 implements MigrationInterface {
  name = 'CalendarVersions1795400400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "calendar_versions" (
        "calendar_id" varchar(64) NOT NULL,
        "version" integer NOT NULL,
        "name" varchar(200) NOT NULL,
        "time_zone" varchar(64) NOT NULL,
        "always_open" boolean NOT NULL,
        "weekly" jsonb NOT NULL,
        "holidays" jsonb NOT NULL,
        "valid_from" timestamptz NOT NULL,
        "valid_to" timestamptz,
        CONSTRAINT "pk_calendar_versions" PRIMARY KEY ("calendar_id", "version"),
        CONSTRAINT "ck_calendar_versions_valid_range" CHECK ("valid_to" IS NULL OR "valid_to" > "valid_from"),
        CONSTRAINT "fk_calendar_versions_calendar" FOREIGN KEY ("calendar_id") REFERENCES "calendars" ("id") ON DELETE RESTRICT
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_calendar_versions_current" ON "calendar_versions" ("calendar_id") WHERE "valid_to" IS NULL`,
    );
    // Milliseconds, as the service writes them (JavaScript dates hold no more).
    await q.query(`
      INSERT INTO "calendar_versions"
        ("calendar_id", "version", "name", "time_zone", "always_open", "weekly", "holidays", "valid_from", "valid_to")
      SELECT "id", 1, "name", "time_zone", "always_open", "weekly", "holidays",
             date_trunc('milliseconds', COALESCE("created_at", clock_timestamp())), NULL
      FROM "calendars"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "calendar_versions"`);
  }
}
