import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A digest of each clock's decided values (src/tickets/clock-fingerprint.ts): the evaluation writer reads
 * it to skip clocks an evaluation left unchanged instead of comparing every column in the database.
 * NULL on rows written before it existed: they are rewritten (once) at their next evaluation.
 * Hand-written to match src/tickets/entities/ticket-clock.entity.ts; the drift test compares them.
 */
export class ClockFingerprints1795400500000 implements MigrationInterface {
  name = 'ClockFingerprints1795400500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ticket_clocks" ADD "fingerprint" varchar(32)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ticket_clocks" DROP COLUMN "fingerprint"`);
  }
}
