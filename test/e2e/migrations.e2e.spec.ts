import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('migrations match the entities', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('leaves nothing for the schema builder to change once every migration has run', async () => {
    const dataSource = t.app.get(DataSource);
    const tables = dataSource.entityMetadatas.map((m) => m.tableName);
    expect(tables).toEqual(
      expect.arrayContaining([
        'config_revision',
        'tiers',
        'calendars',
        'policies',
        'policy_versions',
        'customers',
      ]),
    );
    const { upQueries } = await dataSource.driver.createSchemaBuilder().log();
    const drift = upQueries.map((q) => `${q.query};`).join('\n');
    expect(drift, `Entities and migrations disagree; a migration needs:\n${drift}`).toBe('');
  });
});
