import { describe, expect, it } from 'vitest';
import { listTicketsQuerySchema } from '../../src/tickets/tickets.dto.js';

const parse = (query: Record<string, unknown>) => listTicketsQuerySchema.safeParse(query);

describe('GET /tickets query', () => {
  it('defaults to sort=next_deadline and 50 per page', () => {
    expect(parse({}).data).toEqual({ sort: 'next_deadline', limit: 50 });
  });

  it('takes breachWithin as an ISO 8601 duration or whole minutes', () => {
    expect(parse({ breachWithin: 'PT2H' }).data?.breachWithin).toBe(2 * 3_600_000);
    expect(parse({ breachWithin: 'P1DT30M' }).data?.breachWithin).toBe(24 * 3_600_000 + 30 * 60_000);
    expect(parse({ breachWithin: '90' }).data?.breachWithin).toBe(90 * 60_000);
  });

  it('rejects an unusable breachWithin with the formats it accepts', () => {
    for (const bad of ['2h', 'PT0S', '-5', 'P500D', '']) {
      const result = parse({ breachWithin: bad });
      expect(result.success, bad).toBe(false);
      expect(JSON.stringify(result.error?.issues)).toContain('ISO 8601 duration');
    }
  });

  it('accepts comma-separated and repeated states and priorities', () => {
    expect(parse({ state: 'running,breached', priority: ['high', 'urgent'] }).data).toMatchObject({
      state: ['running', 'breached'],
      priority: ['high', 'urgent'],
    });
  });

  it('names the allowed values for an unknown state, priority or sort', () => {
    const state = parse({ state: 'late' });
    expect(state.success).toBe(false);
    expect(state.error?.issues[0].message).toMatch(
      /running.*paused.*met.*breached.*not_applicable.*cancelled/,
    );
    expect(parse({ priority: 'critical' }).error?.issues[0].message).toMatch(/urgent.*high.*normal.*low/);
    expect(parse({ sort: 'created_at' }).error?.issues[0].message).toContain('next_deadline');
  });

  it('rejects unknown parameters and out-of-range limits', () => {
    expect(parse({ priorty: 'high' }).success).toBe(false);
    expect(parse({ limit: '0' }).success).toBe(false);
    expect(parse({ limit: '201' }).success).toBe(false);
    expect(parse({ limit: '10' }).data?.limit).toBe(10);
  });
});
