import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Every metric the shipped Grafana dashboard and Prometheus alert rules refer to is one the service exports. */
describe('ops: dashboard and alert rules', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  const referenced = (exprs: string[]) =>
    new Set(
      exprs
        .flatMap((e) => e.match(/\bsla_[a-z0-9_]+/g) ?? [])
        .map((m) => m.replace(/_(bucket|sum|count)$/, '')),
    );

  it('refers only to exported metrics', async () => {
    const text = (await t.http().get('/metrics').expect(200)).text;
    const exported = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));

    const dashboard = JSON.parse(readFileSync('ops/grafana/sla-tracker-dashboard.json', 'utf8')) as {
      panels: Array<{ targets: Array<{ expr: string }> }>;
    };
    const rules = parse(readFileSync('ops/prometheus/sla-tracker-alerts.yml', 'utf8')) as {
      groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
    };
    const exprs = [
      ...dashboard.panels.flatMap((p) => p.targets.map((target) => target.expr)),
      ...rules.groups.flatMap((g) => g.rules.map((r) => r.expr)),
    ];
    const names = referenced(exprs);
    expect(names.size).toBeGreaterThan(10);
    expect([...names].filter((n) => !exported.has(n))).toEqual([]);
    // The alerts the operators asked for are there.
    const alerts = rules.groups.flatMap((g) => g.rules.map((r) => r.alert));
    for (const expected of [
      'IngestBacklogGrowing',
      'ProcessingLag',
      'TimerLate',
      'NotificationsFailing',
      'TimersRepaired',
    ])
      expect(alerts).toContain(`SlaTracker${expected}`);
  });
});
