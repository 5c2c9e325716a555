import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Write-back to the helpdesk. `integrations.write_back` holds the helpdesk API's base URL, its credentials sealed
 * with SecretBox and the tag names (null: no write-back). A `helpdesk` notification channel has no URL of its own
 * (`target_sealed` becomes optional) and may name the integration whose tickets it writes to (`integration_id`,
 * null: every ticket, each through its own integration). Hand-written to match the entities.
 */
export class HelpdeskWriteBack1795401300000 implements MigrationInterface {
  name = 'HelpdeskWriteBack1795401300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "integrations" ADD "write_back" jsonb`);
    await queryRunner.query(`ALTER TABLE "notification_channels" ADD "integration_id" varchar(64)`);
    await queryRunner.query(`ALTER TABLE "notification_channels" ALTER COLUMN "target_sealed" DROP NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "notification_channels" WHERE "target_sealed" IS NULL`);
    await queryRunner.query(`ALTER TABLE "notification_channels" ALTER COLUMN "target_sealed" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "notification_channels" DROP COLUMN "integration_id"`);
    await queryRunner.query(`ALTER TABLE "integrations" DROP COLUMN "write_back"`);
  }
}
