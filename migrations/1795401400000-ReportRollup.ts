import type { MigrationInterface, QueryRunner } from 'typeorm';

/** When a decided (met or breached) clock counts in a report: a met clock when it stopped, a breach at its deadline. */
const COUNTED_AT = (c: string) =>
  `(CASE WHEN ${c}.state = 'met' THEN ${c}.stopped_at ELSE ${c}.deadline END)`;
const DECIDED = (c: string) => `${c}.state IN ('met', 'breached')`;
/** What a report sees of a clock row: a change to any of these can move it between days, groups or buckets. */
const SEEN = (c: string) =>
  `${c}.ticket_id, ${c}.metric, ${c}.cycle, ${c}.state, ${COUNTED_AT(c)} AS counted_at, ${c}.stopped_at, ` +
  `${c}.started_at, ${c}.used_ms`;
/** The rollup's local day of a decided clock. */
const DAY = (c: string) => `(${COUNTED_AT(c)} AT TIME ZONE s.time_zone)::date`;

/**
 * Daily rollups for compliance reports. `report_rollup` holds, per local day (in `report_rollup_settings.time_zone`)
 * and per metric, tier, priority, integration, assignee and group, the counts of met and breached clocks and the
 * histograms of their durations. `report_dirty_days` lists the days whose rollup is stale: statement-level triggers
 * append a day whenever a decided clock of that day is written, changes or goes, or its ticket's tier, priority,
 * assignee, group or removal changes. Reports read the clocks themselves for those days, and a periodic pass
 * rebuilds them. Append-only (no unique key), so that writers never wait on each other for a marker.
 */
export class ReportRollup1795401400000 implements MigrationInterface {
  name = 'ReportRollup1795401400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "report_rollup_settings" (
        "id" int PRIMARY KEY CHECK ("id" = 1),
        "time_zone" varchar(64) NOT NULL
      )`);
    await queryRunner.query(`INSERT INTO "report_rollup_settings" ("id", "time_zone") VALUES (1, 'UTC')`);
    await queryRunner.query(`
      CREATE TABLE "report_dirty_days" ("id" bigserial PRIMARY KEY, "day" date NOT NULL)`);
    await queryRunner.query(`CREATE INDEX "idx_report_dirty_days_day" ON "report_dirty_days" ("day")`);
    // kind 0: the counts (met, breached); kind 1: business-time histogram; kind 2: calendar-time histogram, one row
    // per bucket with the bucket's count and the smallest and largest duration in it (milliseconds).
    await queryRunner.query(`
      CREATE TABLE "report_rollup" (
        "day" date NOT NULL,
        "metric" varchar(32) NOT NULL,
        "tier" varchar(64),
        "priority" varchar(16),
        "integration_id" varchar(64) NOT NULL,
        "assignee_id" varchar(255),
        "group_id" varchar(255),
        "kind" smallint NOT NULL,
        "bucket" int NOT NULL,
        "n" int NOT NULL,
        "breached" int NOT NULL,
        "min_ms" float8,
        "max_ms" float8
      )`);
    await queryRunner.query(`CREATE INDEX "idx_report_rollup_day" ON "report_rollup" ("day")`);
    // The decided clocks by the instant they count at (rollup rebuilds and reports' partial days), and the clocks
    // still counting (reports' in-progress and overdue counts).
    await queryRunner.query(`
      CREATE INDEX "idx_ticket_clocks_counted_at" ON "ticket_clocks" (${COUNTED_AT('ticket_clocks')})
      WHERE ${DECIDED('ticket_clocks')}`);
    await queryRunner.query(`
      CREATE INDEX "idx_ticket_clocks_counting" ON "ticket_clocks" ("ticket_id")
      WHERE "state" IN ('running', 'paused')`);

    await queryRunner.query(`
      CREATE FUNCTION report_mark_clocks() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO report_dirty_days (day)
          SELECT DISTINCT ${DAY('n')} FROM new_clocks n, report_rollup_settings s WHERE ${DECIDED('n')};
        ELSIF TG_OP = 'DELETE' THEN
          INSERT INTO report_dirty_days (day)
          SELECT DISTINCT ${DAY('o')} FROM old_clocks o, report_rollup_settings s WHERE ${DECIDED('o')};
        ELSE
          -- Only the changes a report sees: most rewrites of a met clock change nothing it counts. A row is changed
          -- when what a report sees of it is not on the other side (EXCEPT: hashed, and NULLs compare equal), which
          -- spares joining the two transition tables: their row counts are unknown to the planner, and with
          -- seq scans off (ticket-store's keyed access) that join is a nested loop, quadratic in the batch.
          INSERT INTO report_dirty_days (day)
          SELECT DISTINCT (x.counted_at AT TIME ZONE s.time_zone)::date
          FROM (
            (SELECT ${SEEN('o')} FROM old_clocks o EXCEPT SELECT ${SEEN('n')} FROM new_clocks n)
            UNION ALL
            (SELECT ${SEEN('n')} FROM new_clocks n EXCEPT SELECT ${SEEN('o')} FROM old_clocks o)
          ) x
          CROSS JOIN report_rollup_settings s
          WHERE ${DECIDED('x')};
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE FUNCTION report_mark_tickets() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- The tickets whose grouping changed, by EXCEPT rather than a join of the transition tables (see above).
        INSERT INTO report_dirty_days (day)
        SELECT DISTINCT ${DAY('c')}
        FROM (
          SELECT id, tier, priority, assignee_id, group_id, removed FROM old_tickets
          EXCEPT SELECT id, tier, priority, assignee_id, group_id, removed FROM new_tickets
        ) changed
        JOIN ticket_clocks c ON c.ticket_id = changed.id AND ${DECIDED('c')}
        CROSS JOIN report_rollup_settings s;
        RETURN NULL;
      END $$`);
    // Transition tables allow one event per trigger.
    await queryRunner.query(`
      CREATE TRIGGER report_mark_clocks_insert AFTER INSERT ON ticket_clocks
      REFERENCING NEW TABLE AS new_clocks FOR EACH STATEMENT EXECUTE FUNCTION report_mark_clocks()`);
    await queryRunner.query(`
      CREATE TRIGGER report_mark_clocks_update AFTER UPDATE ON ticket_clocks
      REFERENCING OLD TABLE AS old_clocks NEW TABLE AS new_clocks
      FOR EACH STATEMENT EXECUTE FUNCTION report_mark_clocks()`);
    await queryRunner.query(`
      CREATE TRIGGER report_mark_clocks_delete AFTER DELETE ON ticket_clocks
      REFERENCING OLD TABLE AS old_clocks FOR EACH STATEMENT EXECUTE FUNCTION report_mark_clocks()`);
    await queryRunner.query(`
      CREATE TRIGGER report_mark_tickets_update AFTER UPDATE ON tickets
      REFERENCING OLD TABLE AS old_tickets NEW TABLE AS new_tickets
      FOR EACH STATEMENT EXECUTE FUNCTION report_mark_tickets()`);
    // Every day that already has decided clocks starts stale; the first rollup passes build them.
    await queryRunner.query(`
      INSERT INTO report_dirty_days (day)
      SELECT DISTINCT ${DAY('c')} FROM ticket_clocks c, report_rollup_settings s WHERE ${DECIDED('c')}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER report_mark_tickets_update ON tickets`);
    await queryRunner.query(`DROP TRIGGER report_mark_clocks_delete ON ticket_clocks`);
    await queryRunner.query(`DROP TRIGGER report_mark_clocks_update ON ticket_clocks`);
    await queryRunner.query(`DROP TRIGGER report_mark_clocks_insert ON ticket_clocks`);
    await queryRunner.query(`DROP FUNCTION report_mark_tickets()`);
    await queryRunner.query(`DROP FUNCTION report_mark_clocks()`);
    await queryRunner.query(`DROP INDEX "idx_ticket_clocks_counting"`);
    await queryRunner.query(`DROP INDEX "idx_ticket_clocks_counted_at"`);
    await queryRunner.query(`DROP TABLE "report_rollup"`);
    await queryRunner.query(`DROP TABLE "report_dirty_days"`);
    await queryRunner.query(`DROP TABLE "report_rollup_settings"`);
  }
}
