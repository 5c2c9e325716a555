import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * E-mail, the directory and notification hygiene. A delivery goes to a channel or, resolved through the directory,
 * straight to an e-mail address (exactly one of the two); the unique key covers both. `not_before` holds a delivery
 * back (the recipient's working hours, a digest window, a rate limit); `working_hours` is the calendar it waits for;
 * `batch_id` is the delivery whose message carried it (a digest: several rows, one message). `directory_entries`
 * maps a helpdesk agent or group (per integration) to an address or a channel. Hand-written.
 */
export class EmailDirectoryHygiene1795401250000 implements MigrationInterface {
  name = 'EmailDirectoryHygiene1795401250000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "notifications" ALTER COLUMN "channel_id" DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE "notifications" ADD "address" varchar(320)`);
    await queryRunner.query(`ALTER TABLE "notifications" ADD "not_before" timestamptz`);
    await queryRunner.query(`ALTER TABLE "notifications" ADD "working_hours" varchar(64)`);
    await queryRunner.query(`ALTER TABLE "notifications" ADD "batch_id" bigint`);
    await queryRunner.query(
      `ALTER TABLE "notifications" ADD CONSTRAINT "ck_notifications_recipient"
         CHECK (("channel_id" IS NULL) <> ("address" IS NULL))`,
    );
    await queryRunner.query(`ALTER TABLE "notifications" DROP CONSTRAINT "uq_notifications_step_channel"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_notifications_step_recipient" ON "notifications" ("step_id", "event", "channel_id", "address")
         NULLS NOT DISTINCT`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_notifications_recipient_sent" ON "notifications"
         ((coalesce("channel_id", 'mailto:' || "address")), "sent_at") WHERE "status" = 'sent'`,
    );
    await queryRunner.query(`
      CREATE TABLE "directory_entries" (
        "integration_id" varchar(64) NOT NULL,
        "kind" varchar(16) NOT NULL,
        "external_id" varchar(255) NOT NULL,
        "name" varchar(200),
        "email" varchar(320),
        "channel_id" varchar(64),
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_directory_entries" PRIMARY KEY ("integration_id", "kind", "external_id"),
        CONSTRAINT "ck_directory_entries_kind" CHECK ("kind" IN ('agent', 'group')),
        CONSTRAINT "ck_directory_entries_target" CHECK (("email" IS NULL) <> ("channel_id" IS NULL)),
        CONSTRAINT "fk_directory_entries_integration" FOREIGN KEY ("integration_id")
          REFERENCES "integrations" ("id") ON DELETE CASCADE
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "directory_entries"`);
    await queryRunner.query(`DELETE FROM "notifications" WHERE "channel_id" IS NULL`);
    await queryRunner.query(`DROP INDEX "idx_notifications_recipient_sent"`);
    await queryRunner.query(`DROP INDEX "uq_notifications_step_recipient"`);
    await queryRunner.query(
      `ALTER TABLE "notifications" ADD CONSTRAINT "uq_notifications_step_channel" UNIQUE ("step_id", "event", "channel_id")`,
    );
    await queryRunner.query(`ALTER TABLE "notifications" DROP CONSTRAINT "ck_notifications_recipient"`);
    for (const column of ['batch_id', 'working_hours', 'not_before', 'address'])
      await queryRunner.query(`ALTER TABLE "notifications" DROP COLUMN "${column}"`);
    await queryRunner.query(`ALTER TABLE "notifications" ALTER COLUMN "channel_id" SET NOT NULL`);
  }
}
