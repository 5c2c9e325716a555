import { z } from 'zod';
import { canonicalJson } from '../policies/config-core/canonical-json.js';
import { SECTIONS, type Section } from './config-file.schema.js';

/** How a credential shows in a plan: whether it is set and whether the file changes it, never its value. */
export const STORED_SECRET = '(stored secret)';
export const NEW_SECRET = '(new secret)';

export const fieldChangeSchema = z.object({
  path: z.string().describe('The field, e.g. targets.high.resolution.minutes'),
  before: z.unknown().optional().describe('Absent: the field was not set'),
  after: z.unknown().optional().describe('Absent: the field is removed'),
});

export const resourceChangeSchema = z.object({
  section: z.enum(SECTIONS),
  id: z
    .string()
    .describe(
      'The resource id (customers: "<id>" or "<id>@<integrationId>"; directory: "<integrationId>/<kind>/<externalId>")',
    ),
  action: z.enum(['create', 'update', 'delete']),
  fields: z.array(fieldChangeSchema).describe('For updates: what changes, field by field'),
});

export const planResultSchema = z.object({
  applied: z.boolean().describe('true: the changes are committed (apply); false: nothing was written (plan)'),
  prune: z.boolean(),
  changes: z.array(resourceChangeSchema),
  unchanged: z.int().describe('Resources in the file that already match'),
  kept: z
    .array(z.object({ section: z.enum(SECTIONS), id: z.string() }))
    .describe('Resources that are not in the file and stay (with prune they would be deleted)'),
  summary: z.object({ create: z.int(), update: z.int(), delete: z.int() }),
});

export type FieldChange = z.infer<typeof fieldChangeSchema>;
export type ResourceChange = z.infer<typeof resourceChangeSchema>;
export type PlanResult = z.infer<typeof planResultSchema>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The fields that differ between two documents, as paths (`targets.high.resolution.minutes`, `weekly[2].end`). */
export function diffFields(before: unknown, after: unknown, path = ''): FieldChange[] {
  if (canonicalJson(before) === canonicalJson(after)) return [];
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...Object.keys(after), ...Object.keys(before).filter((k) => !(k in after))];
    return keys.flatMap((key) => diffFields(before[key], after[key], path ? `${path}.${key}` : key));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return after.flatMap((item, i) => diffFields(before[i], item, `${path}[${i}]`));
  }
  const change: FieldChange = { path: path || '(all)' };
  if (before !== undefined && before !== null) change.before = before;
  if (after !== undefined && after !== null) change.after = after;
  return [change];
}

function show(value: unknown): string {
  if (value === undefined) return '(not set)';
  if (Array.isArray(value) && value.length > 3) return `[${value.length} items]`;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 100 ? `${text.slice(0, 97)}…` : text;
}

const VERBS = { create: '+ create', update: '~ update', delete: '- delete' } as const;
const SINGULAR: Record<Section, string> = {
  tiers: 'tier',
  calendars: 'calendar',
  ladders: 'ladder',
  channels: 'channel',
  integrations: 'integration',
  policies: 'policy',
  customers: 'customer',
  directory: 'directory entry',
};

/** The plan as text, resource by resource, for the console. */
export function renderPlan(plan: PlanResult): string {
  const lines: string[] = [];
  for (const change of plan.changes) {
    lines.push(`${VERBS[change.action]} ${SINGULAR[change.section]} "${change.id}"`);
    for (const field of change.fields) {
      lines.push(`    ${field.path}: ${show(field.before)} → ${show(field.after)}`);
    }
  }
  for (const kept of plan.kept) {
    lines.push(`  keep ${SINGULAR[kept.section]} "${kept.id}" (not in the file; --prune would delete it)`);
  }
  const { create, update, delete: deletes } = plan.summary;
  if (plan.changes.length === 0) {
    lines.push(
      plan.applied
        ? 'No changes: the configuration already matches the file.'
        : 'No changes: the configuration matches the file.',
    );
  } else {
    lines.push(
      plan.applied
        ? `Applied: ${create} created, ${update} updated, ${deletes} deleted.`
        : `Plan: ${create} to create, ${update} to update, ${deletes} to delete.`,
    );
  }
  return lines.join('\n');
}
