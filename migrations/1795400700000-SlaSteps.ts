import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Timers and breaches: `tickets.next_step_at` is the earliest instant at which one of the ticket's clocks reaches
 * a step not yet recorded (a warning threshold or a breach); the timers module keeps a delayed job for each ticket
 * whose instant falls within its horizon. `sla_steps` records each step once per clock cycle (the unique key), with
 * its lateness, and a breach's withdrawal and acknowledgement. `escalation_ladders` (with their history) say
 * which steps a tier's clocks have and whom each one is for.
 * Hand-written to match src/escalations/sla-step.entity.ts and src/tickets/entities/ticket.entity.ts.
 */
export class SlaSteps1795400700000 implements MigrationInterface {
  name = 'SlaSteps1795400700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "tickets" ADD "next_step_at" timestamptz`);
    await queryRunner.query(`ALTER TABLE "tickets" ADD "assignee_id" varchar(255)`);
    await queryRunner.query(`ALTER TABLE "tickets" ADD "group_id" varchar(255)`);
    await queryRunner.query(
      `CREATE INDEX "idx_tickets_next_step" ON "tickets" ("next_step_at") WHERE "next_step_at" IS NOT NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE "sla_steps" (
        "id" bigserial NOT NULL,
        "ticket_id" uuid NOT NULL,
        "metric" varchar(32) NOT NULL,
        "cycle" integer NOT NULL,
        "step" varchar(32) NOT NULL,
        "kind" varchar(16) NOT NULL,
        "percent" double precision,
        "status" varchar(16) NOT NULL,
        "due_at" timestamptz NOT NULL,
        "deadline" timestamptz,
        "detected_at" timestamptz NOT NULL,
        "lateness_ms" bigint NOT NULL,
        "late" boolean NOT NULL,
        "policy_id" varchar(64),
        "policy_version" integer,
        "clock_version" integer NOT NULL,
        "recipients" jsonb NOT NULL DEFAULT '[]',
        "withdrawn_at" timestamptz,
        "acknowledged_at" timestamptz,
        "acknowledged_by" varchar(200),
        CONSTRAINT "pk_sla_steps" PRIMARY KEY ("id"),
        CONSTRAINT "uq_sla_steps_clock_step" UNIQUE ("ticket_id", "metric", "cycle", "step"),
        CONSTRAINT "fk_sla_steps_ticket" FOREIGN KEY ("ticket_id") REFERENCES "tickets" ("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(
      `CREATE INDEX "idx_sla_steps_kind_detected" ON "sla_steps" ("kind", "detected_at")`,
    );
    await queryRunner.query(`
      CREATE TABLE "escalation_ladders" (
        "id" varchar(64) NOT NULL,
        "name" varchar(200) NOT NULL,
        "tiers" jsonb NOT NULL DEFAULT '[]',
        "steps" jsonb NOT NULL,
        "version" integer NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_escalation_ladders" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(`
      CREATE TABLE "escalation_ladder_versions" (
        "ladder_id" varchar(64) NOT NULL,
        "version" integer NOT NULL,
        "name" varchar(200) NOT NULL,
        "tiers" jsonb NOT NULL,
        "steps" jsonb NOT NULL,
        "valid_from" timestamptz NOT NULL,
        "valid_to" timestamptz,
        CONSTRAINT "pk_escalation_ladder_versions" PRIMARY KEY ("ladder_id", "version")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "escalation_ladder_versions"`);
    await queryRunner.query(`DROP TABLE "escalation_ladders"`);
    await queryRunner.query(`DROP TABLE "sla_steps"`);
    await queryRunner.query(`DROP INDEX "idx_tickets_next_step"`);
    await queryRunner.query(`ALTER TABLE "tickets" DROP COLUMN "next_step_at"`);
    await queryRunner.query(`ALTER TABLE "tickets" DROP COLUMN "assignee_id"`);
    await queryRunner.query(`ALTER TABLE "tickets" DROP COLUMN "group_id"`);
  }
}
