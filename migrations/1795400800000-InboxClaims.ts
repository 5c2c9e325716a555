import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which worker claimed an inbox row (WORKER_ID): a worker that restarts after a crash puts its own orphaned claims
 * back at once instead of waiting for the stuck timeout. Hand-written to match src/webhooks/inbox-delivery.entity.ts.
 */
export class InboxClaims1795400800000 implements MigrationInterface {
  name = 'InboxClaims1795400800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "inbox_deliveries" ADD "claimed_by" varchar(200)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "inbox_deliveries" DROP COLUMN "claimed_by"`);
  }
}
