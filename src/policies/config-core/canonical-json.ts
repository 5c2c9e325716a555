/**
 * JSON with object keys sorted, to compare configuration for equality: jsonb does not keep key order, and an
 * identical PUT must not count as a change (no new policy version, no revision bump, no re-evaluation).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}
