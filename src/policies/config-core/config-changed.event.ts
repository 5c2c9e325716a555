/** Emitted (in-process, after commit) whenever tiers, calendars, policies or customer mappings change. */
export const SLA_CONFIG_CHANGED = 'sla-config.changed';

export type ConfigKind = 'tier' | 'calendar' | 'policy' | 'customer' | 'ladder';

export interface SlaConfigChangedEvent {
  kind: ConfigKind;
  /** The id of the changed tier, calendar, policy or customer. */
  id: string;
  /** The configuration revision the change produced. */
  revision: number;
}
