import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log (src/audit/audit-entry.entity.ts): one row per configuration change, written in the change's own
 * transaction. Append-only in the database itself: a trigger refuses every UPDATE, DELETE and TRUNCATE, so no code
 * path can rewrite history. Breach acknowledgements also keep the id of the key that made them.
 */
export class AuditLog1795401000000 implements MigrationInterface {
  name = 'AuditLog1795401000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "audit_entries" (
        "id" bigserial NOT NULL,
        "at" timestamptz NOT NULL DEFAULT clock_timestamp(),
        "actor_key_id" uuid,
        "actor_name" varchar(100) NOT NULL,
        "actor_role" varchar(16),
        "action" varchar(16) NOT NULL,
        "resource_type" varchar(32) NOT NULL,
        "resource_id" varchar(255) NOT NULL,
        "before" jsonb,
        "after" jsonb,
        "request_id" varchar(200),
        CONSTRAINT "pk_audit_entries" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(
      `CREATE INDEX "idx_audit_entries_resource" ON "audit_entries" ("resource_type", "resource_id", "id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_audit_entries_actor" ON "audit_entries" ("actor_key_id", "id")`,
    );
    await queryRunner.query(`
      CREATE FUNCTION "audit_entries_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_entries is append-only: % is not allowed', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER "trg_audit_entries_append_only" BEFORE UPDATE OR DELETE ON "audit_entries"
      FOR EACH ROW EXECUTE FUNCTION "audit_entries_append_only"()`);
    await queryRunner.query(`
      CREATE TRIGGER "trg_audit_entries_no_truncate" BEFORE TRUNCATE ON "audit_entries"
      FOR EACH STATEMENT EXECUTE FUNCTION "audit_entries_append_only"()`);
    await queryRunner.query(`ALTER TABLE "sla_steps" ADD "acknowledged_by_key_id" uuid`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sla_steps" DROP COLUMN "acknowledged_by_key_id"`);
    await queryRunner.query(`DROP TABLE "audit_entries"`);
    await queryRunner.query(`DROP FUNCTION "audit_entries_append_only"()`);
  }
}
