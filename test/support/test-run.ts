/**
 * Every test run names its databases and Redis prefixes after its own run id, so that two runs on one
 * server (a developer's and CI's, say) never see or drop each other's. The id is chosen once in
 * vitest.config.ts and handed to every worker through the environment.
 */
export function testRunId(): string {
  return process.env.SLA_TEST_RUN_ID ?? 'adhoc';
}

/** The database name prefix of this run: `sla_test_<run>_`. */
export function testDatabasePrefix(): string {
  return `sla_test_${testRunId()}_`;
}

/** The BullMQ prefix stem of this run (the app wraps it in braces). */
export function testQueuePrefix(): string {
  return `t${testRunId()}`;
}
