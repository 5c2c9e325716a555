import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Integration secret rotation and delivery retention. `previous_credentials` holds the credential sets a rotation
 * replaced, each sealed or hashed exactly as the current one and accepted until its own `expiresAt`;
 * `credentials_changed_at` is when the current set took over. `inbox_deliveries.pruned_at` marks a delivery whose
 * body and headers the retention job removed (the row, its status and its events stay); the partial index finds
 * the rows still to prune. Hand-written to match the entities.
 */
export class SecretRotationRetention1795401100000 implements MigrationInterface {
  name = 'SecretRotationRetention1795401100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "integrations" ADD "previous_credentials" jsonb NOT NULL DEFAULT '[]'`,
    );
    await queryRunner.query(`ALTER TABLE "integrations" ADD "credentials_changed_at" timestamptz`);
    await queryRunner.query(`ALTER TABLE "inbox_deliveries" ADD "pruned_at" timestamptz`);
    await queryRunner.query(
      `CREATE INDEX "idx_inbox_deliveries_unpruned" ON "inbox_deliveries" ("received_at") WHERE "pruned_at" IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_inbox_deliveries_unpruned"`);
    await queryRunner.query(`ALTER TABLE "inbox_deliveries" DROP COLUMN "pruned_at"`);
    await queryRunner.query(`ALTER TABLE "integrations" DROP COLUMN "credentials_changed_at"`);
    await queryRunner.query(`ALTER TABLE "integrations" DROP COLUMN "previous_credentials"`);
  }
}
