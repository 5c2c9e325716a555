import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { IntegrationsInbox1795400100000 } from '../../migrations/1795400100000-IntegrationsInbox.js';
import { Tickets1795400200000 } from '../../migrations/1795400200000-Tickets.js';
import { TicketEventsInbox1795400300000 } from '../../migrations/1795400300000-TicketEventsInbox.js';
import { SlaSteps1795400700000 } from '../../migrations/1795400700000-SlaSteps.js';
import { SlaStepEntity } from '../../src/escalations/sla-step.entity.js';
import { ClockFingerprints1795400500000 } from '../../migrations/1795400500000-ClockFingerprints.js';
import { AuditLog1795401000000 } from '../../migrations/1795401000000-AuditLog.js';
import { TicketWriteDigest1795401500000 } from '../../migrations/1795401500000-TicketWriteDigest.js';
import { ensureDatabaseExists } from '../../src/database/ensure-database.js';
import { IntegrationEntity } from '../../src/integrations/integration.entity.js';
import { TicketClockEntity } from '../../src/tickets/entities/ticket-clock.entity.js';
import { TicketEventEntity } from '../../src/tickets/entities/ticket-event.entity.js';
import { TicketEntity } from '../../src/tickets/entities/ticket.entity.js';
import { dropDatabase, freshDatabaseUrl } from '../support/test-app.js';

/** The hand-written migration and the entities describe the same tables (no drift either way). */
describe('tickets migration matches the entities', () => {
  const url = freshDatabaseUrl('tickets_schema');
  let dataSource: DataSource;

  beforeAll(async () => {
    await ensureDatabaseExists(url);
    dataSource = new DataSource({
      type: 'postgres',
      url,
      entities: [IntegrationEntity, TicketEntity, TicketEventEntity, TicketClockEntity, SlaStepEntity],
      migrations: [
        IntegrationsInbox1795400100000,
        Tickets1795400200000,
        TicketEventsInbox1795400300000,
        ClockFingerprints1795400500000,
        SlaSteps1795400700000,
        AuditLog1795401000000,
        TicketWriteDigest1795401500000,
      ],
      synchronize: false,
    });
    await dataSource.initialize();
    await dataSource.runMigrations();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await dropDatabase(url);
  });

  it('needs no schema change for tickets, ticket_events and ticket_clocks', async () => {
    const pending = await dataSource.driver.createSchemaBuilder().log();
    const ours = pending.upQueries
      .map((q) => q.query)
      .filter((q) => /"(tickets|ticket_events|ticket_clocks|sla_steps)"/.test(q));
    expect(ours).toEqual([]);
  });

  it('migrates down cleanly', async () => {
    await dataSource.undoLastMigration(); // the write digest
    const columns = await dataSource.query(
      `SELECT 1 FROM information_schema.columns WHERE table_name = 'tickets' AND column_name = 'write_digest'`,
    );
    expect(columns).toEqual([]);
    await dataSource.undoLastMigration(); // the audit log, and the key that acknowledged a breach
    expect((await dataSource.query(`SELECT to_regclass('audit_entries') AS a`))[0].a).toBeNull();
    await dataSource.undoLastMigration(); // the steps
    expect((await dataSource.query(`SELECT to_regclass('sla_steps') AS s`))[0].s).toBeNull();
    await dataSource.undoLastMigration(); // the clock fingerprints
    await dataSource.undoLastMigration(); // the inbox index
    const index = await dataSource.query(`SELECT to_regclass('idx_ticket_events_inbox') AS i`);
    expect(index[0].i).toBeNull();
    await dataSource.undoLastMigration();
    const rows = await dataSource.query(`SELECT to_regclass('tickets') AS t`);
    expect(rows[0].t).toBeNull();
    await dataSource.runMigrations();
  });
});
