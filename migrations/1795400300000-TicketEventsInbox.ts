import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Replay rebuilds the events each stored delivery produced (delete + re-insert under the current mapping):
 * it finds them by `inbox_id`, which needs an index once the timeline store is large.
 * Hand-written to match src/tickets/entities/ticket-event.entity.ts; the drift test compares them.
 */
export class TicketEventsInbox1795400300000 implements MigrationInterface {
  name = 'TicketEventsInbox1795400300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "idx_ticket_events_inbox" ON "ticket_events" ("inbox_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_ticket_events_inbox"`);
  }
}
