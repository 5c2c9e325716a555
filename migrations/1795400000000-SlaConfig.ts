import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Admin configuration: tiers, calendars, versioned policies, customer → tier mappings, and the configuration
 * revision that every change bumps (the cache key of the evaluation config in every process).
 */
export class SlaConfig1795400000000 implements MigrationInterface {
  name = 'SlaConfig1795400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "config_revision" (
        "id" smallint NOT NULL,
        "revision" integer NOT NULL,
        "changed_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_config_revision" PRIMARY KEY ("id"),
        CONSTRAINT "ck_config_revision_single_row" CHECK ("id" = 1)
      )`);
    await q.query(`INSERT INTO "config_revision" ("id", "revision") VALUES (1, 0)`);

    await q.query(`
      CREATE TABLE "tiers" (
        "id" varchar(64) NOT NULL,
        "name" varchar(200) NOT NULL,
        "description" text,
        "is_default" boolean NOT NULL DEFAULT false,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_tiers" PRIMARY KEY ("id")
      )`);
    // At most one default tier.
    await q.query(
      `CREATE UNIQUE INDEX "uq_tiers_single_default" ON "tiers" ("is_default") WHERE "is_default"`,
    );

    await q.query(`
      CREATE TABLE "calendars" (
        "id" varchar(64) NOT NULL,
        "name" varchar(200) NOT NULL,
        "time_zone" varchar(64) NOT NULL,
        "always_open" boolean NOT NULL DEFAULT false,
        "weekly" jsonb NOT NULL,
        "holidays" jsonb NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_calendars" PRIMARY KEY ("id")
      )`);

    await q.query(`
      CREATE TABLE "policies" (
        "id" varchar(64) NOT NULL,
        "current_version" integer NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_policies" PRIMARY KEY ("id")
      )`);
    await q.query(`
      CREATE TABLE "policy_versions" (
        "policy_id" varchar(64) NOT NULL,
        "version" integer NOT NULL,
        "name" varchar(200) NOT NULL,
        "position" integer NOT NULL,
        "active" boolean NOT NULL,
        "conditions" jsonb NOT NULL,
        "targets" jsonb NOT NULL,
        "valid_from" timestamptz NOT NULL,
        "valid_to" timestamptz,
        CONSTRAINT "pk_policy_versions" PRIMARY KEY ("policy_id", "version"),
        CONSTRAINT "ck_policy_versions_valid_range" CHECK ("valid_to" IS NULL OR "valid_to" > "valid_from"),
        CONSTRAINT "fk_policy_versions_policy" FOREIGN KEY ("policy_id") REFERENCES "policies" ("id") ON DELETE RESTRICT
      )`);
    // One current version per policy; two active current versions never share a position (SEMANTICS 17).
    await q.query(
      `CREATE UNIQUE INDEX "uq_policy_versions_current" ON "policy_versions" ("policy_id") WHERE "valid_to" IS NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "uq_policy_versions_active_position" ON "policy_versions" ("position") WHERE "valid_to" IS NULL AND "active"`,
    );

    await q.query(`
      CREATE TABLE "customers" (
        "id" BIGSERIAL NOT NULL,
        "customer_id" varchar(255) NOT NULL,
        "integration_id" varchar(64),
        "name" varchar(200),
        "tier_id" varchar(64) NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_customers" PRIMARY KEY ("id"),
        CONSTRAINT "fk_customers_tier" FOREIGN KEY ("tier_id") REFERENCES "tiers" ("id") ON DELETE RESTRICT
      )`);
    // One mapping per (customer, integration), "all integrations" (NULL) counting as one value.
    await q.query(
      `CREATE UNIQUE INDEX "uq_customers_customer_integration" ON "customers" ("customer_id", "integration_id") WHERE "integration_id" IS NOT NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "uq_customers_customer_global" ON "customers" ("customer_id") WHERE "integration_id" IS NULL`,
    );
    await q.query(`CREATE INDEX "ix_customers_tier_id" ON "customers" ("tier_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "customers"`);
    await q.query(`DROP TABLE "policy_versions"`);
    await q.query(`DROP TABLE "policies"`);
    await q.query(`DROP TABLE "calendars"`);
    await q.query(`DROP TABLE "tiers"`);
    await q.query(`DROP TABLE "config_revision"`);
  }
}
