import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ticket timeline store and the clocks computed from it (src/tickets/entities/*).
 * Hand-written to match the entities exactly; the drift test compares them.
 */
export class Tickets1795400200000 implements MigrationInterface {
  name = 'Tickets1795400200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "tickets" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "integration_id" varchar(64) NOT NULL,
        "external_id" varchar(255) NOT NULL,
        "status" varchar(16),
        "priority" varchar(16),
        "default_priority" varchar(16) NOT NULL,
        "tier" varchar(64),
        "policy_id" varchar(64),
        "policy_version" integer,
        "removed" varchar(16),
        "created_at" timestamptz,
        "last_event_at" timestamptz,
        "next_deadline" timestamptz,
        "clock_version" integer NOT NULL DEFAULT 0,
        "config_revision" integer,
        "evaluated_at" timestamptz,
        "first_seen_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_tickets" PRIMARY KEY ("id"),
        CONSTRAINT "uq_tickets_integration_external" UNIQUE ("integration_id", "external_id"),
        CONSTRAINT "fk_tickets_integration" FOREIGN KEY ("integration_id")
          REFERENCES "integrations" ("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE INDEX "idx_tickets_queue" ON "tickets" ("next_deadline", "id")`);

    await queryRunner.query(`
      CREATE TABLE "ticket_events" (
        "id" bigserial NOT NULL,
        "ticket_id" uuid NOT NULL,
        "integration_id" varchar(64) NOT NULL,
        "event_id" varchar(255) NOT NULL,
        "type" varchar(32) NOT NULL,
        "occurred_at" timestamptz NOT NULL,
        "reported_occurred_at" timestamptz,
        "sequence" bigint,
        "received_at" timestamptz NOT NULL,
        "snapshot" jsonb NOT NULL,
        "comment" jsonb,
        "actor" jsonb,
        "clock_skew" boolean NOT NULL DEFAULT false,
        "inbox_id" varchar(64),
        CONSTRAINT "pk_ticket_events" PRIMARY KEY ("id"),
        CONSTRAINT "uq_ticket_events_integration_event" UNIQUE ("integration_id", "event_id"),
        CONSTRAINT "fk_ticket_events_ticket" FOREIGN KEY ("ticket_id")
          REFERENCES "tickets" ("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(
      `CREATE INDEX "idx_ticket_events_timeline" ON "ticket_events" ("ticket_id", "occurred_at", "sequence", "id")`,
    );

    await queryRunner.query(`
      CREATE TABLE "ticket_clocks" (
        "ticket_id" uuid NOT NULL,
        "metric" varchar(32) NOT NULL,
        "cycle" integer NOT NULL,
        "state" varchar(16) NOT NULL,
        "policy_id" varchar(64),
        "policy_version" integer,
        "calendar_id" varchar(64),
        "time_zone" varchar(64),
        "started_at" timestamptz NOT NULL,
        "target_ms" bigint,
        "deadline" timestamptz,
        "no_deadline_reason" text,
        "not_applicable_reason" text,
        "stopped_at" timestamptz,
        "used_ms" bigint NOT NULL,
        "remaining_ms" bigint,
        "percent_used" double precision,
        "paused_intervals" jsonb NOT NULL DEFAULT '[]',
        "breached_at" timestamptz,
        "breach_detected_at" timestamptz,
        "first_breach_detected_at" timestamptz,
        "breach_withdrawn_at" timestamptz,
        "warnings" jsonb NOT NULL DEFAULT '[]',
        "explanation" jsonb NOT NULL DEFAULT '[]',
        "evaluated_at" timestamptz NOT NULL,
        CONSTRAINT "pk_ticket_clocks" PRIMARY KEY ("ticket_id", "metric", "cycle"),
        CONSTRAINT "fk_ticket_clocks_ticket" FOREIGN KEY ("ticket_id")
          REFERENCES "tickets" ("id") ON DELETE CASCADE
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "ticket_clocks"`);
    await queryRunner.query(`DROP TABLE "ticket_events"`);
    await queryRunner.query(`DROP TABLE "tickets"`);
  }
}
