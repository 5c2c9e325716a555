import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `tickets.write_digest`: what the next evaluation write needs of the ticket's stored clocks (fingerprint and state)
 * and recorded steps (key and acknowledgement), kept on the row that every writer locks first, so that the lock
 * returns it and the write does not read ticket_clocks and sla_steps again. Null: unknown (rows from before this
 * migration, or after an acknowledgement); the writer then reads the tables, and its write fills it in. `json`, not
 * `jsonb`: it is only ever read whole, and json returns as stored instead of being rendered again.
 */
export class TicketWriteDigest1795401500000 implements MigrationInterface {
  name = 'TicketWriteDigest1795401500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "tickets" ADD "write_digest" json`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "tickets" DROP COLUMN "write_digest"`);
  }
}
