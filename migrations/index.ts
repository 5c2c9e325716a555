/**
 * Every migration, in order. Listed explicitly (not globbed) so that the same list works from
 * compiled JavaScript, from the test runner and from the CLI. Add new migrations at the end.
 */
export const migrations: Array<new () => unknown> = [];
